package album

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// drain takes a pending wake-up, if any, from ch.
func drain(ch <-chan struct{}) {
	select {
	case <-ch:
	default:
	}
}

// awaitWake fails the test unless ch wakes within 2 s.
func awaitWake(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatalf("%s: channel closed", what)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("%s did not wake the subscriber within 2 s", what)
	}
}

// settle waits for the watcher to pass on events still under way, then
// empties ch.
func settle(ch <-chan struct{}) {
	time.Sleep(3 * debounce)
	drain(ch)
}

func TestSubscribe(t *testing.T) {
	a, dir := openTest(t)
	data := makeJPEG(t, 8, 8, 0)
	tests := []struct {
		what   string
		change func(t *testing.T)
	}{
		{"Save", func(t *testing.T) {
			if _, err := a.Save(data, when); err != nil {
				t.Fatal(err)
			}
		}},
		{"a file written by another program", func(t *testing.T) {
			write(t, dir, "copied.jpg", data, time.Time{})
		}},
		{"a file removed by another program", func(t *testing.T) {
			if err := os.Remove(filepath.Join(dir, "copied.jpg")); err != nil {
				t.Fatal(err)
			}
		}},
		{"Delete", func(t *testing.T) {
			if err := a.Delete(photoName(when, 1)); err != nil {
				t.Fatal(err)
			}
		}},
		{"Undo", func(t *testing.T) {
			if _, err := a.Undo(); err != nil {
				t.Fatal(err)
			}
		}},
	}
	ch, cancel := a.Subscribe()
	defer cancel()
	for _, tt := range tests {
		settle(ch)
		tt.change(t)
		awaitWake(t, ch, tt.what)
	}
}

func TestSubscribeIgnoresNonPhotos(t *testing.T) {
	a, dir := openTest(t)
	ch, cancel := a.Subscribe()
	defer cancel()
	write(t, dir, ".hidden.jpg", nil, time.Time{})
	write(t, dir, "notes.txt", nil, time.Time{})
	select {
	case <-ch:
		t.Error("woken by a hidden file or a non-photo")
	case <-time.After(5 * debounce):
	}
}

func TestSubscribeCoalesces(t *testing.T) {
	a, dir := openTest(t)
	ch, cancel := a.Subscribe()
	defer cancel()
	wakes := make(chan int)
	stop := make(chan struct{})
	go func() { // takes each wake-up at once, so the channel does not coalesce
		n := 0
		for {
			select {
			case <-ch:
				n++
			case <-stop:
				wakes <- n
				return
			}
		}
	}()

	data := makeJPEG(t, 8, 8, 0)
	const n = 1000
	start := time.Now()
	for i := range n {
		write(t, dir, fmt.Sprintf("copy-%04d.jpg", i), data, time.Time{})
	}
	copying := time.Since(start)
	time.Sleep(time.Second) // for the last events
	close(stop)
	got := <-wakes

	// About one wake a debounce interval (plus slack for events still in
	// flight when the copy ends), not one a file.
	if limit := int(copying/debounce) + 5; got == 0 || got > limit {
		t.Errorf("copying %d files in %v woke the subscriber %d times, want 1 to %d", n, copying, got, limit)
	}
	t.Logf("copying %d files in %v: %d wakes", n, copying, got)
}

func TestSubscribeCancel(t *testing.T) {
	a, _ := openTest(t)
	ch, cancel := a.Subscribe()
	other, cancelOther := a.Subscribe()
	defer cancelOther()
	cancel()
	cancel() // harmless
	if _, ok := <-ch; ok {
		t.Error("channel not closed by cancel")
	}
	if _, err := a.Save(makeJPEG(t, 8, 8, 0), when); err != nil {
		t.Fatal(err)
	}
	awaitWake(t, other, "Save, for the remaining subscriber")
}

func TestWatchSurvivesDirectoryRemoval(t *testing.T) {
	a, dir := openTest(t)
	ch, cancel := a.Subscribe()
	defer cancel()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	awaitWake(t, ch, "removing the directory")

	if _, err := a.Save(makeJPEG(t, 8, 8, 0), when); err != nil { // re-creates it
		t.Fatal(err)
	}
	settle(ch)
	write(t, dir, "copied.jpg", makeJPEG(t, 8, 8, 1), time.Time{})
	awaitWake(t, ch, "a file written into the re-created directory")
}
