package notes

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSubscribe(t *testing.T) {
	d, base := openTemp(t, nil)
	dir := filepath.Join(base, "notes")
	changes, cancel := d.Subscribe()
	defer cancel()
	other, cancelOther := d.Subscribe()

	must(t, os.WriteFile(filepath.Join(dir, "new.md"), []byte("# New\n"), 0o644))
	select {
	case <-changes:
	case <-time.After(2 * time.Second):
		t.Fatal("no notification within 2 s of writing a note")
	}

	// A burst of changes is coalesced: one pending value, then quiet.
	for i := range 5 {
		must(t, os.WriteFile(filepath.Join(dir, "new.md"), []byte{byte('a' + i)}, 0o644))
	}
	select {
	case <-changes:
	case <-time.After(2 * time.Second):
		t.Fatal("no notification for a burst of writes")
	}
	select {
	case <-changes:
		t.Error("burst of writes notified twice")
	case <-time.After(3 * debounce):
	}

	// The other subscriber was not receiving: exactly one value is pending.
	if len(other) != 1 {
		t.Errorf("idle subscriber has %d pending notifications, want 1", len(other))
	}
	cancelOther()
	<-other
	must(t, os.Remove(filepath.Join(dir, "new.md")))
	<-changes
	select {
	case <-other:
		t.Error("cancelled subscriber notified")
	case <-time.After(3 * debounce):
	}
}

func TestSubscribeIgnoresOtherFiles(t *testing.T) {
	d, base := openTemp(t, nil)
	changes, cancel := d.Subscribe()
	defer cancel()
	must(t, os.WriteFile(filepath.Join(base, "notes", "scratch.txt"), []byte("x"), 0o644))
	select {
	case <-changes:
		t.Error("notified for a file that is not a note")
	case <-time.After(3 * debounce):
	}
}
