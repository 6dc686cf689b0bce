package album

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// makeJPEG encodes a w×h test picture; seed varies its content.
func makeJPEG(t testing.TB, w, h, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(x*7 + y*13 + seed*31 + (x*y)%17)
			img.Set(x, y, color.RGBA{v, v ^ 0x5a, uint8(seed), 0xff})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openTest opens an album in a fresh directory and closes it after the test.
func openTest(t *testing.T) (*Album, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "photos")
	return openAt(t, dir), dir
}

func openAt(t *testing.T, dir string) *Album {
	t.Helper()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	return a
}

// dirNames returns the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// names returns the names of photos in order.
func names(photos []Photo) []string {
	var ns []string
	for _, p := range photos {
		ns = append(ns, p.Name)
	}
	return ns
}

// mustList lists a or fails the test.
func mustList(t *testing.T, a *Album) []Photo {
	t.Helper()
	photos, err := a.List()
	if err != nil {
		t.Fatal(err)
	}
	return photos
}

// noTemps fails the test if dir holds a temp file.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	for _, n := range dirNames(t, dir) {
		if strings.HasPrefix(n, tempPrefix) {
			t.Errorf("temp file %s left in %s", n, dir)
		}
	}
}

// when is a fixed local time for tests.
var when = time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.Local)

func TestOpenCreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "photos")
	a := openAt(t, dir)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() || fi.Mode().Perm()&^0o755 != 0 {
		t.Errorf("mode %v, want a directory with at most 0755", fi.Mode())
	}
	if a.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", a.Dir(), dir)
	}
}

func TestOpenRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, tempPrefix+"old"), filepath.Join(dir, tempPrefix+"fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	openAt(t, dir)
	if got, want := dirNames(t, dir), []string{tempPrefix + "fresh"}; !slices.Equal(got, want) {
		t.Errorf("after Open: %q, want %q (a Save may be writing the fresh one)", got, want)
	}
}

func TestClosedAlbum(t *testing.T) {
	a, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ch := a.Changed()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, ok := <-ch; ok {
		t.Error("Changed's channel not closed by Close")
	}
	if a.Changed() != nil {
		t.Error("Changed after Close returned a channel that may still close")
	}
	if _, err := a.Save(makeJPEG(t, 8, 8, 0), when); err == nil {
		t.Error("Save after Close succeeded")
	}
	if _, err := a.List(); err == nil {
		t.Error("List after Close succeeded")
	}
}
