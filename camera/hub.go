package camera

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Frame is one encoded camera frame. A Frame handed out by the Hub is never
// modified afterwards: consumers may keep it and read JPEG from any goroutine.
type Frame struct {
	JPEG   []byte    // a complete JPEG image (FF D8 … FF D9)
	Time   time.Time // when the frame was captured
	Seq    uint64    // 1 for the first frame, then +1 per frame
	Width  int
	Height int
}

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
	subs    int
	subsCh  chan struct{} // closed and replaced when subs changes
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{changed: make(chan struct{}), subsCh: make(chan struct{})}
}

// Publish makes f the newest frame and wakes every subscriber. f must not be
// modified afterwards.
func (h *Hub) Publish(f *Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.latest = f
	close(h.changed)
	h.changed = make(chan struct{})
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
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	close(h.changed)
}

// Subscribers is the number of open subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subs
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
	last   uint64
	closed bool
}

// Subscribe starts a subscription. Its first Next returns the current frame
// if there is one. Close it when done.
func (h *Hub) Subscribe() *Subscription {
	h.addSubs(1)
	return &Subscription{hub: h}
}

func (h *Hub) addSubs(d int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs += d
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
	s.hub.addSubs(-1)
}
