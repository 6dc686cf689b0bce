package notes

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"pistream/internal/dirwatch"
)

func TestChanged(t *testing.T) {
	d, base := openTemp(t, nil)
	dir := filepath.Join(base, "notes")

	changes := d.Changed()
	must(t, os.WriteFile(filepath.Join(dir, "new.md"), []byte("# New\n"), 0o644))
	<-changes

	// A burst of changes is gathered: one wake, then quiet. A loaded
	// machine may stall the writes or the watcher for longer than the
	// debounce period, which rightly splits a burst, so a burst that
	// gathered is looked for in up to ten: without debouncing none would.
	gathered := false
	for try := 0; try < 10 && !gathered; try++ {
		changes = d.Changed()
		for i := range 5 {
			must(t, os.WriteFile(filepath.Join(dir, "new.md"), []byte{byte('a' + i)}, 0o644))
		}
		<-changes
		changes = d.Changed()
		select {
		case <-changes:
			t.Logf("burst %d notified twice", try)
		case <-time.After(3 * dirwatch.Debounce):
			gathered = true
		}
	}
	if !gathered {
		t.Fatal("every burst of writes notified twice")
	}
	changes = d.Changed()

	must(t, os.Remove(filepath.Join(dir, "new.md")))
	<-changes
}

func TestIsNote(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a.md", true},
		{"TODO.MD", true},
		{"\x1b]0;x\x07.md", true},
		{"scratch.txt", false},
		{"md", false},
		{"a.md~", false},
	}
	for _, tt := range tests {
		if got := isNote(tt.name); got != tt.want {
			t.Errorf("isNote(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestRecreatedDirectory removes the notes directory and creates it again
// with another note: both wake the waiters, the missing directory lists as
// empty and the new one lists its note.
func TestRecreatedDirectory(t *testing.T) {
	d, base := openTemp(t, map[string]string{"old.md": "# Old\n"})
	dir := filepath.Join(base, "notes")

	changes := d.Changed()
	must(t, os.RemoveAll(dir))
	<-changes
	if got, err := d.List(); err != nil || len(got) != 0 {
		t.Errorf("List of the removed directory = %v, %v; want none", got, err)
	}

	changes = d.Changed()
	must(t, os.Mkdir(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "new.md"), []byte("# New\n"), 0o644))
	<-changes
	for {
		changes = d.Changed()
		got, err := d.List()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].Name == "new.md" && got[0].Title == "New" {
			break
		}
		t.Logf("List = %v; waiting for the next change", got)
		<-changes
	}
}
