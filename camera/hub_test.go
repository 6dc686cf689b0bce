package camera

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func frame(seq uint64) *Frame {
	return NewJPEGFrame([]byte{0xFF, 0xD8, byte(seq), 0xFF, 0xD9}, seq, time.Now(), 1, 1)
}

func TestSubscriptionSkipsToNewest(t *testing.T) {
	h := NewHub()
	sub := h.Subscribe()
	defer sub.Close()
	for i := uint64(1); i <= 5; i++ {
		h.Publish(frame(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	f, err := sub.Next(ctx)
	if err != nil || f.Seq != 5 {
		t.Fatalf("Next = %v, %v; want frame 5 (the newest, not the oldest)", f, err)
	}
	// Nothing newer: Next waits, then gives up with the context.
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if f, err := sub.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next with nothing new = %v, %v; want deadline exceeded", f, err)
	}
	h.Publish(frame(6))
	if f, err := sub.Next(ctx); err != nil || f.Seq != 6 {
		t.Fatalf("Next after publish = %v, %v; want frame 6", f, err)
	}
}

func TestHubCountsSubscribersAndWakesOnClose(t *testing.T) {
	h := NewHub()
	if n := h.Subscribers(); n != 0 {
		t.Fatalf("Subscribers = %d, want 0", n)
	}
	woke := make(chan error, 1)
	go func() { woke <- h.WaitSubscribed(context.Background()) }()
	a, b := h.Subscribe(), h.Subscribe()
	if err := <-woke; err != nil {
		t.Fatalf("WaitSubscribed: %v", err)
	}
	if n := h.Subscribers(); n != 2 {
		t.Fatalf("Subscribers = %d, want 2", n)
	}
	a.Close()
	a.Close() // twice is harmless
	if n := h.Subscribers(); n != 1 {
		t.Fatalf("Subscribers after close = %d, want 1", n)
	}
	done := make(chan error, 1)
	go func() { _, err := b.Next(context.Background()); done <- err }()
	h.Close()
	if err := <-done; !errors.Is(err, ErrHubClosed) {
		t.Fatalf("Next after Close = %v, want ErrHubClosed", err)
	}
	h.Publish(frame(1)) // ignored, no panic
}

// Many subscribers of different speeds each see strictly increasing
// sequence numbers, and the fast ones see (nearly) every frame while a
// stalled one holds only the frame it has.
func TestSubscribersOfDifferentSpeeds(t *testing.T) {
	h := NewHub()
	const frames = 200
	var wg sync.WaitGroup
	got := make([]int, 20)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ready := sync.WaitGroup{}
	for i := range got {
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			sub := h.Subscribe()
			defer sub.Close()
			ready.Done()
			var last uint64
			for {
				f, err := sub.Next(ctx)
				if err != nil {
					return
				}
				if f.Seq <= last {
					t.Errorf("subscriber %d: seq %d after %d", i, f.Seq, last)
				}
				last = f.Seq
				got[i]++
				if i == 0 { // the slow one
					time.Sleep(100 * time.Millisecond)
				}
				if f.Seq == frames {
					return
				}
			}
		}()
	}
	ready.Wait()
	for i := uint64(1); i <= frames; i++ {
		h.Publish(frame(i))
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	if got[0] > frames/10 {
		t.Errorf("slow subscriber got %d frames; it should skip, not queue", got[0])
	}
	for i := 1; i < len(got); i++ {
		if got[i] < frames/2 {
			t.Errorf("fast subscriber %d got only %d of %d frames", i, got[i], frames)
		}
	}
}

func BenchmarkPublish100Subscribers(b *testing.B) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		sub := h.Subscribe()
		go func() {
			defer wg.Done()
			defer sub.Close()
			for {
				if _, err := sub.Next(ctx); err != nil {
					return
				}
			}
		}()
	}
	var seq uint64
	for b.Loop() {
		seq++
		h.Publish(frame(seq))
	}
	cancel()
	wg.Wait()
}

// recv is a Receiver for tests: TryReceive takes a frame while take is
// set; Receive waits for a release when gate is set. Both record what they
// got, and which goroutine was the publisher's.
type recv struct {
	mu    sync.Mutex
	take  bool
	tried []uint64
	got   []uint64 // by Receive
	gate  chan struct{}
	in    chan uint64 // Receive's frames, as they come in
	fail  error
}

func (r *recv) TryReceive(f *Frame) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tried = append(r.tried, f.Seq)
	return r.take
}

func (r *recv) Receive(f *Frame) error {
	r.in <- f.Seq
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, f.Seq)
	return r.fail
}

func (r *recv) snapshot() (tried, got []uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint64(nil), r.tried...), append([]uint64(nil), r.got...)
}

func serve(t *testing.T, h *Hub, r Receiver) (context.CancelFunc, chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Serve(ctx, r) }()
	t.Cleanup(func() { cancel(); <-done })
	return cancel, done
}

func TestServeHandsFramesOverInThePublisher(t *testing.T) {
	h := NewHub()
	h.Publish(frame(1))
	r := &recv{take: true, in: make(chan uint64, 10)}
	serve(t, h, r)
	if seq := <-r.in; seq != 1 {
		t.Fatalf("first frame received: %d, want the current one, 1", seq)
	}
	waitServeIdle(t, h, r)
	if !h.WantsJPEG() || h.Subscribers() != 1 {
		t.Fatalf("while serving: subscribers %d, wants JPEG %v; want 1, true", h.Subscribers(), h.WantsJPEG())
	}
	for seq := uint64(2); seq <= 5; seq++ {
		h.Publish(frame(seq))
		// Taken before Publish returned: in the publisher's goroutine.
		if tried, _ := r.snapshot(); len(tried) == 0 || tried[len(tried)-1] != seq {
			t.Fatalf("after Publish(%d), TryReceive had %v", seq, tried)
		}
	}
	if _, got := r.snapshot(); len(got) != 1 {
		t.Fatalf("Receive got %v; want only the first frame there", got)
	}
}

// waitServeIdle waits until r has received one frame and Serve is done
// with it: with nothing published since, Serve waits for an offer.
func waitServeIdle(t *testing.T, h *Hub, r *recv) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, got := r.snapshot()
		h.mu.Lock()
		sv := h.served[0]
		h.mu.Unlock()
		if len(got) == 1 && sv.mu.TryLock() {
			sv.mu.Unlock()
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("Serve never finished receiving its first frame")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestServeWakesABusyReceiverWithTheNewest(t *testing.T) {
	h := NewHub()
	r := &recv{in: make(chan uint64, 10), gate: make(chan struct{})}
	serve(t, h, r)
	waitSubscribers(t, h, 1)
	h.Publish(frame(1)) // refused by TryReceive: Receive gets it, and blocks
	if seq := <-r.in; seq != 1 {
		t.Fatalf("Receive got %d, want 1", seq)
	}
	for seq := uint64(2); seq <= 9; seq++ {
		h.Publish(frame(seq)) // must not block on the busy receiver
	}
	r.gate <- struct{}{}
	if seq := <-r.in; seq != 9 {
		t.Fatalf("after being busy, Receive got %d, want the newest, 9", seq)
	}
	r.gate <- struct{}{}
	if tried, _ := r.snapshot(); len(tried) > 1 {
		t.Fatalf("TryReceive had %v; want at most frame 1 (busy for the rest)", tried)
	}
}

func TestServeEnds(t *testing.T) {
	t.Run("context", func(t *testing.T) {
		h := NewHub()
		cancel, done := serve(t, h, &recv{in: make(chan uint64, 10)})
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Serve = %v, want context.Canceled", err)
		}
		done <- nil // for the cleanup
		waitSubscribers(t, h, 0)
	})
	t.Run("hub closed", func(t *testing.T) {
		h := NewHub()
		_, done := serve(t, h, &recv{in: make(chan uint64, 10)})
		waitSubscribers(t, h, 1)
		h.Close()
		if err := <-done; !errors.Is(err, ErrHubClosed) {
			t.Fatalf("Serve = %v, want ErrHubClosed", err)
		}
		done <- nil
	})
	t.Run("receive fails", func(t *testing.T) {
		h := NewHub()
		boom := errors.New("boom")
		_, done := serve(t, h, &recv{in: make(chan uint64, 10), fail: boom})
		h.Publish(frame(1))
		if err := <-done; !errors.Is(err, boom) {
			t.Fatalf("Serve = %v, want Receive's error", err)
		}
		done <- nil
	})
}

func waitSubscribers(t *testing.T, h *Hub, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for h.Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("subscribers: %d, want %d", h.Subscribers(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
