package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// errorBackground reports whether the cell at x, y has the status bar's
// error background, #B3261E, or its nearest in 256 colours.
func (s *screen) errorBackground(x, y int) bool {
	s.emuMu.Lock()
	defer s.emuMu.Unlock()
	c := s.emu.CellAt(x, y)
	if c == nil || c.Style.Bg == nil {
		return false
	}
	r, g, b, _ := c.Style.Bg.RGBA()
	return r>>8 >= 0x90 && g>>8 < 0x50 && b>>8 < 0x50
}

// TestStatusMessages: "nothing to undo" is news, not an error: not red,
// and gone after a while; a long error is shown whole, wrapped, at 100
// columns.
func TestStatusMessages(t *testing.T) {
	e := startTUI(t, nil)
	s := e.open(t)
	s.press("2")
	s.waitFor("No photos yet")
	s.press("u")
	txt := s.waitFor("othing to undo")
	y, line := lineWith(txt, "othing to undo")
	x := len([]rune(line[:strings.Index(line, "othing to undo")]))
	if s.errorBackground(x, y) {
		t.Error("\"Nothing to undo\" is drawn as an error, on red")
	}
	waitSeen(t, "\"Nothing to undo\" to go", func() (bool, string) {
		txt := s.text()
		return !strings.Contains(txt, "othing to undo"), txt
	})

	// A snapshot that fails with a long error: the photos directory is
	// now a file, under a long name.
	photos := filepath.Join(e.dir, "photos")
	if err := os.RemoveAll(photos); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photos, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.press("s")
	txt = s.waitFor("Snapshot failed")
	want := "Snapshot failed: save photo: mkdir " + photos + ": not a directory"
	if got := strings.Join(strings.Fields(txt), " "); !strings.Contains(got, want) {
		t.Errorf("the error is not shown whole; want %q on the screen:\n%s", want, txt)
	}
}
