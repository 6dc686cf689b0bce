//go:build unix

package notes

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestFIFONotRead(t *testing.T) {
	d, base := openTemp(t, map[string]string{"ok.md": "ok"})
	must(t, syscall.Mkfifo(filepath.Join(base, "notes", "pipe.md"), 0o644))
	done := make(chan struct{})
	go func() {
		defer close(done)
		notes, err := d.List()
		if err != nil || len(notes) != 1 || notes[0].Name != "ok.md" {
			t.Errorf("List() = %v, %v; want only ok.md", notes, err)
		}
		if _, err := d.Read("pipe.md"); err == nil {
			t.Error("Read of a FIFO succeeded")
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		// Unblock the reader so the test can end.
		f, err := os.OpenFile(filepath.Join(base, "notes", "pipe.md"), os.O_WRONLY, 0)
		if err == nil {
			f.Close()
		}
		t.Fatal("List or Read blocked on a FIFO")
	}
}
