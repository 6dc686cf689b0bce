package httpstream

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pistream/camera"
	"pistream/internal/jpegmark"
	"pistream/internal/mjpegtest"
)

// serve starts a real camera with spec and an httptest server in front of
// it, both stopped when the test ends.
func serve(t *testing.T, spec string) (*httptest.Server, *Server, *camera.Camera) {
	t.Helper()
	ts, s, cam, _ := serveWith(t, testCamera(spec), (*httptest.Server).Start)
	return ts, s, cam
}

// testCamera is the camera the tests serve: spec at 160x120, 30 frames a
// second, reopened within 10-50 ms when it fails.
func testCamera(spec string) camera.Config {
	return camera.Config{
		Spec: spec, Settings: camera.Settings{Width: 160, Height: 120, FPS: 30},
		BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
	}
}

// serveWith is serve with a camera of cfg and the httptest server started
// by start (Start or StartTLS, after setting EnableHTTP2 as wanted); stop
// ends the server's streams as pistream's stop does, before the test ends.
func serveWith(t testing.TB, cfg camera.Config, start func(*httptest.Server)) (ts *httptest.Server, s *Server, cam *camera.Camera, stop func()) {
	t.Helper()
	cam = camera.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); cam.Run(ctx) }()
	s = New(Config{Camera: cam, SnapshotWait: 300 * time.Millisecond, FrameWriteTimeout: time.Second})
	ts = httptest.NewUnstartedServer(s.Handler())
	ts.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	start(ts)
	t.Cleanup(func() {
		cancel()
		ts.Close()
		<-done
	})
	return ts, s, cam, cancel
}

// serveProto is serveWith over HTTP/1.1, with TLS or not, or HTTP/2 (with
// TLS), and a client that speaks just that.
func serveProto(t testing.TB, cfg camera.Config, tls, h2 bool) (ts *httptest.Server, s *Server, cam *camera.Camera, stop func(), client *http.Client) {
	t.Helper()
	ts, s, cam, stop = serveWith(t, cfg, func(ts *httptest.Server) {
		ts.EnableHTTP2 = h2
		if tls {
			ts.StartTLS()
		} else {
			ts.Start()
		}
	})
	client = ts.Client()
	if tls && !h2 {
		// Only what the server offers: http/1.1.
		client.Transport.(*http.Transport).ForceAttemptHTTP2 = false
	}
	return ts, s, cam, stop, client
}

// protocol is a way a viewer comes: HTTP/1.1, over TLS or not, or HTTP/2.
type protocol struct {
	name    string
	tls, h2 bool
}

// protocols are the ways serveProto serves.
var protocols = []protocol{
	{"http1", false, false},
	{"http1-tls", true, false},
	{"http2", true, true},
}

// openStream opens /stream of ts with client, until ctx ends, failing
// unless it comes over the protocol asked (HTTP/2 or HTTP/1.x).
func openStream(t testing.TB, ctx context.Context, ts *httptest.Server, client *http.Client, p protocol) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/stream", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /stream: %v", err)
	}
	if want := map[bool]int{false: 1, true: 2}[p.h2]; resp.ProtoMajor != want {
		resp.Body.Close()
		t.Fatalf("%s, want HTTP/%d", resp.Proto, want)
	}
	return resp
}

// nextJPEG reads part i, failing unless it is a complete JPEG.
func nextJPEG(t *testing.T, pr *mjpegtest.PartReader, i int) mjpegtest.Part {
	t.Helper()
	p, err := pr.Next(nil)
	if err == nil {
		err = jpegmark.Check(p.JPEG)
	}
	if err != nil {
		t.Fatalf("part %d: %v", i, err)
	}
	return p
}

func get(t *testing.T, url string) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp
}

func TestStreamParts(t *testing.T) {
	began := time.Now().Truncate(time.Microsecond) // no frame is captured before (X-Timestamp has µs)
	ts, _, _ := serve(t, "test")
	for _, path := range []string{"/stream", "/?action=stream"} {
		t.Run(path, func(t *testing.T) {
			resp := get(t, ts.URL+path)
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); ct != "multipart/x-mixed-replace; boundary="+Boundary {
				t.Fatalf("Content-Type %q", ct)
			}
			if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			pr := mjpegtest.NewPartReader(resp.Body, Boundary)
			var last time.Time
			for i := range 10 {
				p := nextJPEG(t, pr, i)
				// X-Timestamp is the frame's capture: later than the part
				// before, and between the camera's start and the part's arrival.
				if !p.Time.After(last) || p.Time.Before(began) || p.Time.After(time.Now()) {
					t.Fatalf("part %d: X-Timestamp %v after %v, want it later, after %v and not in the future", i, p.Time, last, began)
				}
				last = p.Time
			}
		})
	}
}

func TestSnapshot(t *testing.T) {
	ts, _, _ := serve(t, "test")
	for _, path := range []string{"/snapshot", "/?action=snapshot"} {
		resp := get(t, ts.URL+path)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("%s: %s %q", path, resp.Status, resp.Header.Get("Content-Type"))
		}
		if err := jpegmark.Check(body); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if resp.Header.Get("X-Timestamp") == "" {
			t.Errorf("%s: no X-Timestamp", path)
		}
	}
}

func TestSnapshotBeforeFirstFrame(t *testing.T) {
	ts, _, cam := serve(t, "/nonexistent.avi")
	// Opening a missing file through OpenCV can take a second on a busy
	// machine: wait until the camera has failed, then ask.
	deadline := time.Now().Add(30 * time.Second)
	for cam.Status().Err == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the camera never failed: %+v", cam.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp := get(t, ts.URL+"/snapshot")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %s, want 503", resp.Status)
	}
	if msg := string(body); !strings.Contains(msg, "no frame yet") || !strings.Contains(msg, "/nonexistent.avi") {
		t.Errorf("message %q should say there is no frame and why", msg)
	}
}

func TestState(t *testing.T) {
	ts, s, _ := serve(t, "test")
	resp := get(t, ts.URL+"/stream") // one viewer
	defer resp.Body.Close()
	if _, err := mjpegtest.NewPartReader(resp.Body, Boundary).Next(nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // let the camera measure its rate
	r := get(t, ts.URL+"/state")
	defer r.Body.Close()
	var st State
	if err := json.NewDecoder(r.Body).Decode(&st); err != nil {
		t.Fatalf("decode /state: %v", err)
	}
	if st.Source != "test" || st.Camera != "streaming" || st.Width != 160 || st.Height != 120 ||
		st.FPS != 30 || st.MeasuredFPS <= 0 || st.Viewers != 1 || st.Uptime <= 0 {
		t.Errorf("/state = %+v", st)
	}
	if s.Viewers() != 1 {
		t.Errorf("Viewers() = %d", s.Viewers())
	}
}

func TestIndexAndNotFound(t *testing.T) {
	ts, _, _ := serve(t, "test")
	resp := get(t, ts.URL+"/")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`src="stream"`)) || !bytes.Contains(body, []byte("viewport")) {
		t.Errorf("/: %s, page without the feed or viewport", resp.Status)
	}
	for path, want := range map[string]int{"/nope": 404, "/?action=nope": 404} {
		resp := get(t, ts.URL+path)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err := http.Post(ts.URL+"/stream", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /stream: %d, want 405", resp.StatusCode)
	}
}

// Viewers that leave, mid-frame or not, end only their own handler: the
// others go on and the viewer count and goroutines come back down.
func TestViewersLeaving(t *testing.T) {
	ts, s, _ := serve(t, "test")
	keep := get(t, ts.URL+"/stream")
	defer keep.Body.Close()
	kept := mjpegtest.NewPartReader(keep.Body, Boundary)
	if _, err := kept.Next(nil); err != nil {
		t.Fatal(err)
	}
	base := runtime.NumGoroutine()
	addr := strings.TrimPrefix(ts.URL, "http://")
	for i := range 50 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
		io.ReadFull(c, make([]byte, 100+i*37)) // a few bytes, then gone
		c.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Viewers() != 1 || runtime.NumGoroutine() > base+2 {
		if time.Now().After(deadline) {
			t.Fatalf("viewers %d (want 1), goroutines %d (baseline %d)", s.Viewers(), runtime.NumGoroutine(), base)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for range 5 {
		if _, err := kept.Next(nil); err != nil {
			t.Fatalf("the viewer who stayed lost the feed: %v", err)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1795663030.162499": time.Unix(1795663030, 162499000),
		"12":                time.Unix(12, 0),
		"12.5":              time.Unix(12, 500000000),
	} {
		got, err := mjpegtest.ParseTimestamp(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("mjpegtest.ParseTimestamp(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := mjpegtest.ParseTimestamp("x"); err == nil {
		t.Error("mjpegtest.ParseTimestamp(x) succeeded")
	}
	ts := time.Unix(1795663030, 162499999)
	if got := string(appendTimestamp(nil, ts)); got != "1795663030.162499" {
		t.Errorf("appendTimestamp = %q", got)
	}
	want := "--pistreamframe\r\nContent-Type: image/jpeg\r\nContent-Length: 22345\r\nX-Timestamp: 1795663030.162499\r\n\r\n"
	if got := string(appendPartHeader([]byte("old"), 22345, ts)[3:]); got != want {
		t.Errorf("appendPartHeader = %q, want %q", got, want)
	}
}

// /stream over HTTP/1.1, plain and over TLS, and over HTTP/2: the same
// headers and parts. Over HTTP/1.x the connection is taken over: no chunked
// encoding, Connection: close, the body runs until the connection closes.
// Leaving and the server's stop both end the stream and its goroutines.
func TestStreamProtocols(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tls   bool
		h2    bool
		proto int
	}{
		{"http1", false, false, 1},
		{"http1-tls", true, false, 1},
		{"http2", true, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			ts, s, _, stop, client := serveProto(t, testCamera("test"), tc.tls, tc.h2)
			open := func() (*http.Response, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/stream", nil)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("GET /stream: %v", err)
				}
				return resp, cancel
			}
			resp, leave := open()
			defer resp.Body.Close()
			if resp.ProtoMajor != tc.proto {
				t.Fatalf("%s, want HTTP/%d", resp.Proto, tc.proto)
			}
			for k, want := range map[string]string{
				"Content-Type":      "multipart/x-mixed-replace; boundary=" + Boundary,
				"Cache-Control":     "no-store, no-cache, must-revalidate, max-age=0",
				"Pragma":            "no-cache",
				"Expires":           "0",
				"X-Accel-Buffering": "no",
			} {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			if tc.proto == 1 && (len(resp.TransferEncoding) > 0 || !resp.Close || resp.ContentLength != -1) {
				t.Errorf("Transfer-Encoding %v, Connection: close %v, Content-Length %d: want a body that runs until the connection closes",
					resp.TransferEncoding, resp.Close, resp.ContentLength)
			}
			pr := mjpegtest.NewPartReader(resp.Body, Boundary)
			read := 0
			for i := range 5 {
				read += len(nextJPEG(t, pr, i).JPEG)
			}
			// /metrics counts what this protocol's path sent (the server
			// counts a part once its write returned: wait for that).
			waitSent(t, client, ts, 5, read)

			// The viewer leaves: its handler ends.
			leave()
			waitFor(t, "the viewer who left to be gone", func() bool { return s.Viewers() == 0 })

			// The server stops: the stream ends at once, every goroutine with it.
			resp2, leave2 := open()
			defer leave2()
			defer resp2.Body.Close()
			if _, err := mjpegtest.NewPartReader(resp2.Body, Boundary).Next(nil); err != nil {
				t.Fatal(err)
			}
			stop()
			if _, err := io.Copy(io.Discard, resp2.Body); err != nil && tc.proto == 1 {
				t.Logf("the stream ended with %v", err)
			}
			waitFor(t, "the streams to end", func() bool { return s.Viewers() == 0 })
			resp.Body.Close()
			resp2.Body.Close()
			client.CloseIdleConnections()
			ts.Close()
			waitFor(t, fmt.Sprintf("goroutines back to %d", base), func() bool { return runtime.NumGoroutine() <= base+2 })
		})
	}
}

// A viewer that leaves while the camera has no frame to send is noticed:
// its handler ends, though no write ever failed.
func TestViewerLeavesWithoutFrames(t *testing.T) {
	ts, s, _ := serve(t, "/nonexistent.avi") // never gives a frame
	c, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second)) // only so that a hang fails
	io.WriteString(c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET /stream while the camera has no frame: %v (the status line waits for a first frame?)", err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET /stream: %s", resp.Status)
	}
	if s.Viewers() != 1 {
		t.Fatalf("%d viewers, want 1", s.Viewers())
	}
	c.Close()
	waitFor(t, "the viewer who left to be gone", func() bool { return s.Viewers() == 0 })
}

// HEAD /stream answers the headers and ends: no viewer stays counted.
func TestHeadStream(t *testing.T) {
	ts, s, _ := serve(t, "test")
	resp, err := http.Head(ts.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "multipart/x-mixed-replace; boundary="+Boundary {
		t.Fatalf("HEAD /stream: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	waitFor(t, "the HEAD's handler to end", func() bool { return s.Viewers() == 0 })
}

// waitFor waits until cond holds, failing after 60 s (a hang, not a speed
// requirement).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second) // a failure guard
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 60 s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// blockingWriter is a ResponseWriter whose first write closes entered and
// waits until the test closes release, so the test can look at the server
// meanwhile.
type blockingWriter struct {
	http.ResponseWriter
	first            sync.Once
	entered, release chan struct{}
}

func (b *blockingWriter) Write(p []byte) (int, error) {
	b.first.Do(func() {
		close(b.entered)
		<-b.release
	})
	return b.ResponseWriter.Write(p)
}

// A viewer refused for --max-viewers is never counted as a viewer, not
// even while it is being told so.
func TestRefusedViewerIsNotCounted(t *testing.T) {
	cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 160, Height: 120, FPS: 30}})
	s := New(Config{Camera: cam, MaxViewers: 1})
	s.viewers.Store(1) // one viewer watching
	w := &blockingWriter{ResponseWriter: httptest.NewRecorder(), entered: make(chan struct{}), release: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/stream", nil))
	}()
	<-w.entered // the refusal is being written
	n := s.Viewers()
	close(w.release)
	<-done
	if n != 1 {
		t.Errorf("while a viewer was refused, Viewers() = %d, want 1", n)
	}
	if rec := w.ResponseWriter.(*httptest.ResponseRecorder); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("refused with %d, want 503", rec.Code)
	}
}

// smallBuffers makes the server's connections buffer little, so a client
// that does not read blocks the server's writes at once.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// A /snapshot client that stops reading is cut off after the write
// deadline instead of holding its handler forever: when it reads later,
// the body it gets is short.
func TestSnapshotWriteDeadline(t *testing.T) {
	cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 640, Height: 480, FPS: 30}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); cam.Run(ctx) }()
	s := New(Config{Camera: cam, FrameWriteTimeout: 100 * time.Millisecond})
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.Listener = smallBuffers{ts.Listener}
	closed := make(chan struct{})
	ts.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateClosed {
			close(closed)
		}
	}
	ts.Start()
	t.Cleanup(func() { cancel(); ts.Close(); <-done })

	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /snapshot HTTP/1.1\r\nHost: pi\r\n\r\n")
	// Not reading: the server must give up and close the connection.
	select {
	case <-closed:
	case <-time.After(30 * time.Second): // a failure guard, not a time limit
		t.Fatal("the server waited 30 s for a client that did not read")
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err == nil && int64(len(body)) == resp.ContentLength {
		t.Fatalf("the server waited for a client that did not read: got all %d bytes", len(body))
	}
}

// slowStreamServer serves a 640x480 test camera (parts of tens of KB)
// through sockets with small buffers, so that writing a part seldom
// completes at once.
func slowStreamServer(t *testing.T, timeout time.Duration) (*httptest.Server, *Server) {
	cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 640, Height: 480, FPS: 30}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); cam.Run(ctx) }()
	s := New(Config{Camera: cam, FrameWriteTimeout: timeout})
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.Listener = smallBuffers{ts.Listener}
	ts.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	ts.Start()
	t.Cleanup(func() { cancel(); ts.Close(); <-done })
	return ts, s
}

func dialSmall(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// slowReader reads at most 1500 bytes at a time, pausing between reads.
type slowReader struct{ r io.Reader }

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(200 * time.Microsecond)
	return s.r.Read(p[:min(len(p), 1500)])
}

// A viewer that reads slowly gets every part whole: a part the camera's
// goroutine could only begin is finished before anything else is written.
func TestSlowViewerGetsWholeParts(t *testing.T) {
	ts, _ := slowStreamServer(t, time.Minute)
	conn := dialSmall(t, ts.Listener.Addr().String())
	io.WriteString(conn, "GET /stream HTTP/1.1\r\nHost: pi\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(slowReader{conn}), nil)
	if err != nil {
		t.Fatal(err)
	}
	pr := mjpegtest.NewPartReader(resp.Body, Boundary)
	for i := range 30 {
		nextJPEG(t, pr, i)
	}
}

// A viewer that stops reading is cut off after the write deadline.
func TestStalledViewerIsCutOff(t *testing.T) {
	ts, s := slowStreamServer(t, 100*time.Millisecond)
	conn := dialSmall(t, ts.Listener.Addr().String())
	io.WriteString(conn, "GET /stream HTTP/1.1\r\nHost: pi\r\n\r\n")
	waitFor(t, "the viewer to be served", func() bool { return s.Viewers() == 1 })
	// Not reading: the server must give up and close the connection,
	// which the client sees as the end of the stream once it reads.
	waitFor(t, "the stalled viewer to be cut off", func() bool { return s.Viewers() == 0 })
	conn.SetReadDeadline(time.Now().Add(60 * time.Second)) // a failure guard
	n, err := io.Copy(io.Discard, conn)
	if err != nil {
		t.Fatalf("after %d bytes: %v; want the server to end the stream", n, err)
	}
}
