package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFullWindowPhotoSteps: with more photos than a page of the list, the
// photo shown full-window goes one photo on and back with →, l, j, ← , h
// and k, and the help says so.
func TestFullWindowPhotoSteps(t *testing.T) {
	e := startTUI(t, nil)
	s := e.open(t)
	dir := filepath.Join(e.dir, "photos")
	for n := 1; n <= 10; n++ {
		s.press("s")
		deadline := time.Now().Add(30 * time.Second)
		for len(photosIn(t, dir)) < n {
			if time.Now().After(deadline) {
				t.Fatalf("snapshot %d never saved; the screen:\n%s", n, s.text())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	names := photosIn(t, dir)
	slices.Sort(names)
	slices.Reverse(names) // newest first, as listed
	s.press("2")
	s.waitFor("10 photos")
	s.press("g") // the list's first: the newest
	s.press("\r")
	title := func(want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			txt := s.text()
			if first := strings.SplitN(txt, "\n", 3)[1]; strings.Contains(first, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the full-window photo never became %s; the screen:\n%s", want, txt)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	title(names[0])
	for _, step := range []struct {
		key  string
		want int
	}{
		{"l", 1}, {"\x1b[C", 2}, {"j", 3}, {"k", 2}, {"\x1b[D", 1}, {"h", 0},
	} {
		s.press(step.key)
		title(names[step.want])
	}
	s.helpLine("listed next and previous photo", func(line string) bool {
		return strings.Contains(line, "→/l/j next photo") && strings.Contains(line, "←/h/k previous photo")
	})
}
