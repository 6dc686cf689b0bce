package httpstream

import (
	"bytes"
	"context"
	"image/jpeg"
	"net/http"
	"testing"
	"time"

	"pistream/internal/mjpegtest"
)

// While the camera gives no frames and is not streaming, every viewer,
// over HTTP/1.1, TLS and HTTP/2, gets the NO SIGNAL picture (a complete
// JPEG at the camera's size) again and again, so its <img> shows state
// rather than a broken image.
func TestNoSignalParts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tls, h2 bool
	}{
		{"http1", false, false},
		{"http1-tls", true, false},
		{"http2", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, _, cam, _, client := serveProto(t, "/dev/nonexistent-camera", tc.tls, tc.h2)
			// The failure guard: the parts come after a second each.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/stream", nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
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
