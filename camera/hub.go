package camera

import (
	"context"
	"errors"
	"sync"
)

// ErrHubClosed is returned by Subscription.Next once the hub is closed.
var ErrHubClosed = errors.New("camera hub closed")

// Hub holds the newest frame and wakes its subscribers when a new one
// arrives. It never queues: a subscriber slower than the camera skips to the
// newest frame, so memory is bounded by one frame per subscriber whatever
// their number and speed, and no subscriber can slow the publisher.
type Hub struct {
	mu      sync.Mutex
	latest  *Frame
	changed chan struct{} // closed and replaced on every Publish or Close
	closed  bool
	subs    int           // open subscriptions
	jpegs   int           // of which want every frame's JPEG
	subsCh  chan struct{} // closed and replaced when subs changes
	served  []*served     // Serve calls running; replaced, never modified
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{changed: make(chan struct{}), subsCh: make(chan struct{})}
}

// Publish makes f the newest frame and wakes every subscriber. f must not be
// modified afterwards. The frame it replaces is retired: its raw pixels
// are freed once nobody uses them.
func (h *Hub) Publish(f *Frame) {
	h.mu.Lock()
	old := h.latest
	if h.closed {
		old = f
	} else {
		h.latest = f
		close(h.changed)
		h.changed = make(chan struct{})
	}
	served := h.served
	h.mu.Unlock()
	for _, sv := range served {
		sv.offer(f)
	}
	old.retire()
}

// Latest returns the newest frame, or nil before the first one.
func (h *Hub) Latest() *Frame {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.latest
}

// Close wakes every subscriber with ErrHubClosed; later Publish calls are
// ignored.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	close(h.changed)
	latest := h.latest
	for _, sv := range h.served {
		sv.wake()
	}
	h.mu.Unlock()
	latest.retire()
}

// Subscribers is the number of open subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subs
}

// WantsJPEG reports whether a subscriber wants every frame's JPEG, so the
// camera encodes frames before publishing them.
func (h *Hub) WantsJPEG() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.jpegs > 0
}

// WaitSubscribed blocks until the hub has at least one subscriber or ctx ends.
func (h *Hub) WaitSubscribed(ctx context.Context) error {
	for {
		h.mu.Lock()
		n, ch := h.subs, h.subsCh
		h.mu.Unlock()
		if n > 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Subscription follows the hub's newest frame. It is used by one goroutine.
type Subscription struct {
	hub    *Hub
	jpeg   bool
	last   uint64
	closed bool
}

// Subscribe starts a subscription of a consumer of every frame's JPEG (a
// /stream viewer): while it is open, frames are encoded as they come. Its
// first Next returns the current frame if there is one. Close it when done.
func (h *Hub) Subscribe() *Subscription {
	h.addSubs(1, true)
	return &Subscription{hub: h, jpeg: true}
}

// Watch starts a subscription that keeps the camera open and follows its
// frames without asking for them to be encoded ahead (a snapshot, a
// preview): whatever such a consumer needs, it makes from the frame.
func (h *Hub) Watch() *Subscription {
	h.addSubs(1, false)
	return &Subscription{hub: h}
}

func (h *Hub) addSubs(d int, jpeg bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs += d
	if jpeg {
		h.jpegs += d
	}
	close(h.subsCh)
	h.subsCh = make(chan struct{})
}

// Next returns the newest frame not yet returned by this subscription,
// waiting for one if needed. Frames published while the subscriber was busy
// are skipped, not queued.
func (s *Subscription) Next(ctx context.Context) (*Frame, error) {
	for {
		s.hub.mu.Lock()
		f, ch, closed := s.hub.latest, s.hub.changed, s.hub.closed
		s.hub.mu.Unlock()
		if closed {
			return nil, ErrHubClosed
		}
		if f != nil && f.Seq > s.last {
			s.last = f.Seq
			return f, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.hub.addSubs(-1, s.jpeg)
}

// A Receiver takes every frame's JPEG for Serve: a /stream viewer.
type Receiver interface {
	// TryReceive is called by the publisher with each new frame, and must
	// not block or encode: it reports whether it is done with f (sent it
	// whole, or skipped it for good). When it reports false, Serve calls
	// Receive with the newest frame from its own goroutine.
	TryReceive(f *Frame) bool
	// Receive takes f, blocking as long as it needs; an error ends Serve.
	Receive(f *Frame) error
}

// served is one Serve call's state.
type served struct {
	r    Receiver
	mu   sync.Mutex // held while r receives, by Serve or by the publisher
	last uint64     // Seq of the newest frame r is done with
	woke chan struct{}
}

// offer gives f to the receiver in the publisher's goroutine if it is free
// and takes it now, else wakes Serve to give it the newest frame.
func (sv *served) offer(f *Frame) {
	if sv.mu.TryLock() {
		done := f.Seq <= sv.last || sv.r.TryReceive(f)
		if done {
			sv.last = max(sv.last, f.Seq)
		}
		sv.mu.Unlock()
		if done {
			return
		}
	}
	sv.wake()
}

func (sv *served) wake() {
	select {
	case sv.woke <- struct{}{}:
	default:
	}
}

// Serve gives r every frame's JPEG until ctx ends (it returns ctx's
// error), the hub closes (ErrHubClosed) or Receive fails (its error). It
// counts as a subscription that wants every frame's JPEG. The current
// frame, if there is one, is received first.
//
// Serve differs from Subscribe and Next in who does the work: the
// publisher hands each frame to TryReceive itself, so a viewer that keeps
// up costs no goroutine switch per frame (on a Pi, the largest part of a
// passed-through frame's cost); only a receiver that is busy or can't take
// a frame at once is woken to take the newest one. Like Next, it never
// queues: frames published while r was busy are skipped.
func (h *Hub) Serve(ctx context.Context, r Receiver) error {
	sv := &served{r: r, woke: make(chan struct{}, 1)}
	sv.woke <- struct{}{} // the current frame first
	h.addServed(sv, 1)
	defer h.addServed(sv, -1)
	for {
		select {
		case <-sv.woke:
		case <-ctx.Done():
			return ctx.Err()
		}
		h.mu.Lock()
		f, closed := h.latest, h.closed
		h.mu.Unlock()
		if closed {
			return ErrHubClosed
		}
		if err := sv.receive(f); err != nil {
			return err
		}
	}
}

// receive has the receiver take f (nil: none yet) in Serve's goroutine,
// unless it is done with it already.
func (sv *served) receive(f *Frame) error {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if f == nil || f.Seq <= sv.last {
		return nil
	}
	sv.last = f.Seq
	return sv.r.Receive(f)
}

// addServed adds (d = 1) or removes (d = -1) a Serve call.
func (h *Hub) addServed(sv *served, d int) {
	h.mu.Lock()
	list := make([]*served, 0, len(h.served)+d)
	for _, o := range h.served {
		if o != sv {
			list = append(list, o)
		}
	}
	if d > 0 {
		list = append(list, sv)
	}
	h.served = list
	h.mu.Unlock()
	h.addSubs(d, true)
}
