package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"pistream/httpstream"

	"github.com/chromedp/chromedp"
	"gocv.io/x/gocv"
)

var screenshots = flag.String("screenshots", "", "directory to keep the browser test's screenshots in")

// Headless Chromium opens the page: the live image is there, not blank,
// and changes between two screenshots a second apart.
func TestBrowserShowsLiveFeed(t *testing.T) {
	const token = "browser-test-token-0123456789"
	p := start(t, "--http-auth", "token", "--http-token", token)
	ctx := browser(t)
	// The URL pistream prints: the token in the query; the page's own
	// requests (the <img> and fetch of /state) then go by the cookie.
	openPage(t, ctx, p.url+"/?token="+token)
	time.Sleep(1500 * time.Millisecond) // frames flowing, state fetched
	first, err := chromedp.Run(ctx, chromedp.Screenshot("#live"))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	time.Sleep(time.Second)
	second, err := chromedp.Run(ctx, chromedp.Screenshot("#live"))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	page, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("page screenshot: %v", err)
	}
	badge, err := chromedp.Run(ctx, chromedp.Text("#badge"))
	if err != nil {
		t.Fatalf("badge: %v", err)
	}
	if *screenshots != "" {
		os.MkdirAll(*screenshots, 0o755)
		os.WriteFile(filepath.Join(*screenshots, "live-1.png"), first, 0o644)
		os.WriteFile(filepath.Join(*screenshots, "live-2.png"), second, 0o644)
		os.WriteFile(filepath.Join(*screenshots, "page.png"), page, 0o644)
	}
	a, b := decodePNG(t, first), decodePNG(t, second)
	if a.Bounds().Dx() < 300 {
		t.Errorf("live image only %v wide", a.Bounds())
	}
	if s := spread(a); s < 40 {
		t.Errorf("first screenshot looks blank (luma spread %d)", s)
	}
	if d := differing(a, b); d < 0.01 {
		t.Errorf("the image did not change in a second (%.3f%% of pixels differ)", 100*d)
	}
	if badge != "streaming" {
		t.Errorf("state badge says %q, want streaming", badge)
	}
}

// browser starts headless Chromium for the test, ended with it; the
// context fails the test's browsing after 60 s.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, failureGuard)
}

// browserFor is browser with the test's browsing failed after limit.
func browserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: `make test` installs it (Debian package chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1000, 700),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, limit)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // start the browser on ctx
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// openPage opens pistream's page at url and waits for its live image. The
// page never finishes loading (the stream doesn't end), so it does not
// wait for the load event.
func openPage(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	nctx, ncancel := context.WithTimeout(ctx, 5*time.Second)
	_, err := chromedp.Run(nctx, chromedp.Navigate(url))
	if err != nil && nctx.Err() == nil {
		t.Fatalf("navigate: %v", err)
	}
	ncancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitVisible("#live")); err != nil {
		t.Fatalf("wait for the image: %v", err)
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	return img
}

func luma(c color.Color) int {
	r, g, b, _ := c.RGBA()
	return int((299*r + 587*g + 114*b) / 1000 >> 8)
}

// spread is the difference between the brightest and darkest pixel.
func spread(img image.Image) int {
	lo, hi := 255, 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y += 2 {
		for x := bd.Min.X; x < bd.Max.X; x += 2 {
			l := luma(img.At(x, y))
			lo, hi = min(lo, l), max(hi, l)
		}
	}
	return hi - lo
}

// differing is the fraction of pixels whose luma differs by more than 16.
func differing(a, b image.Image) float64 {
	bd := a.Bounds().Intersect(b.Bounds())
	n, d := 0, 0
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			n++
			if l := luma(a.At(x, y)) - luma(b.At(x, y)); l > 16 || l < -16 {
				d++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(d) / float64(n)
}

// A source that stops (a short video file, read through the same gocv path
// as a camera) shows reconnecting in /state; the viewer stays connected and
// frames resume on the same response.
func TestSourceStopsViewerStays(t *testing.T) {
	path := writeClip(t, 15)
	p := start(t, "--camera", path, "--size", "320x240")
	v := watch(t, p, 0)
	var sawAt time.Time
	waitSeen(t, "/state to say reconnecting", func() (bool, string) {
		st := p.state(t)
		if st.Camera != "reconnecting" {
			return false, fmt.Sprintf("%+v", st)
		}
		sawAt = time.Now()
		if st.Error == "" {
			t.Error("reconnecting without an error in /state")
		}
		return true, ""
	})
	// The same response goes on: 5 frames after the source came back.
	waitSeen(t, "the viewer to get 5 frames after the source came back", func() (bool, string) {
		v.mu.Lock()
		err := v.err
		v.mu.Unlock()
		if err != nil {
			t.Fatalf("the viewer's stream ended: %v", err)
		}
		n := v.count(sawAt, time.Now().Add(time.Hour))
		return n >= 5, fmt.Sprintf("%d frames", n)
	})
	if st := p.state(t); st.Reconnects < 1 {
		t.Errorf("/state reconnects = %d", st.Reconnects)
	}
}

// writeClip writes a 320x240 MJPG video of n frames at 30 fps, each a
// different colour, and returns its path.
func writeClip(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clip.avi")
	vw, err := gocv.VideoWriterFile(path, "MJPG", 30, 320, 240, true)
	if err != nil {
		t.Fatal(err)
	}
	m := gocv.NewMatWithSize(240, 320, gocv.MatTypeCV8UC3)
	for i := range n {
		m.SetTo(gocv.NewScalar(float64(i*15%256), 80, 160, 0))
		vw.Write(m)
	}
	m.Close()
	vw.Close()
	return path
}

// A viewer that leaves while no frames flow (the source ended and cannot
// be reopened: its file is gone) is noticed: the viewer count drops to 0
// though nothing was written to it since.
func TestViewerLeavesWhileNoFrames(t *testing.T) {
	path := writeClip(t, 30)
	p := start(t, "--camera", path, "--size", "320x240")
	v := watch(t, p, 0)
	os.Remove(path) // the clip plays to its end; reopening it then fails for good
	waitStateOf(t, p, "reconnecting with its viewer", func(s httpstream.State) bool { return s.Camera != "streaming" && s.Viewers == 1 })
	got := v.total()
	v.stop()
	waitStateOf(t, p, "noticing the viewer left while no frames flowed", func(s httpstream.State) bool { return s.Viewers == 0 })
	if st := p.state(t); st.Camera == "streaming" {
		t.Errorf("the camera streamed again (%d frames reached the viewer before it left): the test proves nothing", got)
	}
}
