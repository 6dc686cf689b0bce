package dirwatch

import (
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// maxPending bounds the names a pending batch remembers; beyond it, the
// batch is broadcast whatever Touch said.
const maxPending = 64

// batch is the file system events gathered during one debounce interval.
type batch struct {
	names map[string]struct{} // relevant names changed
	other bool                // a change not tied to a name: the directory itself, lost events
}

// add records name, or an unnamed change for "".
func (b *batch) add(name string) {
	if name == "" || len(b.names) >= maxPending {
		b.other = true
		return
	}
	if b.names == nil {
		b.names = make(map[string]struct{})
	}
	b.names[name] = struct{}{}
}

// loop turns the fsnotify events into broadcasts, at most one per Debounce
// interval, until the fsnotify watcher is closed.
func (w *Watcher) loop() {
	defer close(w.done)
	var (
		pending batch
		due     <-chan time.Time // non-nil while a batch is pending
	)
	for {
		name, ok := "", true
		select {
		case ev, open := <-w.fsw.Events:
			if !open {
				return
			}
			name, ok = w.classify(ev)
			if !ok {
				continue
			}
		case _, open := <-w.fsw.Errors:
			if !open {
				return
			}
			// Mostly an event queue overflow: changes may have gone
			// unreported.
		case <-due:
			due = nil
			w.flush(pending)
			pending = batch{}
			continue
		}
		pending.add(name)
		if due == nil {
			due = time.After(Debounce)
		}
	}
}

// classify reports whether ev matters and, if it concerns a file in the
// directory, that file's base name ("" for the directory itself). When the
// directory is created again, it is watched again.
func (w *Watcher) classify(ev fsnotify.Event) (name string, ok bool) {
	if ev.Name == w.dir {
		if ev.Has(fsnotify.Create) {
			// Should this fail, the next creation tries again.
			_ = w.fsw.Add(w.dir)
		}
		return "", true
	}
	if filepath.Dir(ev.Name) != w.dir {
		return "", false // another entry of the parent
	}
	base := filepath.Base(ev.Name)
	return base, w.relevant(base)
}

// flush broadcasts the batch b unless all it holds is the echo of Touch.
func (w *Watcher) flush(b batch) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.pruneLocked(time.Now())
	news := b.other
	for name := range b.names {
		if _, echo := w.touched[name]; !echo {
			news = true
		}
	}
	if news {
		w.broadcastLocked()
	}
}

// pruneLocked forgets the names touched longer than EchoWindow before now.
// w.mu must be held.
func (w *Watcher) pruneLocked(now time.Time) {
	for name, at := range w.touched {
		if now.Sub(at) > EchoWindow {
			delete(w.touched, name)
		}
	}
}
