package main

// The album in the browser, driven as its users do: Chromium clicks, real
// SSH sessions watch and undo.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"pistream/internal/jpegmark"
)

// Chromium clicks "Take photo" on the live page: one new complete JPEG in
// the album, named on the page and listed by every SSH session. The
// gallery lists it with its thumbnail; its download link gives the same
// bytes under its name; deleting it from the page empties the TUI's list,
// and u in the TUI brings it back, on the page too without a reload. A
// photo copied in under a hostile name is shown as text, never run.
func TestBrowserAlbum(t *testing.T) {
	const token = "album-test-token-0123456789"
	e := startTUI(t, nil, "--http-auth", "token", "--http-token", token)
	photosDir := filepath.Join(e.dir, "photos")
	a, b := e.open(t), e.open(t)
	for _, s := range []*screen{a, b} {
		s.press("2")
		s.waitFor("No photos yet")
	}
	ctx := browserFor(t, 3*time.Minute)
	var dialogs atomic.Int32 // alert(), confirm(): a hostile name run as script
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, e.url+"/?token="+token)

	// Take a photo from the live page.
	if err := chromedp.Do(ctx, chromedp.Click("#take")); err != nil {
		t.Fatalf("click Take photo: %v", err)
	}
	name := waitJS[string](t, ctx, "the page never named the photo", `document.querySelector("#msg a")?.textContent`)
	got := photosIn(t, photosDir)
	if len(got) != 1 || got[0] != name {
		t.Fatalf("photos %v, the page says %q", got, name)
	}
	data, err := os.ReadFile(filepath.Join(photosDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := jpegmark.Check(data); err != nil {
		t.Fatalf("the photo is not a complete JPEG: %v", err)
	}
	a.waitFor(name)
	b.waitFor(name)

	// The gallery lists it, with its thumbnail.
	navigate(t, ctx, e.url+"/photos")
	waitJS[bool](t, ctx, "the gallery never showed the photo with its thumbnail", `(() => {
		const f = document.querySelector("#album figure");
		const img = f?.querySelector("img");
		return f?.querySelector(".name").textContent === `+jsString(name)+` && img.complete && img.naturalWidth > 0;
	})()`)

	// Download: the same bytes, under the photo's name.
	dl := t.TempDir()
	begin := chromedp.Events(ctx, cdpbrowser.DownloadWillBegin)
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	if _, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: new(true),
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#album figure a[download]")); err != nil {
		t.Fatalf("click download: %v", err)
	}
	for ev, err := range begin {
		if err != nil {
			t.Fatal(err)
		}
		if ev.SuggestedFilename != name {
			t.Errorf("download named %q, want %q", ev.SuggestedFilename, name)
		}
		break
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
		if ev.State != cdpbrowser.DownloadProgressStateCompleted {
			continue
		}
		if got, err := os.ReadFile(filepath.Join(dl, ev.GUID)); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("the download differs from the photo (%d bytes against %d): %v", len(got), len(data), err)
		}
		break
	}

	// Delete from the page, confirmed: gone in the TUI; u there restores it.
	if err := chromedp.Do(ctx, chromedp.Click("#album figure details.del summary"), chromedp.Click("#album figure details.del button")); err != nil {
		t.Fatalf("delete: %v", err)
	}
	waitJS[bool](t, ctx, "the page never said the photo went to the trash", `document.querySelector("#notice")?.textContent.includes("to the trash")`)
	if got := photosIn(t, photosDir); len(got) != 0 {
		t.Fatalf("after the delete the photos are %v", got)
	}
	a.waitFor("No photos yet")
	b.waitFor("No photos yet")
	a.press("u")
	a.waitFor("Restored " + name)
	if restored, err := os.ReadFile(filepath.Join(photosDir, name)); err != nil || !bytes.Equal(restored, data) {
		t.Fatalf("the restored photo differs: %v", err)
	}
	waitJS[bool](t, ctx, "the page never showed the photo the TUI restored", `document.querySelector("#album .name")?.textContent === `+jsString(name))

	// A hostile name, copied in from outside, appears as text.
	hostile := `<script>alert("x")'q'<img src=x onerror=alert(1)>.jpg`
	if err := os.WriteFile(filepath.Join(photosDir, hostile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	names := waitJS[[]string](t, ctx, "the page never listed the copied photo", `(() => {
		const n = [...document.querySelectorAll("#album .name")].map((e) => e.textContent);
		return n.length === 2 && n;
	})()`)
	if !slices.Contains(names, hostile) {
		t.Errorf("the page lists %q, want %q among them as text", names, hostile)
	}
	injected, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#album script, #trash script, img[src='x']").length`))
	if err != nil {
		t.Fatal(err)
	}
	if injected != 0 || dialogs.Load() != 0 {
		t.Errorf("the hostile name made %d elements and %d dialogs", injected, dialogs.Load())
	}
}

// navigate opens url, not waiting for a load that a stream on the page
// may hold back.
func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	nctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(nctx, chromedp.Navigate(url)); err != nil && nctx.Err() == nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
}

// jsString is s as a JavaScript string literal (JSON's string is one).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// waitJS waits until the JavaScript expression is truthy on the page and
// returns its value; a page navigating meanwhile is waited out. It fails
// the test, saying what it waited for, after failureGuard (it cannot use
// waitSeen: the poll runs in the page, with the guard as its context's
// deadline).
func waitJS[T any](t *testing.T, ctx context.Context, what, expr string) T {
	t.Helper()
	deadline := time.Now().Add(failureGuard)
	for {
		pctx, cancel := context.WithDeadline(ctx, deadline)
		v, err := chromedp.Run(pctx, chromedp.Poll[T](expr, chromedp.WithPollingTimeout(0)))
		cancel()
		if err == nil {
			return v
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond) // navigating: poll the new page
	}
}
