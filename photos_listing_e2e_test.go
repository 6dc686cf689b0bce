package main

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// BenchmarkAlbumSessions: pistream with an album of 5,000 photos, and 1,
// then 8, SSH sessions on Photos; b.N photos copied in one at a time, each
// once every session shows the one before. Per photo: pistream's CPU and
// the photo directory's opens (listings), and the CPU with 8 sessions
// against 1 in the same run. Each session still redraws its list of 5,000
// for every change; the listing itself is made once for all.
func BenchmarkAlbumSessions(b *testing.B) {
	const album = 5000
	e := startTUI(b, nil)
	dir := filepath.Join(e.dir, "photos")
	var small bytes.Buffer
	if err := jpeg.Encode(&small, image.NewGray(image.Rect(0, 0, 16, 12)), nil); err != nil {
		b.Fatal(err)
	}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range album {
		p := filepath.Join(dir, fmt.Sprintf("old-%05d.jpg", i))
		if err := os.WriteFile(p, small.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	opens, err := diropens.Watch(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer opens.Close()
	var screens []*screen
	copied := 0
	// measure opens sessions until there are n, then copies b.N photos in,
	// and returns pistream's CPU and the directory's opens per photo.
	measure := func(n int) (time.Duration, float64) {
		for len(screens) < n {
			s := e.open(b)
			s.press("2")
			s.waitFor(fmt.Sprintf("%d photos", album+copied))
			screens = append(screens, s)
		}
		cpu0 := cpuTime(b, e.pid())
		opens0, err := opens.Count()
		if err != nil {
			b.Fatal(err)
		}
		for range b.N {
			name := fmt.Sprintf("new-%05d.jpg", copied)
			copied++
			if err := os.WriteFile(filepath.Join(dir, name), small.Bytes(), 0o644); err != nil {
				b.Fatal(err)
			}
			for _, s := range screens {
				s.waitFor(fmt.Sprintf("%d photos", album+copied))
			}
		}
		cpu := cpuTime(b, e.pid()) - cpu0
		opens1, err := opens.Count()
		if err != nil {
			b.Fatal(err)
		}
		return cpu / time.Duration(b.N), float64(opens1-opens0) / float64(b.N)
	}
	b.ResetTimer()
	cpu1, opens1 := measure(1)
	cpu8, opens8 := measure(8)
	b.ReportMetric(float64(cpu1.Microseconds())/1000, "cpu-ms/photo-1-session")
	b.ReportMetric(float64(cpu8.Microseconds())/1000, "cpu-ms/photo-8-sessions")
	b.ReportMetric(float64(cpu8)/float64(cpu1), "cpu-8/1")
	b.ReportMetric(opens1, "listings/photo-1-session")
	b.ReportMetric(opens8, "listings/photo-8-sessions")
}
