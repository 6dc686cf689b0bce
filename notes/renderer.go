package notes

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
)

// Defaults of [NewRenderer], the ones pistream uses.
const (
	// DefaultParallel is how many notes render at once: one. A
	// pathological note takes tens of MB of heap while glamour renders it,
	// and a Raspberry Pi has 512 MB to 1 GB.
	DefaultParallel = 1
	// DefaultCacheBytes is how much rendered text the cache keeps.
	DefaultCacheBytes = 8 << 20
)

var errClosed = errors.New("render note: the renderer is closed")

// Renderer renders notes for every session of the TUI at once. A note is
// rendered once per (content, width, style): callers asking for a
// rendering in flight wait for it, and recent renderings are kept in a
// small cache, least recently used first out. At most parallel renderings
// run at once; the others wait their turn, and one whose callers have all
// given up (their context ended) leaves the queue without running. A
// rendering that has started runs to its end (glamour cannot be stopped;
// [Render] bounds its time) and is cached.
//
// Its methods are safe for concurrent use. Close it when done.
type Renderer struct {
	sem    chan struct{} // a token per rendering running
	log    *log.Logger   // nil: no log
	render func(markdown string, width int, dark bool) (string, error)

	ctx    context.Context // ends at Close: queued renderings give up
	stop   context.CancelFunc
	wg     sync.WaitGroup // the renderings' goroutines
	starts atomic.Int64   // renderings started

	mu      sync.Mutex
	closed  bool
	flights map[renderKey]*flight
	cache   byteLRU
}

// renderKey is what a rendering depends on.
type renderKey struct {
	sum   [sha256.Size]byte // of the markdown
	width int
	dark  bool
}

// flight is one rendering, running or queued, and who waits for it.
type flight struct {
	done    chan struct{} // closed when out and err are set
	out     string
	err     error
	waiters int
	cancel  context.CancelFunc // gives up the rendering if still queued
}

// NewRenderer returns a Renderer running at most parallel renderings at
// once (at least one) and caching up to cacheBytes of rendered text. It
// logs each rendering on logger at debug level, if logger is not nil.
func NewRenderer(parallel, cacheBytes int, logger *log.Logger) *Renderer {
	ctx, stop := context.WithCancel(context.Background())
	return &Renderer{
		sem:     make(chan struct{}, max(parallel, 1)),
		log:     logger,
		render:  Render,
		ctx:     ctx,
		stop:    stop,
		flights: make(map[renderKey]*flight),
		cache:   newByteLRU(cacheBytes),
	}
}

// Render returns markdown rendered as [Render] does, from the cache, from
// a rendering in flight, or rendered now when its turn comes. It returns
// early, with an error wrapping ctx.Err(), when ctx ends first.
func (r *Renderer) Render(ctx context.Context, markdown string, width int, dark bool) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("render note: %w", err)
	}
	k := renderKey{sum: sha256.Sum256([]byte(markdown)), width: max(width, MinWidth), dark: dark}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return "", errClosed
	}
	if out, ok := r.cache.get(k); ok {
		r.mu.Unlock()
		return out, nil
	}
	f := r.flights[k]
	if f == nil {
		fctx, cancel := context.WithCancel(r.ctx)
		f = &flight{done: make(chan struct{}), cancel: cancel}
		r.flights[k] = f
		r.wg.Go(func() { r.run(fctx, k, f, markdown) })
	}
	f.waiters++
	r.mu.Unlock()

	select {
	case <-f.done:
		return f.out, f.err
	case <-ctx.Done():
		r.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel() // leaves the queue, if still in it
			if r.flights[k] == f {
				delete(r.flights, k) // the next caller starts afresh
			}
		}
		r.mu.Unlock()
		return "", fmt.Errorf("render note: %w", ctx.Err())
	}
}

// run renders f's note when its turn comes, unless ctx ends first, and
// hands the result to f's waiters and the cache.
func (r *Renderer) run(ctx context.Context, k renderKey, f *flight, markdown string) {
	defer f.cancel()
	out, err := r.renderInTurn(ctx, markdown, k.width, k.dark)
	r.mu.Lock()
	if r.flights[k] == f {
		delete(r.flights, k)
	}
	if err == nil {
		r.cache.add(k, out)
	}
	f.out, f.err = out, err
	r.mu.Unlock()
	close(f.done)
}

// renderInTurn waits for a free slot, unless ctx ends first, and renders.
func (r *Renderer) renderInTurn(ctx context.Context, markdown string, width int, dark bool) (string, error) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("render note: %w", ctx.Err())
	}
	defer func() { <-r.sem }()
	if err := ctx.Err(); err != nil { // given up while both were ready
		return "", fmt.Errorf("render note: %w", err)
	}
	r.starts.Add(1)
	running := len(r.sem) // with this one
	start := time.Now()
	out, err := r.render(markdown, width, dark)
	if r.log != nil {
		r.log.Debug("note rendered", "bytes", len(markdown), "width", width, "dark", dark,
			"running", running, "took", time.Since(start).Round(time.Millisecond), "out", len(out), "err", err)
	}
	return out, err
}

// Renders is how many renderings have started since the Renderer was made.
func (r *Renderer) Renders() int64 { return r.starts.Load() }

// Close gives up the queued renderings and waits for the running ones.
func (r *Renderer) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.stop()
	r.wg.Wait()
}

// byteLRU is a cache of rendered notes bounded by the bytes of text it
// holds, dropping the least recently used first. Its user locks it.
type byteLRU struct {
	limit, size int
	order       *list.List // of *lruEntry, most recently used first
	entries     map[renderKey]*list.Element
}

type lruEntry struct {
	key renderKey
	out string
}

func newByteLRU(limit int) byteLRU {
	return byteLRU{limit: limit, order: list.New(), entries: make(map[renderKey]*list.Element)}
}

func (c *byteLRU) get(k renderKey) (string, bool) {
	e, ok := c.entries[k]
	if !ok {
		return "", false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).out, true
}

// add keeps out under k, unless it is larger than half the limit: one
// huge rendering does not push out every other.
func (c *byteLRU) add(k renderKey, out string) {
	if len(out) > c.limit/2 {
		return
	}
	if _, ok := c.entries[k]; ok {
		return
	}
	c.entries[k] = c.order.PushFront(&lruEntry{key: k, out: out})
	c.size += len(out)
	for c.size > c.limit {
		e := c.order.Back()
		old := c.order.Remove(e).(*lruEntry)
		delete(c.entries, old.key)
		c.size -= len(old.out)
	}
}
