package httpstream

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"pistream/camera"
	"pistream/internal/nbio"
)

// viewer writes one /stream viewer's parts, for Hub.Serve: to a connection
// taken over by streamConn (HTTP/1.x), or through the ResponseWriter
// (HTTP/2). On TCP, the camera's goroutine writes each part itself when
// the socket takes it whole at once (TryReceive); what it can't write, and
// every part elsewhere, is written by the viewer's goroutine (Receive),
// within FrameWriteTimeout.
type viewer struct {
	s   *Server
	out partWriter
	tcp *tcpParts // out, when it can take a writev without blocking; else nil

	// mu is held while a part is written: by the hub's calls and by the
	// NO SIGNAL timer's (see serveViewer).
	mu   sync.Mutex
	seen uint64       // Seq of the newest frame written
	last atomic.Int64 // when the newest part was written, Unix ns

	head    []byte   // a part's header
	pending [][]byte // the rest of a part TryReceive began
	pendSeq uint64   // whose part that is
	err     error    // TryReceive's write error, for Receive to return
}

// partWriter writes whole parts to one viewer.
type partWriter interface {
	SetWriteDeadline(t time.Time) error
	// writePart writes the part header head, jpeg and the CRLF that ends
	// the part, returning how many bytes it wrote.
	writePart(head, jpeg []byte) (int64, error)
}

// connViewer is a viewer on a connection taken over from net/http.
func (s *Server) connViewer(conn net.Conn) *viewer {
	v := &viewer{s: s}
	if tc, ok := conn.(*net.TCPConn); ok {
		if w, err := nbio.NewWriter(tc); err == nil {
			v.tcp = &tcpParts{conn: conn, w: w}
			v.out = v.tcp
			return v
		}
	}
	v.out = &connParts{conn: conn}
	return v
}

// tcpParts writes each part with one writev.
type tcpParts struct {
	conn net.Conn // for its write deadline
	w    *nbio.Writer
	vec  [3][]byte // header, JPEG, CRLF
}

func (t *tcpParts) SetWriteDeadline(d time.Time) error { return t.conn.SetWriteDeadline(d) }

func (t *tcpParts) writePart(head, jpeg []byte) (int64, error) {
	t.vec = [3][]byte{head, jpeg, crlf}
	return t.w.Writev(t.vec[:])
}

// tryWritePart makes one writev of the part without waiting; what it could
// not write is left of t.vec (nbio.Consume).
func (t *tcpParts) tryWritePart(head, jpeg []byte) (int, error) {
	t.vec = [3][]byte{head, jpeg, crlf}
	return t.w.TryWritev(t.vec[:])
}

// connParts writes each part as one buffer: one TLS record write, not three.
type connParts struct {
	conn net.Conn
	part []byte
}

func (c *connParts) SetWriteDeadline(d time.Time) error { return c.conn.SetWriteDeadline(d) }

func (c *connParts) writePart(head, jpeg []byte) (int64, error) {
	c.part = append(append(append(c.part[:0], head...), jpeg...), crlf...)
	n, err := c.conn.Write(c.part)
	return int64(n), err
}

// streamParts writes each part through a ResponseWriter (HTTP/2): three
// writes and a flush.
type streamParts struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (p *streamParts) SetWriteDeadline(d time.Time) error { return p.rc.SetWriteDeadline(d) }

func (p *streamParts) writePart(head, jpeg []byte) (int64, error) {
	var n int64
	for _, b := range [...][]byte{head, jpeg, crlf} {
		m, err := p.w.Write(b)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, p.rc.Flush()
}

var crlf = []byte("\r\n")

func (v *viewer) TryReceive(f *camera.Frame) bool {
	if !v.mu.TryLock() {
		return false
	}
	defer v.mu.Unlock()
	if f.Seq <= v.seen {
		return true // sent before a NO SIGNAL part: not again
	}
	if v.tcp == nil || v.pending != nil || v.err != nil {
		return false
	}
	jpeg, ok := f.MadeJPEG()
	if !ok {
		return false // to be encoded by Receive
	}
	v.head = appendPartHeader(v.head[:0], len(jpeg), f.Time)
	t := v.tcp
	n, err := t.tryWritePart(v.head, jpeg)
	if err != nil {
		v.err = err
		return false
	}
	whole := n == len(v.head)+len(jpeg)+len(crlf)
	v.s.sent.add(int64(n), whole)
	if whole {
		v.seen = f.Seq
		v.last.Store(time.Now().UnixNano())
		return true
	}
	if n > 0 {
		v.pending, v.pendSeq = nbio.Consume(t.vec[:], n), f.Seq
	}
	return false
}

func (v *viewer) Receive(f *camera.Frame) error { return v.send(f, nil) }

// writeNoSignal writes the NO SIGNAL part.
func (v *viewer) writeNoSignal(jpeg []byte) error { return v.send(nil, jpeg) }

// send writes, after the rest of a part TryReceive began, f's part (unless
// it was sent already) or, with f nil, a part holding jpeg, within
// FrameWriteTimeout.
func (v *viewer) send(f *camera.Frame, jpeg []byte) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.err != nil {
		return v.err
	}
	v.out.SetWriteDeadline(time.Now().Add(v.s.cfg.FrameWriteTimeout))
	// No deadline between parts: TryReceive must not find an old one, and
	// a pause longer than FrameWriteTimeout (a camera reconnecting) must
	// not end the stream.
	defer v.out.SetWriteDeadline(time.Time{})
	if err := v.flushPending(); err != nil {
		return err
	}
	var at time.Time // when the part's picture was taken
	if f == nil {
		at = time.Now() // the NO SIGNAL picture: now
	} else {
		if f.Seq <= v.seen {
			return nil // sent already (before a NO SIGNAL part, or just now)
		}
		var err error
		if jpeg, err = v.s.frameJPEG(f); err != nil {
			return nil // skipped; the next frame will do
		}
		at = f.Time
	}
	v.head = appendPartHeader(v.head[:0], len(jpeg), at)
	n, err := v.out.writePart(v.head, jpeg)
	v.s.sent.add(n, err == nil)
	if err != nil {
		return err
	}
	v.last.Store(time.Now().UnixNano())
	if f != nil {
		v.seen = f.Seq
	}
	return nil
}

// flushPending writes the rest of the part TryReceive began, if any;
// v.mu is held and the write deadline set.
func (v *viewer) flushPending() error {
	if v.pending == nil {
		return nil
	}
	n, err := v.tcp.w.Writev(v.pending)
	v.s.sent.add(n, err == nil)
	if err != nil {
		return err
	}
	v.pending = nil
	v.seen = max(v.seen, v.pendSeq)
	v.last.Store(time.Now().UnixNano())
	return nil
}

// streamResponse streams through the ResponseWriter (HTTP/2, or HTTP/1.x
// where the connection can't be taken over). The stream ends with the
// request's context.
func (s *Server) streamResponse(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil { // the headers now, not with the first frame
		s.dropped(r, err)
		return
	}
	err := s.serveViewer(r.Context(), &viewer{s: s, out: &streamParts{w: w, rc: rc}})
	if r.Context().Err() == nil && !errors.Is(err, camera.ErrHubClosed) {
		s.dropped(r, err)
	}
}

// serveViewer gives v every frame (Hub.Serve) and, while the camera gives
// none for NoSignalAfter and is not streaming, the NO SIGNAL picture
// every NoSignalAfter, so its <img> shows why. It returns as Hub.Serve,
// or with the error of a NO SIGNAL part's write.
//
// One timer per stream sends the NO SIGNAL parts, from its own goroutine
// (under v.mu, as the hub's calls). A frame does not touch it: each part
// written notes its time in v.last, and the timer, when it fires, waits
// on from the newest part, as if each part had reset it.
func (s *Server) serveViewer(ctx context.Context, v *viewer) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	v.last.Store(time.Now().UnixNano())
	ns := &noSignalTimer{s: s, v: v, fail: cancel}
	ns.start()
	err := s.hub.Serve(ctx, v)
	if werr := ns.stop(); werr != nil {
		return werr
	}
	return err
}

// noSignalTimer is a stream's NO SIGNAL timer: serveViewer's.
type noSignalTimer struct {
	s    *Server
	v    *viewer
	fail context.CancelCauseFunc // ends the stream when a NO SIGNAL part can't be written

	mu      sync.Mutex // held by fire, so stop waits for a part being written
	t       *time.Timer
	stopped bool
	err     error // the failed write's
}

func (n *noSignalTimer) start() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.t = time.AfterFunc(n.s.cfg.NoSignalAfter, n.fire)
}

// stop stops the timer, waiting for a NO SIGNAL part being written, and
// returns the error of one that failed.
func (n *noSignalTimer) stop() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stopped = true
	n.t.Stop()
	return n.err
}

// fire writes the NO SIGNAL part when no part was written for
// NoSignalAfter and the camera is not streaming, and sets the timer again.
func (n *noSignalTimer) fire() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		return
	}
	after := n.s.cfg.NoSignalAfter
	idle := time.Since(time.Unix(0, n.v.last.Load()))
	if idle < after || n.s.cam.Status().State == camera.StateStreaming {
		// A part came since, or one is coming: look again when the
		// newest part is NoSignalAfter old, or soon.
		n.t.Reset(max(after-idle, after/10))
		return
	}
	jpeg, err := n.s.noSignal()
	if err != nil {
		n.s.log.Debug("no NO SIGNAL picture", "err", err)
	} else if err := n.v.writeNoSignal(jpeg); err != nil {
		n.err = err
		n.fail(err)
		return
	}
	n.t.Reset(after)
}
