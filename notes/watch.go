package notes

import (
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// debounce is how long changes are gathered before subscribers are told.
const debounce = 100 * time.Millisecond

// Subscribe returns a channel that receives a value after notes in the
// directory are created, written, renamed, removed or have their mode
// changed. Bursts of changes within about 100 ms are coalesced, and a
// subscriber that is not receiving misses nothing but duplicates: the
// channel holds at most one pending notification. Call cancel when done;
// the channel is never closed.
func (d *Dir) Subscribe() (changes <-chan struct{}, cancel func()) {
	ch := make(chan struct{}, 1)
	d.mu.Lock()
	if !d.closed {
		d.subs[ch] = struct{}{}
	}
	d.mu.Unlock()
	return ch, func() {
		d.mu.Lock()
		delete(d.subs, ch)
		d.mu.Unlock()
	}
}

// watch turns watcher events into debounced notifications until the
// watcher is closed.
func (d *Dir) watch() {
	defer close(d.done)
	timer := time.NewTimer(debounce)
	timer.Stop()
	defer timer.Stop()
	pending := false
	for {
		changed := false
		select {
		case ev, ok := <-d.watcher.Events:
			if !ok {
				return
			}
			changed = isNote(ev.Name)
		case err, ok := <-d.watcher.Errors:
			if !ok {
				return
			}
			// Events were lost: anything may have changed.
			changed = errors.Is(err, fsnotify.ErrEventOverflow)
		case <-timer.C:
			pending = false
			d.notify()
		}
		if changed && !pending {
			pending = true
			timer.Reset(debounce)
		}
	}
}

// isNote reports whether an event for path may concern a note.
func isNote(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".md")
}

// notify wakes every subscriber without blocking.
func (d *Dir) notify() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for ch := range d.subs {
		select {
		case ch <- struct{}{}:
		default: // a notification is already pending
		}
	}
}
