// Package notifytest listens as systemd's NOTIFY_SOCKET does and keeps
// what it is told, for tests of the notify protocol; only tests import
// it.
package notifytest

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// guard is how long Wait and Nth wait before they fail the test.
const guard = 60 * time.Second

// Msg is one datagram and the time it arrived.
type Msg struct {
	At   time.Time
	Text string
}

// Socket is a listening notify socket; give its Path as NOTIFY_SOCKET.
type Socket struct {
	Path string
	mu   sync.Mutex
	msgs []Msg
}

// Listen opens a socket in a temporary directory of t, closed when t ends.
func Listen(t testing.TB) *Socket {
	t.Helper()
	s := &Socket{Path: filepath.Join(t.TempDir(), "notify")}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: s.Path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, Msg{time.Now(), string(buf[:n])})
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return s
}

// Messages is what arrived so far.
func (s *Socket) Messages() []Msg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Msg(nil), s.msgs...)
}

// Nth waits for the message numbered i (from 0) and returns it.
func (s *Socket) Nth(t testing.TB, i int) Msg {
	t.Helper()
	return s.await(t, func(ms []Msg) (Msg, bool) {
		if i < len(ms) {
			return ms[i], true
		}
		return Msg{}, false
	}, fmt.Sprintf("message #%d", i))
}

// Wait waits for the first message that arrived at or after from and
// holds want, and returns it.
func (s *Socket) Wait(t testing.TB, from time.Time, want string) Msg {
	t.Helper()
	return s.await(t, func(ms []Msg) (Msg, bool) {
		for _, m := range ms {
			if !m.At.Before(from) && strings.Contains(m.Text, want) {
				return m, true
			}
		}
		return Msg{}, false
	}, want)
}

func (s *Socket) await(t testing.TB, find func([]Msg) (Msg, bool), what string) Msg {
	t.Helper()
	deadline := time.Now().Add(guard)
	for {
		ms := s.Messages()
		if m, ok := find(ms); ok {
			return m
		}
		if time.Now().After(deadline) {
			var texts []string
			for _, m := range ms {
				texts = append(texts, m.Text)
			}
			t.Fatalf("no %q on the notify socket; got %q", what, texts)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
