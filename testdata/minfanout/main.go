// Command minfanout is the yardstick of BenchmarkFanout: the least a
// /stream fan-out can cost. It serves GET /stream as
// multipart/x-mixed-replace with the same part headers as pistream,
// from JPEG frames encoded in advance (the *.jpg files of -frames, played
// in a loop at -fps), and writes each frame to each viewer as one prepared
// part with one writev (net.Buffers) per viewer per frame. Each viewer has
// its own goroutine and a one-slot "newest part" mailbox, as in pistream;
// a viewer whose write fails or takes over 5 s is dropped.
//
//	go build -o minfanout ./testdata/minfanout
//	minfanout -addr 127.0.0.1:8081 -frames DIR -fps 30
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"
)

const boundary = "pistreamframe"

// part is one frame ready to send: its part header and its JPEG.
type part struct {
	seq  uint64
	head []byte
	jpeg []byte
}

// latest holds the newest part and wakes the viewers when it changes.
type latest struct {
	mu      sync.Mutex
	p       *part
	changed chan struct{}
}

func (l *latest) publish(p *part) {
	l.mu.Lock()
	l.p = p
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// next waits for a part newer than seq.
func (l *latest) next(seq uint64) *part {
	for {
		l.mu.Lock()
		p, ch := l.p, l.changed
		l.mu.Unlock()
		if p != nil && p.seq > seq {
			return p
		}
		<-ch
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	dir := flag.String("frames", "", "directory of the *.jpg frames to play")
	fps := flag.Int("fps", 30, "frames per second")
	flag.Parse()
	names, _ := filepath.Glob(filepath.Join(*dir, "*.jpg"))
	slices.Sort(names)
	var frames [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			log.Fatal(err)
		}
		frames = append(frames, b)
	}
	if len(frames) == 0 {
		log.Fatalf("no *.jpg frames in %q", *dir)
	}

	l := &latest{changed: make(chan struct{})}
	go func() {
		tick := time.NewTicker(time.Second / time.Duration(*fps))
		for seq := uint64(1); ; seq++ {
			jpeg := frames[int(seq)%len(frames)]
			l.publish(&part{seq: seq, head: partHeader(len(jpeg), time.Now()), jpeg: jpeg})
			<-tick.C
		}
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 200 OK\r\n" +
			"Cache-Control: no-store, no-cache, must-revalidate, max-age=0\r\nConnection: close\r\n" +
			"Content-Type: multipart/x-mixed-replace; boundary=" + boundary + "\r\n" +
			"Expires: 0\r\nPragma: no-cache\r\nX-Accel-Buffering: no\r\n\r\n")
		if brw.Flush() != nil {
			return
		}
		crlf := []byte("\r\n")
		var seq uint64
		for {
			p := l.next(seq)
			seq = p.seq
			conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
			bufs := net.Buffers{p.head, p.jpeg, crlf}
			if _, err := bufs.WriteTo(conn); err != nil {
				return
			}
		}
	})
	fmt.Println("serving", ln.Addr())
	log.Fatal(http.Serve(ln, nil))
}

// partHeader is the boundary and headers of one part, byte for byte as
// pistream writes them.
func partHeader(n int, t time.Time) []byte {
	b := []byte("--" + boundary + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + strconv.Itoa(n) + "\r\nX-Timestamp: ")
	b = strconv.AppendFloat(b, float64(t.UnixMicro())/1e6, 'f', 6, 64)
	return append(b, "\r\n\r\n"...)
}
