package httpstream

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"testing"
	"time"

	"pistream/internal/mjpegtest"
)

// While the camera gives no frames and is not streaming, every viewer,
// over HTTP/1.1, TLS and HTTP/2, gets the NO SIGNAL picture (a complete
// JPEG at the camera's size) again and again, so its <img> shows state
// rather than a broken image.
func TestNoSignalParts(t *testing.T) {
	for _, tc := range protocols {
		t.Run(tc.name, func(t *testing.T) {
			ts, _, cam, _, client := serveProto(t, testCamera("/dev/nonexistent-camera"), tc.tls, tc.h2)
			// The failure guard: the parts come after a second each.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			resp := openStream(t, ctx, ts, client, tc)
			defer resp.Body.Close()
			pr := mjpegtest.NewPartReader(resp.Body, Boundary)
			for i := range 2 {
				p := nextJPEG(t, pr, i)
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.JPEG))
				if err != nil || cfg.Width != 160 || cfg.Height != 120 {
					t.Fatalf("part %d: %dx%d (%v), want the camera's 160x120", i, cfg.Width, cfg.Height, err)
				}
			}
			if st := cam.Status(); st.State == "streaming" {
				t.Fatalf("the camera is streaming: %+v", st)
			}
		})
	}
}

// A camera that stops giving frames and comes back: every viewer, over
// HTTP/1.1, TLS and HTTP/2, gets frames, then the NO SIGNAL picture while
// the camera reconnects, then frames again, on the same stream. The source
// is a GStreamer pipeline of 15 white frames (half a second) that then
// ends; the camera reopens it after 2.5 s, more than NoSignalAfter.
func TestNoSignalWhileSourceStalls(t *testing.T) {
	cfg := testCamera("videotestsrc pattern=white is-live=true num-buffers=15 ! " +
		"video/x-raw,width=160,height=120,framerate=30/1 ! videoconvert ! video/x-raw,format=BGR ! " +
		"appsink drop=true max-buffers=1 sync=false")
	cfg.BackoffMin, cfg.BackoffMax = 2500*time.Millisecond, 2500*time.Millisecond
	for _, tc := range protocols {
		t.Run(tc.name, func(t *testing.T) {
			ts, _, _, _, client := serveProto(t, cfg, tc.tls, tc.h2)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a failure guard
			defer cancel()
			resp := openStream(t, ctx, ts, client, tc)
			defer resp.Body.Close()
			pr := mjpegtest.NewPartReader(resp.Body, Boundary)
			var seen []string
			for _, want := range []string{"frame", "NO SIGNAL", "frame"} {
				for {
					got := partKind(t, nextJPEG(t, pr, len(seen)))
					seen = append(seen, got)
					if got == want {
						break
					}
				}
			}
			t.Logf("parts: %v", compact(seen))
		})
	}
}

// partKind tells a white camera frame from the dark grey NO SIGNAL picture
// by the pixel in its top left corner.
func partKind(t *testing.T, p mjpegtest.Part) string {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(p.JPEG))
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(2, 2).RGBA()
	switch y := (r + g + b) / 3 >> 8; {
	case y > 200:
		return "frame"
	case y < 80:
		return "NO SIGNAL"
	default:
		t.Fatalf("a part neither white nor dark grey: %d", y)
		return ""
	}
}

// compact counts the runs in kinds: [frame×12 NO SIGNAL×2 frame×1].
func compact(kinds []string) []string {
	var out []string
	for i := 0; i < len(kinds); {
		j := i
		for j < len(kinds) && kinds[j] == kinds[i] {
			j++
		}
		out = append(out, fmt.Sprintf("%s×%d", kinds[i], j-i))
		i = j
	}
	return out
}
