package album

import (
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// debounce is how long the watcher gathers file system events before it
// wakes subscribers, so that copying many files wakes them a few times, not
// once a file.
const debounce = 100 * time.Millisecond

// Subscribe returns a channel that receives a value whenever the album
// changes: through Save, Delete or Undo of this Album, or by another
// program adding, changing or removing photos (reported at most about every
// 100 ms). The channel holds one value, so wake-ups that the receiver has
// not yet taken coalesce; on waking, call List.
//
// The returned func cancels the subscription and closes the channel;
// Close closes it as well. Calling the func more than once is harmless.
func (a *Album) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	a.subMu.Lock()
	defer a.subMu.Unlock()
	if a.subs == nil { // closed
		close(ch)
		return ch, func() {}
	}
	a.subs[ch] = struct{}{}
	return ch, sync.OnceFunc(func() {
		a.subMu.Lock()
		defer a.subMu.Unlock()
		if _, ok := a.subs[ch]; ok {
			delete(a.subs, ch)
			close(ch)
		}
	})
}

// notify wakes every subscriber that is not already due to wake.
func (a *Album) notify() {
	a.subMu.Lock()
	defer a.subMu.Unlock()
	for ch := range a.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// watch turns the watcher's events into notifications, at most one per
// debounce interval, until the watcher is closed.
//
// The watcher watches the photo directory and its parent, which tells when
// the directory itself is removed or created. When it is created again (by
// Save or by anyone), watch watches it again; openRoot does so too.
func (a *Album) watch() {
	var due <-chan time.Time // non-nil while a notification is pending
	for {
		select {
		case ev, ok := <-a.watcher.Events:
			if !ok {
				return
			}
			if ev.Name == a.dir && ev.Has(fsnotify.Create) {
				// Should this fail, openRoot tries again when it re-opens the directory.
				_ = a.watcher.Add(a.dir)
			}
			if a.relevant(ev) && due == nil {
				due = time.After(debounce)
			}
		case _, ok := <-a.watcher.Errors:
			if !ok {
				return
			}
			// Mostly an event queue overflow: changes may have gone
			// unreported, so let subscribers look.
			if due == nil {
				due = time.After(debounce)
			}
		case <-due:
			due = nil
			a.notify()
		}
	}
}

// relevant reports whether ev may change what List returns: it concerns
// the photo directory itself or a file in it with a valid photo name (so
// not temp files or the trash).
func (a *Album) relevant(ev fsnotify.Event) bool {
	if ev.Name == a.dir {
		return true
	}
	return filepath.Dir(ev.Name) == a.dir && ValidName(filepath.Base(ev.Name)) == nil
}
