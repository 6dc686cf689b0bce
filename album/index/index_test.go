package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"pistream/album"
)

// guard is how long a test waits for a state before it fails.
const guard = 60 * time.Second

func testJPEG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 12)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// start runs x until the test ends.
func start(t testing.TB, x *Index) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		x.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// readers are consumers of an index as the Photos screens and the album
// page are: each holds the newest snapshot it was given and waits on its
// Changed for the next; none lists anything.
type readers struct {
	mu    sync.Mutex
	cond  *sync.Cond
	snaps []Snapshot
}

func newReaders(n int) *readers {
	r := &readers{snaps: make([]Snapshot, n)}
	r.cond = sync.NewCond(&r.mu)
	return r
}

// startReaders starts n readers of x until the test ends.
func startReaders(t testing.TB, x *Index, n int) *readers {
	t.Helper()
	r := newReaders(n)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for {
				s := x.Snapshot()
				r.set(i, s)
				select {
				case <-s.Changed:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return r
}

// set makes s reader i's newest snapshot.
func (r *readers) set(i int, s Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snaps[i] = s
	r.cond.Broadcast()
}

// await waits until every reader holds a listing (not the empty snapshot
// before the first) of exactly the names want, in any order, and returns
// those snapshots.
func (r *readers) await(t testing.TB, want []string) []Snapshot {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	stop := time.AfterFunc(guard, func() {
		r.mu.Lock()
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	defer stop.Stop()
	began := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		all := true
		for _, s := range r.snaps {
			if s.Version == 0 || !slices.Equal(names(s), want) {
				all = false
				break
			}
		}
		if all {
			return slices.Clone(r.snaps)
		}
		if time.Since(began) > guard {
			t.Fatalf("after %v the readers hold %d snapshots; want every one to list the %d photos %.80q; first holds %.80q",
				guard, len(r.snaps), len(want), want, names(r.snaps[0]))
		}
		r.cond.Wait()
	}
}

func names(s Snapshot) []string {
	var n []string
	for _, p := range s.Photos {
		n = append(n, p.Name)
	}
	slices.Sort(n)
	return n
}

// Every reader ends at the album's final listing after each change, by
// pistream or by another program, and a burst of 200 photos is listed far
// fewer than 200 times.
func TestIndex(t *testing.T) {
	const readersN = 8
	dir := t.TempDir()
	a, err := album.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	x := New(a)
	start(t, x)
	r := startReaders(t, x, readersN)
	data := testJPEG(t)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.Local)
	const saved = "2026-11-26_10-00-00.000.jpg" // the name Save gives at

	var burst, savedBurst []string
	for i := range 200 {
		burst = append(burst, fmt.Sprintf("burst-%03d.jpg", i))
		savedBurst = append(savedBurst, fmt.Sprintf("2026-11-26_10-00-01.%03d.jpg", i))
	}
	write := func(t *testing.T, name string) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		change func(t *testing.T)
		want   []string
		// fresh: pistream made the change; Fresh, right after it
		// returns, must list it.
		fresh bool
		// most is the most listings the change may cost, beyond one per
		// Throttle it took; 0: no bound checked.
		most int
	}{
		{"empty", func(*testing.T) {}, nil, false, 1},
		{"add by another program", func(t *testing.T) { write(t, "outside.jpg") }, []string{"outside.jpg"}, false, 2},
		{"rename by another program", func(t *testing.T) {
			if err := os.Rename(filepath.Join(dir, "outside.jpg"), filepath.Join(dir, "renamed.jpg")); err != nil {
				t.Fatal(err)
			}
		}, []string{"renamed.jpg"}, false, 2},
		{"save by pistream", func(t *testing.T) {
			if _, err := a.Save(data, at); err != nil {
				t.Fatal(err)
			}
		}, []string{"renamed.jpg", saved}, true, 2},
		{"delete by pistream", func(t *testing.T) {
			if err := a.Delete(saved); err != nil {
				t.Fatal(err)
			}
		}, []string{"renamed.jpg"}, true, 2},
		{"undo by pistream", func(t *testing.T) {
			if _, err := a.Undo(); err != nil {
				t.Fatal(err)
			}
		}, []string{"renamed.jpg", saved}, true, 2},
		// Not of a name pistream just changed: the album's watch takes
		// changes to those within a second for their echo.
		{"delete by another program", func(t *testing.T) {
			if err := os.Remove(filepath.Join(dir, "renamed.jpg")); err != nil {
				t.Fatal(err)
			}
		}, []string{saved}, false, 2},
		{"burst of 200 by another program", func(t *testing.T) {
			for _, n := range burst {
				write(t, n)
			}
		}, append([]string{saved}, burst...), false, 2},
		// Each Save wakes the index at once: the throttle gathers them.
		{"burst of 200 saved by pistream", func(t *testing.T) {
			for i := range 200 {
				if _, err := a.Save(data, at.Add(time.Second+time.Duration(i)*time.Millisecond)); err != nil {
					t.Fatal(err)
				}
			}
		}, slices.Concat([]string{saved}, burst, savedBurst), true, 2},
	}
	for _, tt := range tests {
		before := x.Listings()
		began := time.Now()
		tt.change(t)
		if tt.fresh {
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			s, err := x.Fresh(ctx)
			cancel()
			if err != nil {
				t.Fatalf("%s: Fresh: %v", tt.name, err)
			}
			if got := names(s); !slices.Equal(got, slices.Sorted(slices.Values(tt.want))) {
				t.Errorf("%s: Fresh right after it lists %q, want %q", tt.name, got, tt.want)
			}
		}
		snaps := r.await(t, tt.want)
		took := time.Since(began)
		for i, s := range snaps[1:] {
			if s.Version != snaps[0].Version || len(s.Photos) > 0 && &s.Photos[0] != &snaps[0].Photos[0] {
				t.Errorf("%s: reader %d holds version %d, reader 0 version %d: not one shared snapshot", tt.name, i+1, s.Version, snaps[0].Version)
			}
			if s.Err != nil {
				t.Errorf("%s: reader %d: %v", tt.name, i+1, s.Err)
			}
		}
		n := x.Listings() - before
		most := uint64(tt.most) + uint64(took/x.every)
		t.Logf("%s: %d listings for %d readers in %v", tt.name, n, readersN, took.Round(time.Millisecond))
		if n > most {
			t.Errorf("%s: %d listings in %v, want at most %d (one per %v, and %d)", tt.name, n, took.Round(time.Millisecond), most, x.every, tt.most)
		}
		if len(tt.want) >= 200 && n >= 50 {
			t.Errorf("%s: %d listings for a burst of 200 photos, want far fewer", tt.name, n)
		}
	}
}

// fakeSource is an album in memory that counts its listings.
type fakeSource struct {
	mu       sync.Mutex
	photos   []album.Photo
	changed  chan struct{}
	listings int
	err      error
	// hold, when set, makes List wait, after taking the photos, until
	// a value is sent on it.
	hold chan struct{}
}

func newFakeSource() *fakeSource { return &fakeSource{changed: make(chan struct{})} }

func (f *fakeSource) List() ([]album.Photo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listings++
	photos, err, hold := slices.Clone(f.photos), f.err, f.hold
	f.mu.Unlock()
	if hold != nil {
		<-hold
	}
	f.mu.Lock()
	if err != nil {
		return nil, err
	}
	return photos, nil
}

func (f *fakeSource) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

// add adds a photo, or sets the error the next listings fail with, and
// tells of the change.
func (f *fakeSource) add(name string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if name != "" {
		f.photos = append(f.photos, album.Photo{Name: name})
	}
	f.err = err
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeSource) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.listings
}

// However many readers there are, the album is listed once per change.
func TestOneListingPerChange(t *testing.T) {
	for _, n := range []int{1, 8, 100} {
		t.Run(fmt.Sprint(n, " readers"), func(t *testing.T) {
			const changes = 5
			src := newFakeSource()
			x := New(src)
			x.every = time.Millisecond
			start(t, x)
			r := startReaders(t, x, n)
			r.await(t, nil)
			var want []string
			for i := range changes {
				name := fmt.Sprintf("p%d.jpg", i)
				want = append(want, name)
				src.add(name, nil)
				r.await(t, want)
			}
			if got := src.count(); got != 1+changes {
				t.Errorf("%d readers, %d changes: the album was listed %d times, want %d (once, then once a change)", n, changes, got, 1+changes)
			}
			if got := x.Listings(); got != uint64(src.count()) {
				t.Errorf("Listings says %d, the source counted %d", got, src.count())
			}
		})
	}
}

// A failed listing reaches the readers as the snapshot's error, and the
// next change lists again.
func TestListingFails(t *testing.T) {
	src := newFakeSource()
	x := New(src)
	x.every = time.Millisecond
	start(t, x)
	r := startReaders(t, x, 2)
	r.await(t, nil)
	broken := errors.New("disk on fire")
	src.add("", broken)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	s, err := x.Fresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(s.Err, broken) || s.Photos != nil {
		t.Fatalf("a failed listing gives %v with %d photos, want %v and none", s.Err, len(s.Photos), broken)
	}
	src.add("back.jpg", nil)
	if snaps := r.await(t, []string{"back.jpg"}); snaps[0].Err != nil {
		t.Errorf("the listing after the failure still says %v", snaps[0].Err)
	}
}

// Fresh during a listing: one that began after the change will do; one
// that began before it is followed by another, which Fresh waits for.
func TestFreshDuringAListing(t *testing.T) {
	tests := []struct {
		name   string
		during bool // the change comes while the listing is under way
		want   int  // listings Fresh waits for
	}{
		{"change before the listing", false, 1},
		{"change during the listing", true, 2},
	}
	// The listings are numbered from 1: the first is Run's at its start,
	// the second the one held here.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeSource()
			x := New(src)
			x.every = time.Millisecond
			start(t, x)
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			if _, err := x.Fresh(ctx); err != nil {
				t.Fatal(err)
			}
			hold := make(chan struct{})
			src.mu.Lock()
			src.hold = hold
			src.mu.Unlock()
			before := src.count()
			if !tt.during {
				src.add("new.jpg", nil)
			} else {
				src.add("", nil) // starts a listing, held
			}
			for src.count() == before { // the listing has begun
				select {
				case <-ctx.Done():
					t.Fatal("no listing began")
				case <-time.After(time.Millisecond):
				}
			}
			if tt.during {
				src.add("new.jpg", nil)
			}
			// What Fresh waits for, decided while the listing is held.
			if _, need, _ := x.wanted(); need != uint64(1+tt.want) {
				t.Errorf("Fresh would wait for listing %d, want %d", need, 1+tt.want)
			}
			got := make(chan Snapshot, 1)
			go func() {
				s, _ := x.Fresh(ctx)
				got <- s
			}()
			for range tt.want {
				hold <- struct{}{}
			}
			s := <-got
			if !slices.Contains(names(s), "new.jpg") {
				t.Errorf("Fresh gives %q, want new.jpg", names(s))
			}
			if n := src.count() - before; n != tt.want {
				t.Errorf("%d listings, want %d", n, tt.want)
			}
			close(hold)
		})
	}
}

// Stopping wakes every reader, and Fresh no longer waits.
func TestStop(t *testing.T) {
	src := newFakeSource()
	x := New(src)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		x.Run(ctx)
	}()
	fctx, fcancel := context.WithTimeout(context.Background(), guard)
	defer fcancel()
	s, err := x.Fresh(fctx)
	if err != nil || s.Version != 1 {
		t.Fatalf("the first snapshot is version %d (%v), want 1", s.Version, err)
	}
	cancel()
	<-done
	<-s.Changed // woken by the stop; the test's timeout catches a reader left waiting
	if after := x.Snapshot(); after.Changed != nil {
		t.Error("after the stop a snapshot has a channel to wait on")
	}
	src.add("late.jpg", nil)
	if _, err := x.Fresh(fctx); err == nil {
		t.Error("Fresh after the stop reports no error")
	}
}
