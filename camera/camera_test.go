package camera

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// start runs a camera for cfg until the test ends.
func start(t *testing.T, cfg Config) *Camera {
	t.Helper()
	c := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(guard):
			t.Errorf("camera did not stop within %v of cancel", guard)
		}
		if st := c.Status(); st.State != StateStopped {
			t.Errorf("state after Run = %s, want stopped", st.State)
		}
	})
	return c
}

// guard is how long a test waits for an event before it fails: long, as a
// failure guard on a busy machine, never a time limit.
const guard = 60 * time.Second

// waitState polls the camera until pred holds, failing after guard.
func waitState(t *testing.T, c *Camera, what string, pred func(Status) bool) Status {
	t.Helper()
	deadline := time.Now().Add(guard)
	for {
		st := c.Status()
		if pred(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("camera never %s; last status %+v", what, st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// frames reads n frames from the camera's hub and checks each is a JPEG
// of the wanted size with increasing sequence numbers. A frame replaced
// before this reader asked for its JPEG (ErrFrameGone, a slow machine) is
// skipped, as a viewer skips it.
func frames(t *testing.T, c *Camera, n, w, h int) []*Frame {
	t.Helper()
	sub := c.Hub().Subscribe()
	defer sub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	var out []*Frame
	for len(out) < n {
		f, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("frame %d: %v (status %+v)", len(out), err, c.Status())
		}
		if len(out) > 0 && f.Seq <= out[len(out)-1].Seq {
			t.Fatalf("seq %d after %d", f.Seq, out[len(out)-1].Seq)
		}
		data, err := f.JPEG()
		if errors.Is(err, ErrFrameGone) {
			continue // replaced before this slow reader asked: a viewer moves on too
		}
		if err != nil {
			t.Fatalf("frame %d: JPEG: %v", f.Seq, err)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("frame %d is not a JPEG: %v", f.Seq, err)
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h || f.Width != w || f.Height != h {
			t.Fatalf("frame %d is %v (says %dx%d), want %dx%d", f.Seq, b, f.Width, f.Height, w, h)
		}
		out = append(out, f)
	}
	return out
}

// mustJPEG returns the frame's JPEG or fails the test.
func mustJPEG(t *testing.T, f *Frame) []byte {
	t.Helper()
	b, err := f.JPEG()
	if err != nil {
		t.Fatalf("frame %d: JPEG: %v", f.Seq, err)
	}
	return b
}

func TestTestSource(t *testing.T) {
	c := start(t, Config{Spec: "test", Settings: Settings{Width: 320, Height: 240, FPS: 30}, Quality: 70})
	fs := frames(t, c, 20, 320, 240)
	if a, b := mustJPEG(t, fs[0]), mustJPEG(t, fs[len(fs)-1]); bytes.Equal(a, b) {
		t.Error("the test pattern does not move")
	}
	st := waitState(t, c, "measured its fps", func(s Status) bool { return s.MeasuredFPS > 0 })
	if st.State != StateStreaming || st.Opened != "test" || st.MeasuredFPS < 15 || st.MeasuredFPS > 40 {
		t.Errorf("status %+v: want streaming from test at about 30 fps", st)
	}
}

// The GStreamer backend of OpenCV, the path libcamerasrc takes on a Pi.
func TestGStreamerPipeline(t *testing.T) {
	spec := "videotestsrc pattern=ball is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! " +
		"videoconvert ! video/x-raw,format=BGR ! appsink drop=true max-buffers=1 sync=false"
	if KindOf(spec) != KindGStreamer {
		t.Fatalf("KindOf(pipeline) = %s", KindOf(spec))
	}
	c := start(t, Config{Spec: spec, Settings: Settings{Width: 320, Height: 240, FPS: 30}})
	frames(t, c, 10, 320, 240)
}

// writeVideo writes a short MJPEG AVI of n frames at 160x120.
func writeVideo(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "short.avi")
	vw, err := gocv.VideoWriterFile(path, "MJPG", 30, 160, 120, true)
	if err != nil {
		t.Fatalf("video writer: %v", err)
	}
	m := gocv.NewMatWithSize(120, 160, gocv.MatTypeCV8UC3)
	defer m.Close()
	for i := range n {
		m.SetTo(gocv.NewScalar(float64(i*10%255), 100, 200, 0))
		gocv.Circle(&m, image.Pt(i*10%160, 60), 10, color.RGBA{255, 255, 255, 0}, -1)
		if err := vw.Write(m); err != nil {
			t.Fatalf("write frame: %v", err)
		}
	}
	vw.Close()
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("video not written: %v", err)
	}
	return path
}

// A source that stops (a short file) reports reconnecting with the error,
// then frames resume from the reopened source.
func TestSourceStopsAndResumes(t *testing.T) {
	path := writeVideo(t, 10)
	c := start(t, Config{Spec: path, Settings: Settings{Width: 160, Height: 120, FPS: 30}, BackoffMin: 300 * time.Millisecond})
	frames(t, c, 3, 160, 120)
	st := reconnectsAndResumes(t, c, "end of stream", 160, 120)
	if st.Err == "" {
		t.Error("the last error was forgotten after recovery")
	}
}

// reconnectsAndResumes waits for the camera to report reconnecting with an
// error containing why, then for new frames and streaming again; it
// returns the status then.
func reconnectsAndResumes(t *testing.T, c *Camera, why string, w, h int) Status {
	t.Helper()
	st := waitState(t, c, "reconnecting", func(s Status) bool { return s.State == StateReconnecting })
	if !strings.Contains(st.Err, why) {
		t.Errorf("reconnecting with error %q, want it to say %q", st.Err, why)
	}
	before := c.Hub().Latest().Seq
	fs := frames(t, c, 5, w, h)
	if fs[len(fs)-1].Seq <= before {
		t.Errorf("no new frames after reconnecting")
	}
	return waitState(t, c, "streaming again", func(s Status) bool { return s.State == StateStreaming && s.Reconnects >= 1 })
}

func TestMissingSourceFails(t *testing.T) {
	c := start(t, Config{
		Spec: "/nonexistent/video.avi", Settings: Settings{Width: 160, Height: 120, FPS: 30},
		BackoffMin: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond, FailAfter: 3,
	})
	st := waitState(t, c, "failed", func(s Status) bool { return s.State == StateFailed })
	if !strings.Contains(st.Err, "/nonexistent/video.avi") {
		t.Errorf("error %q does not name the source", st.Err)
	}
	if c.Hub().Latest() != nil {
		t.Error("a frame was published from a missing source")
	}
}

func TestIdleRelease(t *testing.T) {
	c := start(t, Config{
		Spec: "test", Settings: Settings{Width: 160, Height: 120, FPS: 30},
		IdleRelease: true, IdleAfter: 100 * time.Millisecond,
	})
	waitState(t, c, "idle", func(s Status) bool { return s.State == StateIdle })
	frames(t, c, 3, 160, 120) // subscribing wakes it
	waitState(t, c, "idle again", func(s Status) bool { return s.State == StateIdle })
}

func TestKindOf(t *testing.T) {
	for spec, want := range map[string]Kind{
		"test":                                  KindTest,
		"0":                                     KindDevice,
		"/dev/video2":                           KindDevice,
		"videotestsrc ! videoconvert ! appsink": KindGStreamer,
		"rtsp://cam.local/stream":               KindFile,
		"/home/pi/clip.mp4":                     KindFile,
		"-1":                                    KindFile,
	} {
		if got := KindOf(spec); got != want {
			t.Errorf("KindOf(%q) = %s, want %s", spec, got, want)
		}
	}
}

func TestAutoFallsBackToTest(t *testing.T) {
	if _, err := os.Stat("/dev/video0"); err == nil || hasLibcamera() {
		t.Skip("this machine has a camera or libcamera; auto would pick it")
	}
	c := start(t, Config{Spec: "auto", Settings: Settings{Width: 160, Height: 120, FPS: 30}})
	frames(t, c, 2, 160, 120)
	if st := c.Status(); st.Opened != "test" || st.Source != "auto" {
		t.Errorf("auto opened %q (source %q), want test", st.Opened, st.Source)
	}
}

func TestSnapshot(t *testing.T) {
	c := start(t, Config{Spec: "test", Settings: Settings{Width: 320, Height: 240, FPS: 30}, Quality: 50})
	feed := frames(t, c, 1, 320, 240)[0]
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	stills := make(chan Still, 5)
	for range 5 { // several sessions at once
		go func() {
			st, err := c.Snapshot(ctx)
			if err != nil {
				t.Errorf("Snapshot: %v", err)
			}
			stills <- st
		}()
	}
	for range 5 {
		st := <-stills
		img, err := jpeg.Decode(bytes.NewReader(st.JPEG))
		if err != nil {
			t.Fatalf("still is not a JPEG: %v", err)
		}
		if img.Bounds().Dx() != 320 || st.Time.IsZero() {
			t.Errorf("still %v at %v", img.Bounds(), st.Time)
		}
		if n := len(mustJPEG(t, feed)); len(st.JPEG) <= n {
			t.Errorf("still of %d bytes is no better than the feed's %d", len(st.JPEG), n)
		}
	}
}

func TestSnapshotWithoutCamera(t *testing.T) {
	c := start(t, Config{Spec: "/nonexistent.avi", Settings: Settings{Width: 160, Height: 120, FPS: 30}, BackoffMin: 10 * time.Millisecond})
	// Opening a missing file through OpenCV can take a second on a busy
	// machine: wait for the camera to have failed, then ask.
	waitState(t, c, "failing", func(s Status) bool { return s.Err != "" })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.Snapshot(ctx)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent.avi") {
		t.Fatalf("Snapshot = %v, want an error saying why", err)
	}
}

// stallingSource gives a few frames, then blocks in Read until released,
// like a device that stops answering without an error.
type stallingSource struct {
	frames  int
	release chan struct{}
}

func (s *stallingSource) Read(dst *gocv.Mat) ([]byte, error) {
	if s.frames == 0 {
		<-s.release
		return nil, errEndOfStream
	}
	s.frames--
	time.Sleep(20 * time.Millisecond)
	m := gocv.NewMatWithSize(120, 160, gocv.MatTypeCV8UC3)
	m.CopyTo(dst)
	m.Close()
	return nil, nil
}

func (s *stallingSource) Close() error { return nil }

// The watchdog: a source that stops giving frames without an error is
// reopened, and frames resume.
func TestWatchdogReopensStalledSource(t *testing.T) {
	release := make(chan struct{})
	opens := 0
	openSource = func(spec string, _ Asked) (Source, error) {
		opens++
		if opens == 1 {
			return &stallingSource{frames: 5, release: release}, nil
		}
		return &stallingSource{frames: 1 << 30, release: release}, nil
	}
	t.Cleanup(func() { openSource = Open })
	c := start(t, Config{Spec: "test", Settings: Settings{Width: 160, Height: 120, FPS: 30}, Watchdog: 300 * time.Millisecond})
	t.Cleanup(func() { close(release) }) // runs before start's cleanup
	frames(t, c, 5, 160, 120)
	if st := reconnectsAndResumes(t, c, "watchdog", 160, 120); st.Reconnects != 1 {
		t.Errorf("reconnects = %d, want 1", st.Reconnects)
	}
}

// A GStreamer pipeline ending in image/jpeg hands its encoded buffers to
// OpenCV, which pistream passes through: nothing is decoded or encoded.
func TestGStreamerJPEGPassthrough(t *testing.T) {
	spec := "videotestsrc pattern=ball is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! " +
		"jpegenc ! image/jpeg ! appsink drop=true max-buffers=1 sync=false"
	c := start(t, Config{Spec: spec, Settings: Settings{Width: 320, Height: 240, FPS: 30}})
	for _, f := range frames(t, c, 10, 320, 240) {
		if !f.Passthrough() {
			t.Fatalf("frame %d was not passed through", f.Seq)
		}
	}
	if st := c.Status(); st.Passthrough < 10 || st.Encodes != 0 || st.Decodes != 0 || st.Kind != "gstreamer" {
		t.Errorf("status %+v: want ≥ 10 frames passed through, 0 encodes, 0 decodes, kind gstreamer", st)
	}
}

// An MJPEG file is read without decoding (FFmpeg's packets as they are)
// and its JPEGs passed through.
func TestMJPEGFilePassthrough(t *testing.T) {
	path := writeVideo(t, 60)
	c := start(t, Config{Spec: path, Settings: Settings{Width: 160, Height: 120, FPS: 30}})
	for _, f := range frames(t, c, 5, 160, 120) {
		if !f.Passthrough() {
			t.Fatalf("frame %d was not passed through", f.Seq)
		}
	}
	if st := c.Status(); st.Passthrough < 5 || st.Encodes != 0 || st.Kind != "file" {
		t.Errorf("status %+v: want ≥ 5 frames passed through, 0 encodes, kind file", st)
	}
}

// With nobody wanting the feed, the camera captures and encodes nothing;
// a viewer makes it encode every frame, once; a snapshot encodes one still.
func TestEncodeOnlyOnDemand(t *testing.T) {
	c := start(t, Config{Spec: "test", Settings: Settings{Width: 160, Height: 120, FPS: 30}, Encoders: 2})
	waitState(t, c, "capturing", func(s Status) bool { return s.Captured >= 10 })
	if st := c.Status(); st.Encodes != 0 {
		t.Fatalf("%d encodes with nobody watching", st.Encodes)
	}
	before := c.Status()
	fs := frames(t, c, 10, 160, 120) // a viewer: Subscribe wants JPEGs
	after := c.Status()
	if after.Encodes < 10 {
		t.Errorf("a viewer got 10 frames with %d encodes", after.Encodes-before.Encodes)
	}
	if n := after.Captured - before.Captured; after.Encodes-before.Encodes > n+1 {
		t.Errorf("%d encodes for %d frames captured: some frame was encoded twice", after.Encodes-before.Encodes, n)
	}
	for _, f := range fs {
		if !f.Encoded() {
			t.Errorf("frame %d reached the viewer unencoded", f.Seq)
		}
	}
	// The viewer is gone: encoding stops once the frames submitted while
	// it watched are out (they are published in order).
	inFlight := c.seq.Load()
	waitState(t, c, "publishing the frames in flight", func(Status) bool { return c.Hub().Latest().Seq > inFlight })
	idle := c.Status().Encodes
	waitState(t, c, "capturing more", func(s Status) bool { return s.Captured >= after.Captured+20 })
	if n := c.Status().Encodes; n != idle {
		t.Errorf("encodes went from %d to %d after the viewer left", idle, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if _, err := c.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	if n := c.Status().Encodes; n != idle+1 {
		t.Errorf("a snapshot took %d encodes, want 1", n-idle)
	}
}

// blockedSource never gives a frame: its Read waits until Close, like a
// device node that opens but blocks.
type blockedSource struct{ closed chan struct{} }

func (b *blockedSource) Read(*gocv.Mat) ([]byte, error) { <-b.closed; return nil, errEndOfStream }
func (b *blockedSource) Close() error {
	select {
	case <-b.closed:
	default:
		close(b.closed)
	}
	return nil
}

// auto gives up on a candidate that blocks in its first read after the
// watchdog's time and goes on to the next; it neither hangs the start nor
// the stop.
func TestAutoSkipsABlockingCandidate(t *testing.T) {
	blocker := &blockedSource{closed: make(chan struct{})}
	candidates = func(context.Context, string, Settings) []string { return []string{"/dev/video9", "test"} }
	openSource = func(spec string, a Asked) (Source, error) {
		if spec == "/dev/video9" {
			return blocker, nil
		}
		return Open(spec, a)
	}
	t.Cleanup(func() { candidates, openSource = Candidates, Open })
	t.Cleanup(func() { blocker.Close() }) // the device answers at last
	c := start(t, Config{Spec: "auto", Settings: Settings{Width: 160, Height: 120, FPS: 30}, Watchdog: 300 * time.Millisecond})
	st := waitState(t, c, "streaming from the next candidate", func(s Status) bool { return s.State == StateStreaming })
	if st.Opened != "test" {
		t.Errorf("auto opened %q, want test after the blocking device", st.Opened)
	}
}

// A snapshot's encode runs in the goroutine that asked for it, never in
// the capture loop: while one is stuck, the camera goes on publishing.
func TestSlowSnapshotHoldsUpNoFrames(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	stillHook = func() {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
	}
	t.Cleanup(func() { stillHook = nil })
	c := start(t, Config{Spec: "test", Settings: Settings{Width: 160, Height: 120, FPS: 30}})
	frames(t, c, 1, 160, 120)
	shot := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := c.Snapshot(ctx)
		shot <- err
	}()
	<-entered // the still's encode is stuck
	before := c.Hub().Latest().Seq
	fs := frames(t, c, 11, 160, 120) // a viewer still gets frames meanwhile
	if fs[len(fs)-1].Seq < before+10 {
		t.Errorf("frames went from %d to %d while a snapshot was stuck", before, fs[len(fs)-1].Seq)
	}
	close(release)
	if err := <-shot; err != nil {
		t.Fatal(err)
	}
}

// A source that blocks in its open does not hold up the stop: Run returns
// when its context ends, and the open, when it returns at last, is closed.
func TestStopWhileOpenBlocks(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	closed := make(chan struct{})
	openSource = func(string, Asked) (Source, error) {
		close(entered)
		<-release
		return &closeNotifier{closed: closed}, nil
	}
	t.Cleanup(func() { openSource = Open })
	c := New(Config{Spec: "/dev/video7", Settings: Settings{Width: 160, Height: 120, FPS: 30}})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); c.Run(ctx) }()
	<-entered
	cancel()
	<-ran // would wait for ever if Run waited for the open
	if st := c.Status(); st.State != StateStopped {
		t.Errorf("state %s after Run, want stopped", st.State)
	}
	close(release)
	<-closed // the late source is not leaked
}

type closeNotifier struct{ closed chan struct{} }

func (c *closeNotifier) Read(*gocv.Mat) ([]byte, error) { return nil, errEndOfStream }
func (c *closeNotifier) Close() error                   { close(c.closed); return nil }

// Alive: a loop that captures, retries a failing camera or waits released
// stays alive; one whose source stalled (before the watchdog reopens it)
// or that is stuck in an open that never returns is not.
func TestAlive(t *testing.T) {
	// Asked of a camera that should be alive: a frame or a backoff wait
	// comes far more often, even on a loaded machine. Of one that should
	// not: how soon that shows.
	const within, dead = 5 * time.Second, 200 * time.Millisecond
	size := Settings{Width: 160, Height: 120, FPS: 30}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for _, tt := range []struct {
		name  string
		cfg   Config
		open  func(spec string, a Asked) (Source, error) // nil: the real one
		state State                                      // reached before Alive is asked
		alive bool
	}{
		{"streaming", Config{Spec: "test", Settings: size}, nil, StateStreaming, true},
		// Longer waits than within: alive through them only because
		// waiting out a backoff counts.
		{"retrying a source that fails", Config{Spec: "test", Settings: size,
			BackoffMin: 8 * time.Second, BackoffMax: 8 * time.Second, FailAfter: 1},
			func(string, Asked) (Source, error) { return nil, errEndOfStream }, StateFailed, true},
		{"released while nobody watches", Config{Spec: "test", Settings: size,
			IdleRelease: true, IdleAfter: 50 * time.Millisecond}, nil, StateIdle, true},
		{"stalled, the watchdog not yet tripped", Config{Spec: "test", Settings: size, Watchdog: time.Hour},
			func(string, Asked) (Source, error) { return &stallingSource{frames: 3, release: release}, nil }, StateStreaming, false},
		{"wedged in an open", Config{Spec: "test", Settings: size},
			func() func(string, Asked) (Source, error) {
				opens := 0
				return func(string, Asked) (Source, error) {
					if opens++; opens > 1 {
						<-release
						return nil, errEndOfStream
					}
					return &closeNotifier{closed: make(chan struct{})}, nil // fails at once
				}
			}(), StateReconnecting, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.open != nil {
				openSource = tt.open
				t.Cleanup(func() { openSource = Open })
			}
			c := start(t, tt.cfg)
			<-c.Settled()
			waitState(t, c, string(tt.state), func(s Status) bool { return s.State == tt.state })
			if !tt.alive {
				deadline := time.Now().Add(30 * time.Second)
				for c.Alive(dead) {
					if time.Now().After(deadline) {
						t.Fatalf("still alive 30 s on, state %s", c.Status().State)
					}
					time.Sleep(10 * time.Millisecond)
				}
				return
			}
			// Alive all along: sampled over more than the longest backoff.
			for end := time.Now().Add(max(4*time.Second, tt.cfg.BackoffMax+time.Second)); time.Now().Before(end); {
				if !c.Alive(within) {
					t.Fatalf("not alive (state %s)", c.Status().State)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
