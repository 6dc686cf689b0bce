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
	h.mu.Unlock()
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
