// Package indextest runs an album index for the length of a test and
// waits for its listings; only tests import it.
package indextest

import (
	"context"
	"slices"
	"testing"
	"time"

	"pistream/album"
	"pistream/album/index"
)

// Start returns an index of src, running until the test ends (its cleanup
// stops the index and awaits it, before cleanups registered earlier, such
// as the album's Close, run).
func Start(t testing.TB, src index.Source) *index.Index {
	t.Helper()
	ix := index.New(src)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		ix.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ix
}

// guard is how long AwaitCurrent waits before it fails the test.
const guard = 60 * time.Second

// AwaitCurrent waits until ix lists what src lists now: photos a test
// has written into the album's directory itself, as another program
// would, are listed once the album's watch has seen them.
func AwaitCurrent(t testing.TB, ix *index.Index, src index.Source) {
	t.Helper()
	want, err := src.List()
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b album.Photo) bool { return a.Name == b.Name && a.Size == b.Size && a.ModTime.Equal(b.ModTime) }
	timeout := time.After(guard)
	for {
		s := ix.Snapshot()
		if s.Version > 0 && slices.EqualFunc(s.Photos, want, same) {
			return
		}
		select {
		case <-s.Changed:
		case <-timeout:
			t.Fatalf("after %v the album's index lists %d photos, want the %d listed now", guard, len(s.Photos), len(want))
		}
	}
}
