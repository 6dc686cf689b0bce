package notes

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Eight sessions opening the same hostile note at once render it once;
// asking again, from the cache, renders nothing more, while another width
// or style is a rendering of its own.
func TestRendererOnce(t *testing.T) {
	r := NewRenderer(DefaultParallel, DefaultCacheBytes, nil)
	defer r.Close()
	want, err := Render(hostile, 80, true)
	if err != nil {
		t.Fatal(err)
	}
	outs := make([]string, 8)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Go(func() {
			out, err := r.Render(context.Background(), hostile, 80, true)
			if err != nil {
				t.Errorf("session %d: %v", i, err)
			}
			outs[i] = out
		})
	}
	wg.Wait()
	for i, out := range outs {
		if out != want {
			t.Errorf("session %d got %d bytes, want Render's %d", i, len(out), len(want))
		}
	}
	if n := r.Renders(); n != 1 {
		t.Fatalf("8 sessions rendered the note %d times, want 1", n)
	}
	for _, again := range []struct {
		width int
		dark  bool
		total int64
	}{{80, true, 1}, {79, true, 2}, {80, false, 3}, {79, true, 3}} {
		if _, err := r.Render(context.Background(), hostile, again.width, again.dark); err != nil {
			t.Fatal(err)
		}
		if n := r.Renders(); n != again.total {
			t.Errorf("after width %d dark %v: %d renderings, want %d", again.width, again.dark, n, again.total)
		}
	}
}

// gate is a render function for tests: each rendering waits for release
// and records how many run at once.
type gate struct {
	started chan int // the width of each rendering that starts
	release chan struct{}
	running atomic.Int32
	peak    atomic.Int32
	fail    atomic.Bool // the next rendering fails
}

func newGate() *gate {
	return &gate{started: make(chan int, 100), release: make(chan struct{})}
}

func (g *gate) render(md string, width int, dark bool) (string, error) {
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	g.started <- width
	<-g.release
	if g.fail.Swap(false) {
		return "", errors.New("failed")
	}
	return md + "@" + strconv.Itoa(width), nil
}

// waitStarted waits for the next rendering to start and returns its width.
func (g *gate) waitStarted(t *testing.T) int {
	t.Helper()
	select {
	case w := <-g.started:
		return w
	case <-time.After(30 * time.Second):
		t.Fatal("no rendering started within 30 s")
		return 0
	}
}

// queued waits until r has n renderings in flight (running or queued).
func queued(t *testing.T, r *Renderer, n int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		got := len(r.flights)
		r.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d renderings in flight after 30 s, want %d", got, n)
		}
	}
}

func testRenderer(t *testing.T, parallel int) (*Renderer, *gate) {
	r := NewRenderer(parallel, DefaultCacheBytes, nil)
	g := newGate()
	r.render = g.render
	t.Cleanup(r.Close)
	t.Cleanup(func() { close(g.release) }) // first: a rendering left waiting ends

	return r, g
}

// However many notes are asked for, no more than parallel render at once.
func TestRendererBound(t *testing.T) {
	for _, parallel := range []int{1, 2, 3} {
		t.Run(strconv.Itoa(parallel), func(t *testing.T) {
			r, g := testRenderer(t, parallel)
			const asked = 8
			var wg sync.WaitGroup
			for w := range asked {
				wg.Go(func() {
					if _, err := r.Render(context.Background(), "note", 100+w, true); err != nil {
						t.Error(err)
					}
				})
			}
			queued(t, r, asked)
			for range asked {
				g.waitStarted(t)
				g.release <- struct{}{}
			}
			wg.Wait()
			if p := g.peak.Load(); p != int32(parallel) {
				t.Errorf("%d renderings ran at once, want %d", p, parallel)
			}
			if n := r.Renders(); n != asked {
				t.Errorf("%d renderings, want %d", n, asked)
			}
		})
	}
}

// A rendering whose callers all give up while it is queued never runs;
// one that a caller still waits for does. The renderings that start, in
// order, are told apart by their widths: 80 holds the only slot, 81 is
// queued and given up, 82 is asked for after.
func TestRendererGivesUpQueued(t *testing.T) {
	tests := []struct {
		name    string
		stayers int   // callers of 81 that keep waiting
		started []int // the widths rendered after 80
	}{
		{"every caller leaves", 0, []int{82}},
		{"one of two leaves", 1, []int{81, 82}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, g := testRenderer(t, 1)
			ask := func(ctx context.Context, width int) chan error {
				done := make(chan error, 1)
				go func() {
					out, err := r.Render(ctx, "note", width, true)
					if err == nil && out != "note@"+strconv.Itoa(width) {
						err = errors.New("got " + out)
					}
					done <- err
				}()
				return done
			}
			first := ask(context.Background(), 80)
			g.waitStarted(t) // holds the only slot

			ctx, cancel := context.WithCancel(context.Background())
			left := ask(ctx, 81)
			var stayed []chan error
			for range tt.stayers {
				stayed = append(stayed, ask(context.Background(), 81))
			}
			queued(t, r, 2)
			cancel()
			if err := <-left; !errors.Is(err, context.Canceled) {
				t.Errorf("the caller that left got %v, want context.Canceled", err)
			}
			g.release <- struct{}{}
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			third := ask(context.Background(), 82)
			var started []int
			for range tt.started {
				started = append(started, g.waitStarted(t))
				g.release <- struct{}{}
			}
			if !slices.Equal(started, tt.started) {
				t.Errorf("after 80 rendered %v, want %v", started, tt.started)
			}
			for _, done := range append(stayed, third) {
				select {
				case err := <-done:
					if err != nil {
						t.Error(err)
					}
				case <-time.After(30 * time.Second):
					t.Fatal("a caller got no rendering within 30 s")
				}
			}
		})
	}
}

// A failed rendering is not cached: the next caller renders again.
func TestRendererFailureNotCached(t *testing.T) {
	r, g := testRenderer(t, 1)
	g.fail.Store(true)
	done := make(chan error, 1)
	go func() { _, err := r.Render(context.Background(), "note", 80, true); done <- err }()
	g.waitStarted(t)
	g.release <- struct{}{}
	if err := <-done; err == nil {
		t.Fatal("the failed rendering returned no error")
	}
	go func() { _, err := r.Render(context.Background(), "note", 80, true); done <- err }()
	g.waitStarted(t)
	g.release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Close gives up the queued renderings, waits for the running one, and
// refuses new ones.
func TestRendererClose(t *testing.T) {
	r, g := testRenderer(t, 1)
	running, waiting := make(chan error, 1), make(chan error, 1)
	go func() { _, err := r.Render(context.Background(), "running", 80, true); running <- err }()
	g.waitStarted(t)
	go func() { _, err := r.Render(context.Background(), "queued", 80, true); waiting <- err }()
	queued(t, r, 2)
	closed := make(chan struct{})
	go func() { r.Close(); close(closed) }()
	if err := <-waiting; !errors.Is(err, context.Canceled) {
		t.Errorf("the queued rendering got %v, want context.Canceled", err)
	}
	select {
	case <-closed:
		t.Fatal("Close returned while a rendering ran")
	default:
	}
	g.release <- struct{}{}
	<-closed
	if err := <-running; err != nil {
		t.Errorf("the running rendering: %v", err)
	}
	if _, err := r.Render(context.Background(), "after", 80, true); err == nil {
		t.Error("Render after Close returned no error")
	}
}

func TestByteLRU(t *testing.T) {
	key := func(n int) renderKey { return renderKey{width: n} }
	tests := []struct {
		name  string
		limit int
		adds  []int // each key added holds as many bytes as its number
		gets  []int // then looked up, in order
		then  []int // then added
		kept  []int // the keys still there at the end
	}{
		{"under the limit", 100, []int{10, 20, 30}, nil, nil, []int{10, 20, 30}},
		{"oldest out first", 50, []int{10, 20, 25}, nil, nil, []int{20, 25}},
		{"a lookup keeps it", 50, []int{10, 20}, []int{10}, []int{25}, []int{10, 25}},
		{"over half the limit not kept", 50, []int{10, 26}, nil, nil, []int{10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newByteLRU(tt.limit)
			for _, n := range tt.adds {
				c.add(key(n), strings.Repeat("x", n))
			}
			for _, n := range tt.gets {
				if _, ok := c.get(key(n)); !ok {
					t.Fatalf("key %d missing", n)
				}
			}
			for _, n := range tt.then {
				c.add(key(n), strings.Repeat("x", n))
			}
			var kept []int
			for _, n := range []int{10, 20, 25, 26, 30} {
				if out, ok := c.get(key(n)); ok {
					kept = append(kept, len(out))
				}
			}
			if !slices.Equal(kept, tt.kept) || c.size > tt.limit {
				t.Errorf("kept %v (%d bytes), want %v", kept, c.size, tt.kept)
			}
		})
	}
}
