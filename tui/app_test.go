package tui

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
)

// Once App.Wait has begun (pistream is stopping), a snapshot asked for is
// refused with a reason, and nothing is saved.
func TestSnapshotWhileStoppingIsRefused(t *testing.T) {
	app, photos, _ := newTestApp(t)
	app.Wait()
	msg, ok := app.snapshot(context.Background())().(snapshotMsg)
	if !ok || !errors.Is(msg.err, errStopping) {
		t.Fatalf("snapshot after Wait: %#v, want errStopping", msg)
	}
	if es, _ := os.ReadDir(photos); len(es) != 0 {
		t.Errorf("the photos directory holds %d entries, want none", len(es))
	}
}

// Snapshots asked for while Wait begins: each is either counted and waited
// for or refused, never added to a WaitGroup being waited for from zero
// (which the race detector reports, as it did once in a stop with
// sessions pressing s).
func TestSnapshotsRaceWait(t *testing.T) {
	for range 200 {
		var s snapshots
		var started, done sync.WaitGroup
		for range 4 {
			started.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				started.Done()
				if s.start() {
					s.wg.Done()
				}
			}()
		}
		started.Wait()
		s.wait()
		done.Wait()
		if s.start() {
			t.Fatal("start after wait counted a snapshot")
		}
	}
}
