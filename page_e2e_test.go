package main

// The page's defects of issue 11, as a phone's browser meets them.

import (
	"context"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// On a phone-sized Chromium, with a camera that fails: the 401 page takes
// the token in a field; after it the address bar holds no token (also when
// the URL came with ?token=); the live image shows the NO SIGNAL picture
// rather than a broken image; the error text wraps between words; the
// page is light or dark as the system asks.
func TestBrowserPageWithFailedCamera(t *testing.T) {
	const token = "page-test-token-0123456789"
	p := startWith(t, launch{noFrames: true}, "--camera", "/dev/nonexistent-camera", "--http-auth", "token", "--http-token", token)
	ctx := browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 360, Height: 740, DeviceScaleFactor: 2, Mobile: true,
	}); err != nil {
		t.Fatal(err)
	}

	// No token yet: the browser asks for Basic credentials, the user
	// cancels its dialog and sees a page with a field for the token.
	stopCancelling := cancelAuthDialogs(t, ctx)
	navigate(t, ctx, p.url+"/")
	waitJS[bool](t, ctx, "the 401 page has no token field", `!!document.querySelector("input#token[name=token]")`)
	if err := chromedp.Do(ctx, chromedp.SendKeys("#token", token), chromedp.Submit("#token")); err != nil {
		t.Fatalf("enter the token: %v", err)
	}
	stopCancelling()
	waitJS[bool](t, ctx, "the token did not open the page, at the clean URL", `location.pathname === "/" && location.search === "" && !!document.querySelector("#live")`)

	// The camera has failed: the image shows the NO SIGNAL picture.
	waitJS[bool](t, ctx, "the live image never showed a picture", `document.querySelector("#live").naturalWidth === 640`)

	// The error wraps between words: no word that fits the column is split
	// over two lines.
	waitJS[bool](t, ctx, "the page never showed the camera's error", `document.querySelector("#error").textContent.length > 20`)
	split := waitJS[[]string](t, ctx, "measure the error's words", `(() => {
		const dd = document.querySelector("#error"), split = [];
		const width = dd.getBoundingClientRect().width;
		const texts = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
		for (let text; (text = texts.nextNode()); ) {
			let at = 0;
			for (const word of text.textContent.split(" ")) {
				const r = document.createRange();
				r.setStart(text, at);
				r.setEnd(text, at + word.length);
				at += word.length + 1;
				const rects = [...r.getClientRects()].filter((q) => q.width > 0);
				const w = rects.reduce((s, q) => s + q.width, 0);
				if (rects.length > 1 && w <= width) split.push(word);
			}
		}
		return split.concat(["ok"]);
	})()`)
	if len(split) != 1 {
		t.Errorf("words split over two lines: %q", split[:len(split)-1])
	}

	// The system's colour scheme, light or dark.
	for _, tc := range []struct {
		scheme string
		light  bool
	}{{"light", true}, {"dark", false}} {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: tc.scheme}},
		}); err != nil {
			t.Fatal(err)
		}
		luma, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
			const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
			return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if tc.light && luma < 200 || !tc.light && luma > 60 {
			t.Errorf("prefers-color-scheme %s: the page's background has luma %d", tc.scheme, luma)
		}
	}

	// A URL with ?token= typed or bookmarked: the token leaves the address bar.
	navigate(t, ctx, p.url+"/photos?token="+token)
	waitJS[bool](t, ctx, "the token stayed in the address bar", `location.pathname === "/photos" && location.search === "" && !!document.querySelector("#album")`)
}

// cancelAuthDialogs answers every Basic challenge as a user who cancels
// the browser's dialog, until the returned func (which waits for the
// goroutines it started) is called. Headless Chromium has no dialog.
func cancelAuthDialogs(t *testing.T, ctx context.Context) (stop func()) {
	t.Helper()
	fctx, cancel := context.WithCancel(ctx)
	paused := chromedp.Events(fctx, fetch.RequestPaused)
	auth := chromedp.Events(fctx, fetch.AuthRequired)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{HandleAuthRequests: new(true)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			chromedp.Call(fctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}
	})
	wg.Go(func() {
		for ev, err := range auth {
			if err != nil {
				return
			}
			chromedp.Call(fctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{
				RequestID:             ev.RequestID,
				AuthChallengeResponse: &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth},
			})
		}
	})
	return func() {
		chromedp.Call(ctx, fetch.Disable, cdp.Empty{})
		cancel()
		wg.Wait()
	}
}
