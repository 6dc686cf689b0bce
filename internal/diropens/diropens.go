//go:build linux

// Package diropens counts how often a directory is opened, as every
// listing of it opens it, whoever lists it: the test sees the listings of
// a running pistream from outside, through inotify's IN_OPEN on the
// directory itself. Only tests and benchmarks import it.
//
// The kernel merges an event into the one queued before it when the two
// are alike and that one is still unread. Closes are watched too, so one
// lister's open, close, open, close are all counted; opens by several
// listers at the same instant may merge, so the count is exact for one
// lister at a time and a lower bound for many.
package diropens

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// marker is the hidden file Count opens to know that the events before
// it have been read; hidden, so an album ignores it.
const marker = ".diropens-marker"

// Counter counts the opens of one directory.
type Counter struct {
	dir  string
	f    *os.File // the inotify instance, read through Go's poller
	done chan struct{}

	mu      sync.Mutex
	cond    *sync.Cond
	opens   int64 // of the directory itself
	markers int64 // of the marker file
	err     error // the reader's, once it has stopped
}

// Watch starts counting the opens of dir from now on. Call Close when
// done.
func Watch(dir string) (*Counter, error) {
	if err := os.WriteFile(filepath.Join(dir, marker), nil, 0o644); err != nil {
		return nil, fmt.Errorf("count opens of %s: %w", dir, err)
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("count opens of %s: inotify: %w", dir, err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_OPEN|unix.IN_CLOSE_NOWRITE|unix.IN_ONLYDIR); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("count opens of %s: %w", dir, err)
	}
	c := &Counter{dir: dir, f: os.NewFile(uintptr(fd), "inotify"), done: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	go c.read()
	return c, nil
}

// read counts events until the instance is closed.
func (c *Counter) read() {
	defer close(c.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := c.f.Read(buf)
		if err != nil {
			c.mu.Lock()
			c.err = err
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		var opens, markers int64
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			name = bytes.TrimRight(name, "\x00")
			switch {
			case ev.Mask&unix.IN_Q_OVERFLOW != 0:
				c.mu.Lock()
				c.err = errors.New("inotify queue overflow: opens lost")
				c.mu.Unlock()
			case ev.Mask&unix.IN_OPEN == 0:
				// a close: only there to keep opens apart
			case len(name) == 0:
				opens++
			case string(name) == marker:
				markers++
			}
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
		c.mu.Lock()
		c.opens += opens
		c.markers += markers
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

// Count returns the opens of the directory so far: every open made
// before the call is counted. It fails if opens may have been lost or
// the counter has stopped.
func (c *Counter) Count() (int64, error) {
	c.mu.Lock()
	want := c.markers + 1
	c.mu.Unlock()
	// Events come in order: once the marker's open is read, so are the
	// opens before it.
	f, err := os.Open(filepath.Join(c.dir, marker))
	if err != nil {
		return 0, fmt.Errorf("count opens of %s: %w", c.dir, err)
	}
	f.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.markers < want && c.err == nil {
		c.cond.Wait()
	}
	if c.err != nil {
		return c.opens, fmt.Errorf("count opens of %s: %w", c.dir, c.err)
	}
	return c.opens, nil
}

// Close stops counting and removes the marker file.
func (c *Counter) Close() error {
	err := c.f.Close()
	<-c.done
	return errors.Join(err, os.Remove(filepath.Join(c.dir, marker)))
}
