package dirwatch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// isText is the relevance filter of the tests: names ending in ".txt".
func isText(name string) bool { return strings.HasSuffix(name, ".txt") }

// newTest watches a new directory "watched" in a temp dir until the end of
// the test.
func newTest(t *testing.T) (*Watcher, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "watched")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := New(dir, isText)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Error(err)
		}
	})
	return w, dir
}

// awaitClosed waits until ch is closed; the test's own timeout catches a
// wake that never comes.
func awaitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	t.Logf("waiting for %s to wake the watcher", what)
	<-ch
}

func write(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestChangedByOtherPrograms(t *testing.T) {
	w, dir := newTest(t)
	tests := []struct {
		what   string
		change func(t *testing.T)
	}{
		{"writing a file", func(t *testing.T) { write(t, filepath.Join(dir, "a.txt")) }},
		{"renaming a file", func(t *testing.T) {
			if err := os.Rename(filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")); err != nil {
				t.Fatal(err)
			}
		}},
		{"removing a file", func(t *testing.T) {
			if err := os.Remove(filepath.Join(dir, "b.txt")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		ch := w.Changed()
		tt.change(t)
		awaitClosed(t, ch, tt.what)
		if w.Changed() == ch {
			t.Fatalf("after %s, Changed returns the closed channel again", tt.what)
		}
	}
}

func TestTouchWakesAtOnce(t *testing.T) {
	w, _ := newTest(t)
	ch := w.Changed()
	w.Touch()
	select {
	case <-ch:
	default:
		t.Fatal("Touch did not close the channel before returning")
	}
	next := w.Changed()
	w.Touch("x.txt")
	select {
	case <-next:
	default:
		t.Fatal("Touch with a name did not close the channel before returning")
	}
}

// TestSurvivesRecreation removes the watched directory and creates it
// again: both wake the waiters, and files written into the new directory
// do as well.
func TestSurvivesRecreation(t *testing.T) {
	w, dir := newTest(t)
	ch := w.Changed()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	awaitClosed(t, ch, "removing the directory")

	ch = w.Changed()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	awaitClosed(t, ch, "creating the directory again")

	// The event loop watches the new directory before it reports its
	// creation, so a file written after the wake is seen.
	ch = w.Changed()
	write(t, filepath.Join(dir, "new.txt"))
	awaitClosed(t, ch, "a file written into the new directory")
}

func TestClose(t *testing.T) {
	dir := t.TempDir()
	w, err := New(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ch := w.Changed()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	select {
	case <-ch:
	default:
		t.Error("Close did not wake the waiters")
	}
	select {
	case <-w.done:
	default:
		t.Error("Close returned before the event loop ended")
	}
	if got := w.Changed(); got != nil {
		t.Error("Changed after Close returned a channel that may still close")
	}
	w.Touch("a") // harmless
}

func TestNewMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	if _, err := New(dir, nil); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("New(%s) = %v, want an error naming the directory", dir, err)
	}
}

func TestClassify(t *testing.T) {
	w, dir := newTest(t)
	tests := []struct {
		path     string
		wantName string
		wantOK   bool
	}{
		{filepath.Join(dir, "a.txt"), "a.txt", true},
		{filepath.Join(dir, "a.jpg"), "a.jpg", false},
		{filepath.Join(dir, ".tmp-1"), ".tmp-1", false},
		{dir, "", true},
		{filepath.Join(filepath.Dir(dir), "sibling.txt"), "", false},
		{filepath.Join(dir, "sub", "deep.txt"), "", false},
	}
	for _, tt := range tests {
		for _, op := range []fsnotify.Op{fsnotify.Write, fsnotify.Remove} {
			name, ok := w.classify(fsnotify.Event{Name: tt.path, Op: op})
			if name != tt.wantName || ok != tt.wantOK {
				t.Errorf("classify(%s %s) = %q, %v; want %q, %v", op, tt.path, name, ok, tt.wantName, tt.wantOK)
			}
		}
	}
}

// TestFlushSkipsEcho checks which batches of events wake the waiters after
// Touch("mine.txt").
func TestFlushSkipsEcho(t *testing.T) {
	many := batch{}
	for i := range maxPending + 1 {
		many.add(strings.Repeat("m", i+1) + ".txt")
	}
	tests := []struct {
		what    string
		batch   batch
		touched time.Duration // how long ago Touch named mine.txt
		want    bool
	}{
		{"the echo of Touch", batch{names: map[string]struct{}{"mine.txt": {}}}, 0, false},
		{"an echo and another file", batch{names: map[string]struct{}{"mine.txt": {}, "theirs.txt": {}}}, 0, true},
		{"another file", batch{names: map[string]struct{}{"theirs.txt": {}}}, 0, true},
		{"the directory itself", batch{other: true}, 0, true},
		{"the same name after the window", batch{names: map[string]struct{}{"mine.txt": {}}}, 2 * EchoWindow, true},
		{"more names than remembered", many, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			w, _ := newTest(t)
			w.Touch("mine.txt")
			w.mu.Lock()
			w.touched["mine.txt"] = time.Now().Add(-tt.touched)
			w.mu.Unlock()
			ch := w.Changed()
			w.flush(tt.batch)
			got := w.Changed() != ch
			if got != tt.want {
				t.Errorf("flush woke the waiters: %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRewatch re-creates the directory, calls Rewatch and writes into it at
// once, as album.Save does.
func TestRewatch(t *testing.T) {
	w, dir := newTest(t)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := w.Rewatch(); err != nil {
		t.Fatal(err)
	}
	ch := w.Changed()
	write(t, filepath.Join(dir, "new.txt"))
	awaitClosed(t, ch, "a file written into the re-created directory")
}
