package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pistream/internal/diropens"
)

// TestPhotosListedOncePerChange: eight SSH sessions on Photos and the
// album page loaded three times per photo, while photos are copied into
// the album one at a time from outside: the photo directory is listed
// about once per photo (counted from outside, as the directory's opens),
// not once per session and page load; every session and page shows each
// photo.
func TestPhotosListedOncePerChange(t *testing.T) {
	const sessions, photos, pages = 8, 5, 3
	e := startTUI(t, nil)
	dir := filepath.Join(e.dir, "photos")
	var screens []*screen
	for range sessions {
		s := e.open(t)
		s.press("2")
		s.waitFor("No photos yet")
		screens = append(screens, s)
	}
	jpeg := getJPEG(t, e.proc, "/snapshot")
	page := func() string {
		t.Helper()
		resp, err := e.get(t.Context(), "/photos")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /photos: %d, %v", resp.StatusCode, err)
		}
		return string(b)
	}

	opens, err := diropens.Watch(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer opens.Close()
	before, err := opens.Count()
	if err != nil {
		t.Fatal(err)
	}
	for i := range photos {
		name := fmt.Sprintf("copied-%d.jpg", i)
		if err := os.WriteFile(filepath.Join(dir, name), jpeg, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, s := range screens {
			s.waitFor(name)
		}
		for range pages {
			// The page shows the index's listing: a photo copied in shows
			// once it has listed it, which the sessions showing it prove.
			if !strings.Contains(page(), name) {
				t.Fatalf("the album page does not list %s, which every session shows", name)
			}
		}
	}
	after, err := opens.Count()
	if err != nil {
		t.Fatal(err)
	}
	n := after - before
	t.Logf("%d photos copied in, %d sessions, %d page loads a photo: the photo directory was opened %d times, %.1f a photo",
		photos, sessions, pages, n, float64(n)/photos)
	// One listing a change; a copy whose events the watch gathers in two
	// batches may cost two.
	if n > 2*photos {
		t.Errorf("the photo directory was opened %d times for %d photos, want at most %d (one listing per change, for every session and page)",
			n, photos, 2*photos)
	}
}
