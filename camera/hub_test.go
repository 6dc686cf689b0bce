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
