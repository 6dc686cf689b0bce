package httpstream

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"charm.land/log/v2"

	"pistream/camera"
	"pistream/internal/metricstest"
	"pistream/internal/mjpegtest"
)

// scrape reads /metrics of ts, failing the test when it cannot.
func scrape(t *testing.T, client *http.Client, ts *httptest.Server) metricstest.Families {
	t.Helper()
	m, err := metricstest.Scrape(client, ts.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// value is one series' value, failing the test when it is missing.
func value(t *testing.T, m metricstest.Families, name string, labels ...string) float64 {
	t.Helper()
	v, ok := m.Value(name, labels...)
	if !ok {
		t.Fatalf("/metrics has no %s%v", name, labels)
	}
	return v
}

// waitSent waits until /metrics counts at least frames parts and jpegBytes
// bytes sent: a viewer may read a part before the server's write of it
// returns and is counted.
func waitSent(t *testing.T, client *http.Client, ts *httptest.Server, frames, jpegBytes int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("/metrics to count at least the %d frames and %d JPEG bytes read as sent", frames, jpegBytes), func() bool {
		m := scrape(t, client, ts)
		return value(t, m, "pistream_stream_frames_sent_total") >= float64(frames) &&
			value(t, m, "pistream_stream_sent_bytes_total") >= float64(jpegBytes)
	})
}

// The metrics move as viewers come and go, frames are sent and snapshots
// taken; every pistream metric is there with its type.
func TestMetrics(t *testing.T) {
	ts, s, _ := serve(t, "test")
	client := ts.Client()
	for name, typ := range map[string]string{
		"pistream_frames_captured_total":       "COUNTER",
		"pistream_frames_encoded_total":        "COUNTER",
		"pistream_frames_passed_through_total": "COUNTER",
		"pistream_frames_dropped_total":        "COUNTER",
		"pistream_jpeg_decodes_total":          "COUNTER",
		"pistream_stream_frames_sent_total":    "COUNTER",
		"pistream_stream_sent_bytes_total":     "COUNTER",
		"pistream_stream_viewers":              "GAUGE",
		"pistream_camera_reconnects_total":     "COUNTER",
		"pistream_camera_state":                "GAUGE",
		"pistream_snapshot_duration_seconds":   "HISTOGRAM",
		"process_resident_memory_bytes":        "GAUGE",
		"go_goroutines":                        "GAUGE",
	} {
		if got := scrape(t, client, ts).Type(name); got != typ {
			t.Errorf("%s: type %q, want %s", name, got, typ)
		}
	}
	if _, ok := scrape(t, client, ts).Value("pistream_ssh_sessions"); ok {
		t.Errorf("pistream_ssh_sessions without an SSH server")
	}

	waitFor(t, "the camera to stream", func() bool {
		v, _ := scrape(t, client, ts).Value("pistream_camera_state", "state", "streaming")
		return v == 1
	})
	before := scrape(t, client, ts)
	if v := value(t, before, "pistream_stream_viewers"); v != 0 {
		t.Errorf("viewers %v before any, want 0", v)
	}
	if v := value(t, before, "pistream_camera_state", "state", "starting"); v != 0 {
		t.Errorf("state starting = %v while streaming, want 0", v)
	}

	// Two viewers read 10 parts each.
	const viewers, parts = 2, 10
	var got int // JPEG bytes the viewers read
	var leave []context.CancelFunc
	for range viewers {
		ctx, cancel := context.WithCancel(t.Context())
		leave = append(leave, cancel)
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/stream", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		pr := mjpegtest.NewPartReader(resp.Body, Boundary)
		for i := range parts {
			got += len(nextJPEG(t, pr, i).JPEG)
		}
	}
	waitSent(t, client, ts, viewers*parts, got)
	during := scrape(t, client, ts)
	if v := value(t, during, "pistream_stream_viewers"); v != viewers {
		t.Errorf("viewers %v while %d watch", v, viewers)
	}
	for _, name := range []string{"pistream_frames_captured_total", "pistream_frames_encoded_total"} {
		if b, d := value(t, before, name), value(t, during, name); d <= b {
			t.Errorf("%s did not move while viewers watched: %v then %v", name, b, d)
		}
	}

	// A snapshot is timed.
	if resp := get(t, ts.URL+"/snapshot"); resp.StatusCode != 200 {
		t.Fatalf("/snapshot: %s", resp.Status)
	} else {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if v := value(t, scrape(t, client, ts), "pistream_snapshot_duration_seconds"); v != 1 {
		t.Errorf("snapshots timed: %v, want 1", v)
	}

	// The viewers leave.
	for _, l := range leave {
		l()
	}
	waitFor(t, "the viewers to leave", func() bool { return s.Viewers() == 0 })
	after := scrape(t, client, ts)
	if v := value(t, after, "pistream_stream_viewers"); v != 0 {
		t.Errorf("viewers %v after they left, want 0", v)
	}
	if b, a := value(t, during, "pistream_stream_frames_sent_total"), value(t, after, "pistream_stream_frames_sent_total"); a < b {
		t.Errorf("frames sent went down: %v then %v", b, a)
	}
}

// Each server has its own registry: two in one process both serve
// /metrics, and pistream_ssh_sessions reads the count it is given.
func TestMetricsPerServer(t *testing.T) {
	quiet := log.New(io.Discard)
	for _, sessions := range []int{0, 3} {
		cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 160, Height: 120, FPS: 30}, Logger: quiet})
		s := New(Config{Camera: cam, Logger: quiet, Sessions: func() int { return sessions }, SnapshotWait: 10 * time.Millisecond})
		ts := httptest.NewServer(s.Handler())
		defer ts.Close()
		m := scrape(t, ts.Client(), ts)
		if v := value(t, m, "pistream_ssh_sessions"); v != float64(sessions) {
			t.Errorf("pistream_ssh_sessions %v, want %d", v, sessions)
		}
		if v := value(t, m, "pistream_camera_state", "state", "starting"); v != 1 {
			t.Errorf("a camera never run: state starting = %v, want 1", v)
		}
	}
}

// /metrics is behind the token like every path.
func TestMetricsNeedToken(t *testing.T) {
	h := newAuthServer(t, testToken).Handler()
	for _, tc := range []struct {
		name string
		edit func(*http.Request)
		want int
	}{
		{"none", func(*http.Request) {}, http.StatusUnauthorized},
		{"wrong basic", func(r *http.Request) { r.SetBasicAuth("x", "wrong-token-0123456789") }, http.StatusUnauthorized},
		{"basic", func(r *http.Request) { r.SetBasicAuth("prometheus", testToken) }, http.StatusOK},
		{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testToken) }, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/metrics", nil)
			tc.edit(r)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("%d, want %d", w.Code, tc.want)
			}
		})
	}
}

// BenchmarkSentAdd is what counting costs a viewer per part sent: every
// viewer's goroutine adds to the same two counters.
func BenchmarkSentAdd(b *testing.B) {
	var c sent
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.add(20000, true)
		}
	})
	if c.frames.Load() != uint64(b.N) {
		b.Fatalf("counted %d frames of %d", c.frames.Load(), b.N)
	}
}
