// Package indextest runs an album index for the length of a test; only
// tests import it.
package indextest

import (
	"context"
	"testing"

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
