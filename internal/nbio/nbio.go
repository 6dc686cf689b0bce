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

// Writev writes bufs in order to c with raw writev calls, waiting through
// the poller (and its write deadline) when the descriptor is full. It
// returns the number of bytes written.
func Writev(c syscall.Conn, bufs [][]byte) (int64, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var (
		total int64
		errno syscall.Errno
	)
	for len(bufs) > 0 {
		bufs = skipEmpty(bufs)
		if len(bufs) == 0 {
			break
		}
		var n int
		err = rc.Write(func(fd uintptr) bool {
			n, errno = rawWritev(fd, bufs)
			return errno != syscall.EAGAIN
		})
		if err != nil {
			return total, err
		}
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return total, errno
		}
		total += int64(n)
		bufs = consume(bufs, n)
	}
	return total, nil
}

// TryWritev makes one raw writev of bufs to c without waiting: it returns
// how many bytes were written, 0 when c can take none now.
func TryWritev(c syscall.Conn, bufs [][]byte) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var (
		n     int
		errno syscall.Errno
	)
	err = rc.Write(func(fd uintptr) bool {
		n, errno = rawWritev(fd, skipEmpty(bufs))
		return true // never wait
	})
	switch {
	case err != nil:
		return 0, err
	case errno == syscall.EAGAIN || errno == syscall.EINTR:
		return 0, nil
	case errno != 0:
		return 0, errno
	}
	return n, nil
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
