// Package dirwatch tells when the files in one directory change, whether
// another program changed them (seen through fsnotify) or this process did
// (told through [Watcher.Touch]).
//
// Changes are broadcast without subscriptions: [Watcher.Changed] returns a
// channel that is closed at the next change and then replaced, so a waiter
// takes the channel, looks at the directory, and waits for the channel;
// once it is closed it asks for the new one. Nobody has anything to cancel,
// and a waiter that stops waiting costs nothing.
//
// Bursts of file system events are gathered for [Debounce] before they are
// broadcast, so copying many files wakes waiters a few times, not once a
// file. A change announced by Touch is broadcast at once, and the file
// system's echo of it (events for the names passed to Touch, arriving
// within [EchoWindow]) wakes nobody a second time.
//
// The directory may be removed and created again: the watcher also watches
// the parent directory, reports the removal and the creation as changes, and
// watches the new directory from then on. Events lost by the kernel (an
// event queue overflow) or any other watch error are reported as a change,
// as anything may have changed.
package dirwatch

import (
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Debounce is how long file system events are gathered before waiters are
// woken.
const Debounce = 100 * time.Millisecond

// EchoWindow is how long after Touch events for the names it was given are
// taken for the echo of that change, not for a new one.
const EchoWindow = time.Second

// Watcher watches one directory. Its methods are safe for concurrent use.
type Watcher struct {
	dir      string
	relevant func(name string) bool
	fsw      *fsnotify.Watcher
	done     chan struct{} // closed when the event loop has returned

	mu      sync.Mutex
	changed chan struct{}        // closed and replaced on each change; nil once closed
	touched map[string]time.Time // names passed to Touch, and when
	closed  bool
}

// New starts watching the directory dir, which must exist. relevant
// reports, for the base name of a file in dir, whether changes to it
// matter; nil means they all do. Changes to dir itself (its removal or
// creation) always matter. Call Close when done.
func New(dir string, relevant func(name string) bool) (*Watcher, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", abs, err)
	}
	if err := fsw.Add(abs); err != nil {
		_ = fsw.Close() // the error worth reporting is err
		return nil, fmt.Errorf("watch %s: %w", abs, err)
	}
	// The parent's watch tells when the directory itself is removed or
	// created: the directory's own watch reports its removal only once no
	// descriptor holds it open. Best effort: without it only those two
	// events go unreported.
	if parent := filepath.Dir(abs); parent != abs {
		_ = fsw.Add(parent)
	}
	if relevant == nil {
		relevant = func(string) bool { return true }
	}
	w := &Watcher{
		dir:      abs,
		relevant: relevant,
		fsw:      fsw,
		done:     make(chan struct{}),
		changed:  make(chan struct{}),
		touched:  make(map[string]time.Time),
	}
	go w.loop()
	return w, nil
}

// Dir returns the absolute path of the watched directory.
func (w *Watcher) Dir() string { return w.dir }

// Changed returns a channel that is closed at the next change. Take it
// before looking at the directory, so that no change slips in between.
// Close closes the channel current then; after Close, Changed returns nil,
// a channel that never becomes ready, so wait on it alongside a context.
func (w *Watcher) Changed() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changed
}

// Touch wakes every waiter at once, for a change this process made itself.
// names are the base names of the files it created, changed or removed:
// file system events for them within EchoWindow are its echo and wake
// nobody again. A change by another program to one of those names within
// that window goes unreported, which is why the window is short.
func (w *Watcher) Touch(names ...string) {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.pruneLocked(now) // so that the map stays small should no event come
	for _, name := range names {
		w.touched[name] = now
	}
	w.broadcastLocked()
}

// Rewatch watches the directory again, for a caller that has just created
// it anew: the watcher does so by itself when it sees the creation, but
// changes made before then would go unreported. It does nothing after
// Close.
func (w *Watcher) Rewatch() error {
	w.mu.Lock()
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return nil
	}
	if err := w.fsw.Add(w.dir); err != nil {
		return fmt.Errorf("watch %s again: %w", w.dir, err)
	}
	return nil
}

// Close stops watching, wakes the waiters of the current channel and
// returns once the watcher's goroutine has ended. Later calls do nothing.
func (w *Watcher) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.changed)
	w.changed = nil
	w.mu.Unlock()

	err := w.fsw.Close()
	<-w.done
	if err != nil {
		return fmt.Errorf("stop watching %s: %w", w.dir, err)
	}
	return nil
}

// broadcastLocked closes the current channel and makes the next one. w.mu
// must be held and w not closed.
func (w *Watcher) broadcastLocked() {
	close(w.changed)
	w.changed = make(chan struct{})
}
