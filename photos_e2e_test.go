package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
		waitSeen(t, fmt.Sprintf("snapshot %d to be saved", n), func() (bool, string) {
			return len(photosIn(t, dir)) >= n, s.text()
		})
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
		waitSeen(t, "the full-window photo to become "+want, func() (bool, string) {
			txt := s.text()
			return strings.Contains(strings.SplitN(txt, "\n", 3)[1], want), txt
		})
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

// TestPhotosShowWhereAndHow: the Photos screen says where the photos are
// and, for the selected one, its address on the album page (a link that
// gives the photo's bytes) and the scp command that copies it off.
func TestPhotosShowWhereAndHow(t *testing.T) {
	const token = "5c0f1e2d3b4a69788796a5b4c3d2e1f0"
	e := startTUI(t, nil, "--http-auth", "token", "--http-token", token)
	s := e.open(t)
	s.press("s")
	dir := filepath.Join(e.dir, "photos")
	var names []string
	waitUntil(t, "the snapshot to be saved", func() bool { names = photosIn(t, dir); return len(names) > 0 })
	name := names[0]
	s.press("2")
	txt := s.waitFor("Copy")
	if _, line := lineWith(txt, "Photos in"); !strings.Contains(line, dir) {
		t.Errorf("no line says the photos are in %s:\n%s", dir, txt)
	}
	want := e.url + "/photos/" + name + "?token=" + token
	y, line := lineWith(txt, "Open ")
	if y < 0 {
		t.Fatalf("no Open line:\n%s", txt)
	}
	x := len([]rune(line[:strings.Index(line, "http")]))
	if got := s.link(x, y); got != want {
		t.Errorf("the photo links to %q, want %q", got, want)
	}
	resp, err := http.Get(want)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if onDisk, _ := os.ReadFile(filepath.Join(dir, name)); resp.StatusCode != 200 || !bytes.Equal(body, onDisk) {
		t.Errorf("the link gave %s and %d bytes, not the photo's %d", resp.Status, len(body), len(onDisk))
	}
	u, _ := user.Current()
	h, _ := os.Hostname()
	scp := "scp " + u.Username + "@" + h + ".local:" + filepath.Join(dir, name) + " ."
	if _, line := lineWith(txt, "Copy"); !strings.Contains(line, scp[:min(len(scp), 60)]) {
		t.Errorf("the Copy line is %q, want it to show %q", line, scp)
	}
}
