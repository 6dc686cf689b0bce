package nbio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestReaderReadsAPipeToTheEnd(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want := bytes.Repeat([]byte("0123456789"), 100_000) // more than a pipe holds
	go func() {
		w.Write(want)
		w.Close()
	}()
	nr, err := NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(nr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, want the %d written", len(got), len(want))
	}
}

func TestReaderHonoursDeadlineAndClose(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	nr, err := NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	r.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := nr.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	r.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := nr.Read(make([]byte, 10))
		done <- err
	}()
	r.Close()
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("read of a closed pipe: %v, want os.ErrClosed", err)
	}
}

// tcpPair is a connected pair of TCP connections on the loopback.
func tcpPair(t *testing.T) (*net.TCPConn, *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return s.(*net.TCPConn), c.(*net.TCPConn)
}

func writer(t *testing.T, c *net.TCPConn) *Writer {
	t.Helper()
	w, err := NewWriter(c)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWritevWaitsForASlowReader(t *testing.T) {
	s, c := tcpPair(t)
	big := bytes.Repeat([]byte{0xAB}, 8<<20) // far more than socket buffers hold
	bufs := [][]byte{[]byte("head"), {}, big, []byte("\r\n")}
	want := append(append([]byte("head"), big...), "\r\n"...)
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(c, int64(len(want))))
		got <- b
	}()
	n, err := writer(t, s).Writev(bufs)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("Writev = %d, %v; want %d, nil", n, err, len(want))
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("reader got %d bytes, not the %d written in order", len(b), len(want))
	}
}

func TestWritevDeadline(t *testing.T) {
	s, _ := tcpPair(t) // nobody reads
	s.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := writer(t, s).Writev([][]byte{bytes.Repeat([]byte{1}, 64<<20)})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Writev to a reader that never reads: %v, want os.ErrDeadlineExceeded", err)
	}
}

func TestTryWritevNeverWaits(t *testing.T) {
	s, c := tcpPair(t)
	chunk := bytes.Repeat([]byte{7}, 1<<20)
	w := writer(t, s)
	total := 0
	for i := 0; ; i++ {
		n, err := w.TryWritev([][]byte{chunk})
		if err != nil {
			t.Fatal(err)
		}
		total += n
		if n == 0 {
			break // full: it came back at once instead of waiting
		}
		if i > 1000 {
			t.Fatal("the socket never filled")
		}
	}
	// What was written arrives, in order.
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	b, err := io.ReadAll(io.LimitReader(c, int64(total)))
	if err != nil || len(b) != total || !bytes.Equal(b, bytes.Repeat([]byte{7}, total)) {
		t.Fatalf("read %d of %d bytes: %v", len(b), total, err)
	}
	s.Close()
	if _, err := w.TryWritev([][]byte{chunk}); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("TryWritev on a closed connection: %v, want net.ErrClosed", err)
	}
}

func TestConsume(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "ab|cde|f"}, {1, "b|cde|f"}, {2, "cde|f"}, {4, "e|f"}, {6, ""}} {
		bufs := [][]byte{[]byte("ab"), []byte("cde"), []byte("f")}
		var parts []string
		for _, b := range Consume(bufs, tc.n) {
			parts = append(parts, string(b))
		}
		if got := strings.Join(parts, "|"); got != tc.want {
			t.Errorf("Consume(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
