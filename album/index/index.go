// Package index keeps one listing of the album for all of pistream: every
// SSH session's Photos screen and the web album page read the same
// snapshot, and the photo directory is listed once per change, not once
// per reader.
//
// An [Index] lists its [Source] (an *album.Album) when [Index.Run] starts
// and again whenever the source says it changed, at most once per
// [Throttle] in a burst of changes; the last change of a burst is always
// listed. Each listing is published as an immutable [Snapshot] with a
// version; a reader waits for the next one on the snapshot's Changed
// channel, which is closed when a newer snapshot exists, so nobody polls.
// Changes pistream makes itself (Save, Delete, Undo, Restore) close the
// album's channel before they return, so the index starts listing them at
// once; [Index.Fresh] waits for a listing that includes them.
package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"pistream/album"
)

// Throttle is the least time between the starts of two listings. A change
// is listed at once when the last listing started longer ago; in a burst
// (eight sessions taking 400 snapshots in a second) the album is listed a
// few times a second instead of once a photo.
const Throttle = 250 * time.Millisecond

// Source is what the index lists: an *album.Album.
type Source interface {
	// List returns the photos, newest first.
	List() ([]album.Photo, error)
	// Changed returns a channel closed at the next change; nil once the
	// source is closed.
	Changed() <-chan struct{}
}

// Snapshot is one listing of the album. It is shared by every reader and
// never modified: read Photos, never write to it.
type Snapshot struct {
	// Version counts the listings published: 0 before the first one.
	Version uint64
	// Photos are the album's photos, newest first (see album.List). Nil
	// when the listing failed.
	Photos []album.Photo
	// Err is why the listing failed; the next change lists again.
	Err error
	// Changed is closed when a newer snapshot is published or the index
	// stops. It is nil once the index has stopped: wait on it alongside a
	// context.
	Changed <-chan struct{}

	start uint64 // the listing's number among those started
	// seen is the source's Changed channel taken before this listing
	// began: once it is closed, the album has changed since.
	seen <-chan struct{}
}

// Index is the shared listing of one album. Its methods are safe for
// concurrent use.
type Index struct {
	src   Source
	every time.Duration // Throttle; tests shorten it

	listings atomic.Uint64 // listings made, for tests and benchmarks

	mu      sync.Mutex
	cur     Snapshot
	changed chan struct{} // cur.Changed, writable; nil once stopped
	started uint64        // listings started
	// startSeen is the source's channel the latest listing started took.
	startSeen <-chan struct{}
	running   bool
}

// New returns an index of src that lists nothing until Run.
func New(src Source) *Index {
	ch := make(chan struct{})
	return &Index{src: src, every: Throttle, changed: ch, cur: Snapshot{Changed: ch}}
}

// Run lists the source now and again after each change, throttled, until
// ctx ends; then it wakes every reader and returns. Call it once, from
// the goroutine of the owner that awaits it.
func (x *Index) Run(ctx context.Context) {
	x.mu.Lock()
	if x.running || x.changed == nil {
		x.mu.Unlock()
		panic("index: Run called twice")
	}
	x.running = true
	x.mu.Unlock()
	defer x.stop()

	var last time.Time // when the last listing started
	for {
		if wait := time.Until(last.Add(x.every)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		last = time.Now()
		seen := x.list()
		select {
		case <-seen: // nil once the source is closed: then only ctx ends it
		case <-ctx.Done():
			return
		}
	}
}

// list lists the source once and publishes the snapshot, returning the
// source's channel taken before listing.
func (x *Index) list() <-chan struct{} {
	x.mu.Lock()
	x.started++
	start := x.started
	// Taken before listing, no change slips in between; and under x.mu,
	// so Fresh knows whether the listing under way is new enough.
	seen := x.src.Changed()
	x.startSeen = seen
	x.mu.Unlock()
	photos, err := x.src.List()
	x.listings.Add(1)
	if err != nil {
		photos, err = nil, fmt.Errorf("album index: %w", err)
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	if x.changed == nil {
		return seen // stopped meanwhile
	}
	next := make(chan struct{})
	x.cur = Snapshot{Version: x.cur.Version + 1, Photos: slices.Clip(photos), Err: err,
		Changed: next, start: start, seen: seen}
	close(x.changed)
	x.changed = next
	return seen
}

// stop wakes the readers of the current snapshot; later snapshots have a
// nil Changed.
func (x *Index) stop() {
	x.mu.Lock()
	defer x.mu.Unlock()
	close(x.changed)
	x.changed = nil
	x.cur.Changed = nil
}

// Snapshot returns the newest snapshot at once, whether or not the album
// changed since it was listed. Wait on its Changed for the next one.
func (x *Index) Snapshot() Snapshot {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.cur
}

// Fresh returns a snapshot that includes every change the source had
// announced when Fresh was called, such as a photo Save, Delete or Undo
// has just returned from: the newest snapshot if nothing changed since its
// listing began, else the first whose listing began after those changes.
// It waits for at
// most a Throttle and a listing once Run runs, unless ctx ends first or
// the index has stopped; then it returns the newest snapshot with the
// reason.
func (x *Index) Fresh(ctx context.Context) (Snapshot, error) {
	s, need, stopped := x.wanted()
	if need == 0 {
		return s, nil
	}
	if stopped {
		return s, fmt.Errorf("album index: %w", errStopped)
	}
	for s.start < need {
		if s.Changed == nil {
			return s, fmt.Errorf("album index: %w", errStopped)
		}
		select {
		case <-s.Changed:
		case <-ctx.Done():
			return s, fmt.Errorf("album index: %w", ctx.Err())
		}
		s = x.Snapshot()
	}
	return s, nil
}

// wanted returns the newest snapshot and, unless it holds every change
// the source has announced (need 0), the number of the first listing
// that will; and whether the index has stopped.
func (x *Index) wanted() (s Snapshot, need uint64, stopped bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	s = x.cur
	if s.Version > 0 && !isClosed(s.seen) {
		return s, 0, false
	}
	// A listing under way that began after the last change will do;
	// otherwise Run lists again once it (or its wait) is over.
	need = x.started
	if need == s.start || isClosed(x.startSeen) {
		need++
	}
	return s, need, x.changed == nil
}

// errStopped is Fresh's error once Run has returned.
var errStopped = errors.New("stopped")

// Listings returns how many times the index has listed the album.
func (x *Index) Listings() uint64 { return x.listings.Load() }

// isClosed reports whether ch is closed; a nil channel is not.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
