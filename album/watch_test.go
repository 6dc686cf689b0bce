package album

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pistream/internal/dirwatch"
)

// awaitWake waits until ch, from Changed, is closed; the test's own
// timeout catches a wake that never comes.
func awaitWake(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	t.Logf("waiting for %s to wake the album's waiters", what)
	<-ch
}

func TestChanged(t *testing.T) {
	a, dir := openTest(t)
	data := makeJPEG(t, 8, 8, 0)
	tests := []struct {
		what   string
		change func(t *testing.T)
		atOnce bool // the channel is closed when the change returns
	}{
		{"Save", func(t *testing.T) {
			if _, err := a.Save(data, when); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a file written by another program", func(t *testing.T) {
			write(t, dir, "copied.jpg", data, time.Time{})
		}, false},
		{"a file removed by another program", func(t *testing.T) {
			if err := os.Remove(filepath.Join(dir, "copied.jpg")); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"Delete", func(t *testing.T) {
			if err := a.Delete(photoName(when, 1)); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"Undo", func(t *testing.T) {
			if _, err := a.Undo(); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, tt := range tests {
		ch := a.Changed()
		tt.change(t)
		if tt.atOnce {
			select {
			case <-ch:
			default:
				t.Errorf("%s returned before waking the waiters", tt.what)
			}
		}
		awaitWake(t, ch, tt.what)
	}
}

// countWakes counts the album's broadcasts from now on, asking for each
// next channel at once, until the func it returns is called; that func
// returns the count.
func countWakes(a *Album) func() int {
	wakes := make(chan int)
	stop := make(chan struct{})
	ch := a.Changed()
	go func() {
		n := 0
		for {
			select {
			case <-ch:
				n++
				ch = a.Changed()
			case <-stop:
				wakes <- n
				return
			}
		}
	}()
	return func() int {
		close(stop)
		return <-wakes
	}
}

// TestChangesWakeOnce checks that the file system's echo of Save, Delete
// and Undo does not wake the waiters a second time: each wakes them once,
// then a file copied in by another program once more. The pause before the
// copy only gives an echo time to show; it is never a limit.
func TestChangesWakeOnce(t *testing.T) {
	a, dir := openTest(t)
	tests := []struct {
		what   string
		change func() error
	}{
		{"Save", func() error { _, err := a.Save(makeJPEG(t, 8, 8, 0), when); return err }},
		{"Delete", func() error { return a.Delete(photoName(when, 1)) }},
		{"Undo", func() error { _, err := a.Undo(); return err }},
	}
	for i, tt := range tests {
		wakes := countWakes(a)
		if err := tt.change(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * dirwatch.Debounce)
		last := a.Changed()
		write(t, dir, fmt.Sprintf("copied-%d.jpg", i), makeJPEG(t, 8, 8, i), time.Time{})
		awaitWake(t, last, "a copied file")
		if got := wakes(); got != 2 {
			t.Errorf("%s, then a copied file, woke the waiters %d times, want 2", tt.what, got)
		}
	}
}

func TestChangedCoalesces(t *testing.T) {
	a, dir := openTest(t)
	wakes := countWakes(a)

	data := makeJPEG(t, 8, 8, 0)
	const n = 1000
	start := time.Now()
	for i := range n {
		write(t, dir, fmt.Sprintf("copy-%04d.jpg", i), data, time.Time{})
	}
	copying := time.Since(start)
	// The last file's events wake the waiters; wait for that.
	last := a.Changed()
	write(t, dir, "last.jpg", data, time.Time{})
	<-last
	got := wakes()

	// About one wake a debounce interval (plus slack for events still in
	// flight when the copy ends), not one a file.
	if limit := int(copying/dirwatch.Debounce) + 5; got == 0 || got > limit {
		t.Errorf("copying %d files in %v woke the waiters %d times, want 1 to %d", n, copying, got, limit)
	}
	t.Logf("copying %d files in %v: %d wakes", n, copying, got)
}

func TestWatchSurvivesDirectoryRemoval(t *testing.T) {
	a, dir := openTest(t)
	ch := a.Changed()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	awaitWake(t, ch, "removing the directory")

	if _, err := a.Save(makeJPEG(t, 8, 8, 0), when); err != nil { // re-creates it
		t.Fatal(err)
	}
	ch = a.Changed()
	write(t, dir, "copied.jpg", makeJPEG(t, 8, 8, 1), time.Time{})
	awaitWake(t, ch, "a file written into the re-created directory")
}

// TestIsPhotoName checks which files' changes the watcher passes on (it
// replaces the test that hidden files and non-photos wake nobody, which had
// to wait a while for nothing).
func TestIsPhotoName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a.jpg", true},
		{"copy-0001.JPEG", true},
		{hostileNames[0], true},
		{".hidden.jpg", false},
		{tempPrefix + "abc", false},
		{trashDir, false},
		{"notes.txt", false},
	}
	for _, tt := range tests {
		if got := isPhotoName(tt.name); got != tt.want {
			t.Errorf("isPhotoName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
