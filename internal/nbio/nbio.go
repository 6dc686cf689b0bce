// Package nbio reads and writes non-blocking descriptors (pipes, sockets)
// the way the Go runtime's poller does, but with raw system calls: a read
// or write that cannot block need not tell the scheduler it enters a
// system call.
//
// Why: when every P is idle, the runtime's monitor thread (sysmon) sleeps,
// and the next ordinary system call wakes it, after which it spins for a
// while before sleeping again. A camera at 30 frames a second that is read
// from a pipe and written to a socket goes idle between frames, so every
// frame paid for that wake: on the test machine about a quarter of what
// pistream spends on a passed-through frame. Data is still waited for
// through the poller (syscall.RawConn), with deadlines honoured.
//
// Only for descriptors in non-blocking mode, which is what os.Pipe, os/exec
// pipes and net connections are; a blocking one would hold its P.
package nbio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Reader reads c with raw read calls through its poller.
type Reader struct {
	rc syscall.RawConn
}

// NewReader returns a Reader of c, or an error when c has no raw
// connection.
func NewReader(c syscall.Conn) (*Reader, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &Reader{rc: rc}, nil
}

// Read reads into p, waiting through the poller while nothing is there.
// At the end of the input it returns io.EOF.
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var (
		n     int
		errno syscall.Errno
	)
	err := r.rc.Read(func(fd uintptr) bool {
		n, errno = rawRead(fd, p)
		return errno != syscall.EAGAIN
	})
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return 0, err
	case err != nil:
		// The poller's other error: the descriptor is closed (its own
		// error is internal; os.File.Read names it os.ErrClosed).
		return 0, fmt.Errorf("%w (%v)", os.ErrClosed, err)
	case errno == syscall.EINTR:
		return 0, nil
	case errno != 0:
		return 0, errno
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Writer writes to one connection with raw writev calls through its
// poller. It allocates nothing per write; it is not for concurrent use.
type Writer struct {
	rc    syscall.RawConn
	wait  func(fd uintptr) bool // one writev; false (wait) on EAGAIN
	once  func(fd uintptr) bool // one writev; never waits
	bufs  [][]byte              // what the current call writes
	n     int
	errno syscall.Errno
}

// NewWriter returns a Writer of c, or an error when c has no raw
// connection.
func NewWriter(c syscall.Conn) (*Writer, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	w := &Writer{rc: rc}
	w.wait = func(fd uintptr) bool { w.writev(fd); return w.errno != syscall.EAGAIN }
	w.once = func(fd uintptr) bool { w.writev(fd); return true }
	return w, nil
}

func (w *Writer) writev(fd uintptr) { w.n, w.errno = rawWritev(fd, w.bufs) }

// Writev writes bufs in order, waiting through the poller (and the
// connection's write deadline) when it is full. It returns the number of
// bytes written.
func (w *Writer) Writev(bufs [][]byte) (int64, error) {
	defer func() { w.bufs = nil }() // keep no frame alive
	var total int64
	for {
		if w.bufs = skipEmpty(bufs); len(w.bufs) == 0 {
			return total, nil
		}
		if err := w.rc.Write(w.wait); err != nil {
			return total, err
		}
		switch {
		case w.errno == syscall.EINTR:
			continue
		case w.errno != 0:
			return total, w.errno
		}
		total += int64(w.n)
		bufs = consume(w.bufs, w.n)
	}
}

// TryWritev makes one writev of bufs without waiting: it returns how many
// bytes were written, 0 when the connection can take none now.
func (w *Writer) TryWritev(bufs [][]byte) (int, error) {
	defer func() { w.bufs = nil }()
	w.bufs = skipEmpty(bufs)
	err := w.rc.Write(w.once)
	switch {
	case err != nil:
		return 0, err
	case w.errno == syscall.EAGAIN || w.errno == syscall.EINTR:
		return 0, nil
	case w.errno != 0:
		return 0, w.errno
	}
	return w.n, nil
}

// Consume drops the first n bytes of bufs, in place, and returns what is
// left.
func Consume(bufs [][]byte, n int) [][]byte { return consume(skipEmpty(bufs), n) }

// skipEmpty drops empty buffers at the front.
func skipEmpty(bufs [][]byte) [][]byte {
	for len(bufs) > 0 && len(bufs[0]) == 0 {
		bufs = bufs[1:]
	}
	return bufs
}

// consume drops the first n bytes of bufs.
func consume(bufs [][]byte, n int) [][]byte {
	for n > 0 && len(bufs) > 0 {
		if n < len(bufs[0]) {
			bufs[0] = bufs[0][n:]
			return bufs
		}
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	return bufs
}
