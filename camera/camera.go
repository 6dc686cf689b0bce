// Package camera owns the camera: it opens a source (test pattern, V4L2
// device, file or URL, GStreamer pipeline), runs the one capture loop that
// encodes each frame to JPEG exactly once, publishes frames through a Hub,
// and reopens the source with capped backoff when it fails.
package camera

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
	"gocv.io/x/gocv"
)

// State is what the camera is doing.
type State string

const (
	StateStarting     State = "starting"     // opening the source for the first time
	StateStreaming    State = "streaming"    // frames are flowing
	StateReconnecting State = "reconnecting" // the source failed; reopening it
	StateFailed       State = "failed"       // several reopen attempts failed; still retrying
	StateIdle         State = "idle"         // released because nobody watches (--idle-release)
	StateStopped      State = "stopped"      // Run has returned
)

// Status is a snapshot of the camera's state for the rest of the program.
type Status struct {
	Source      string    // the spec that was asked for, e.g. "auto"
	Opened      string    // the spec actually in use, e.g. "test"
	State       State     //
	Err         string    // the last error, kept after recovery
	ErrTime     time.Time // when Err happened
	Width       int       // size of the last frame
	Height      int       //
	FPS         int       // configured frame rate
	MeasuredFPS float64   // frames published over the last second or so
	Frames      uint64    // frames published since start
	Reconnects  int       // times the source was reopened after a failure
}

// Config configures a Camera. Zero durations take the defaults.
type Config struct {
	Spec        string // --camera: auto, test, index, /dev path, file, URL, pipeline
	Settings           // --size and --fps
	Quality     int    // JPEG quality of the feed, 1..100
	IdleRelease bool   // close the source while nobody subscribes
	IdleAfter   time.Duration
	BackoffMin  time.Duration // first wait before reopening (default 250 ms)
	BackoffMax  time.Duration // cap of the doubling wait (default 5 s)
	Watchdog    time.Duration // no frame this long while streaming: reopen (default 5 s)
	FailAfter   int           // failed opens in a row before StateFailed (default 5)
	Logger      *log.Logger
}

// Camera runs the capture loop for one source and publishes to its Hub.
type Camera struct {
	cfg Config
	hub *Hub
	log *log.Logger

	mu     sync.Mutex
	status Status

	snaps chan chan<- Still // requests for a full-quality still
	seq   atomic.Uint64     // sequence number of the last frame published
}

// SnapshotQuality is the JPEG quality of Snapshot's stills.
const SnapshotQuality = 95

// Still is a full-quality JPEG of one frame, for saving as a photo.
type Still struct {
	JPEG []byte
	Time time.Time
}

// New returns a camera for cfg; call Run to start capturing.
func New(cfg Config) *Camera {
	if cfg.Quality <= 0 || cfg.Quality > 100 {
		cfg.Quality = 80
	}
	if cfg.FPS <= 0 {
		cfg.FPS = 30
	}
	if cfg.BackoffMin <= 0 {
		cfg.BackoffMin = 250 * time.Millisecond
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 5 * time.Second
	}
	if cfg.Watchdog <= 0 {
		cfg.Watchdog = 5 * time.Second
	}
	if cfg.FailAfter <= 0 {
		cfg.FailAfter = 5
	}
	if cfg.IdleAfter <= 0 {
		cfg.IdleAfter = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = log.Default()
	}
	return &Camera{
		cfg:   cfg,
		hub:   NewHub(),
		snaps: make(chan chan<- Still),
		log:   cfg.Logger.WithPrefix("camera"),
		status: Status{
			Source: cfg.Spec, State: StateStarting,
			Width: cfg.Width, Height: cfg.Height, FPS: cfg.FPS,
		},
	}
}

// Hub is where the camera publishes its frames.
func (c *Camera) Hub() *Hub { return c.hub }

// Status returns the camera's current state.
func (c *Camera) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

func (c *Camera) update(f func(*Status)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.status)
}

// Run captures until ctx ends, then releases the source, closes the hub and
// returns. Failures of the source are retried with capped backoff, never
// returned.
func (c *Camera) Run(ctx context.Context) {
	defer c.hub.Close()
	defer c.update(func(s *Status) { s.State = StateStopped; s.MeasuredFPS = 0 })

	spec, src := c.openFirst(ctx)
	var (
		backoff = c.cfg.BackoffMin
		fails   = 0
	)
	for ctx.Err() == nil {
		if src == nil {
			if c.cfg.IdleRelease && c.hub.Subscribers() == 0 {
				c.update(func(s *Status) { s.State = StateIdle; s.MeasuredFPS = 0 })
				c.log.Info("released: nobody is watching")
				if c.hub.WaitSubscribed(ctx) != nil {
					return
				}
			}
			var err error
			src, err = openSource(spec, c.cfg.Settings)
			if err != nil {
				fails++
				c.failed(err, fails)
				if !sleep(ctx, backoff) {
					return
				}
				backoff = min(2*backoff, c.cfg.BackoffMax)
				continue
			}
		}
		err := c.stream(ctx, spec, src) // closes src
		src = nil
		if err == nil { // ctx ended or released while idle
			continue
		}
		fails = 1
		c.update(func(s *Status) { s.Reconnects++ })
		c.failed(err, fails)
		backoff = c.cfg.BackoffMin
		if !sleep(ctx, backoff) {
			return
		}
	}
}

// openFirst resolves the spec ("auto" tries its candidates in order) and
// opens it. If nothing opens, it returns the spec with a nil source and the
// loop keeps retrying it.
func (c *Camera) openFirst(ctx context.Context) (string, Source) {
	cands := Candidates(c.cfg.Spec, c.cfg.Settings)
	for i, spec := range cands {
		src, err := openSource(spec, c.cfg.Settings)
		if err == nil && c.cfg.Spec == "auto" && spec != "test" {
			// A device node may exist and still give no frames (the Pi's
			// raw Unicam node): insist on one frame before choosing it.
			m := gocv.NewMat()
			err = src.Read(&m)
			m.Close()
			if err != nil {
				src.Close()
			}
		}
		if err == nil {
			if c.cfg.Spec == "auto" && spec == "test" {
				c.log.Warn("no camera found (no /dev/video0, no libcamera): using the test pattern")
			}
			c.update(func(s *Status) { s.Opened = spec })
			c.log.Info("opened", "source", spec)
			return spec, src
		}
		if i == len(cands)-1 {
			c.update(func(s *Status) { s.Opened = spec })
			c.failed(err, 1)
			return spec, nil
		}
		c.log.Info("candidate did not work", "source", spec, "err", err)
		if ctx.Err() != nil {
			return spec, nil
		}
	}
	return c.cfg.Spec, nil
}

func (c *Camera) failed(err error, fails int) {
	state := StateReconnecting
	if fails >= c.cfg.FailAfter {
		state = StateFailed
	}
	prev := c.Status()
	c.update(func(s *Status) {
		s.State, s.Err, s.ErrTime, s.MeasuredFPS = state, err.Error(), time.Now(), 0
	})
	// One log line per change of state or error, not one per retry.
	if prev.State != state || prev.Err != err.Error() {
		c.log.Warn(string(state), "err", err)
	}
}

// stream runs a reader on src and watches it: it returns the reader's
// error, nil when ctx ends or the camera is released for idleness, or an
// error when no frame came for cfg.Watchdog. A reader stuck in Read is
// abandoned then: it closes its source and publishes nothing when Read
// returns, while the loop opens the source anew.
func (c *Camera) stream(ctx context.Context, spec string, src Source) error {
	rctx, abandon := context.WithCancel(ctx)
	defer abandon()
	var last atomic.Int64 // UnixNano of the last frame, or of the start
	last.Store(time.Now().UnixNano())
	done := make(chan error, 1)
	go func() {
		err := c.read(rctx, spec, src, &last)
		src.Close()
		done <- err
	}()
	check := time.NewTicker(c.cfg.Watchdog / 10)
	defer check.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-check.C:
			if since := time.Since(time.Unix(0, last.Load())); since > c.cfg.Watchdog {
				c.log.Warn("stalled: reopening it", "source", spec, "silent", since.Round(time.Millisecond))
				abandon()
				// Give a reader that wakes up now a moment to release the
				// device before it is opened again.
				select {
				case <-done:
				case <-time.After(time.Second):
				}
				return fmt.Errorf("watchdog: no frame from %s for %v", spec, c.cfg.Watchdog)
			}
		case <-ctx.Done():
			select { // let the reader release the device, if it can
			case <-done:
			case <-time.After(time.Second):
			}
			return nil
		}
	}
}

// read reads, encodes and publishes frames until the source fails (the
// error is returned), ctx ends, or nobody watches with IdleRelease on (nil).
// It stores the time of every frame in last.
func (c *Camera) read(ctx context.Context, spec string, src Source, last *atomic.Int64) error {
	raw := gocv.NewMat()
	defer raw.Close()
	params := []int{gocv.IMWriteJpegQuality, c.cfg.Quality}
	pace := KindOf(spec) == KindFile || KindOf(spec) == KindGStreamer
	period := time.Second / time.Duration(c.cfg.FPS)
	var (
		next        time.Time
		windowStart = time.Now()
		windowN     = 0
		idleSince   time.Time
		first       = true
	)
	for ctx.Err() == nil {
		if c.cfg.IdleRelease {
			if c.hub.Subscribers() > 0 {
				idleSince = time.Time{}
			} else if idleSince.IsZero() {
				idleSince = time.Now()
			} else if time.Since(idleSince) > c.cfg.IdleAfter {
				return nil
			}
		}
		if pace { // files and pipelines may deliver faster than --fps
			if d := time.Until(next); d > 0 && !sleep(ctx, d) {
				return nil
			}
			next = time.Now().Add(period)
		}
		if err := src.Read(&raw); err != nil {
			return fmt.Errorf("read %s: %w", spec, err)
		}
		at := time.Now()
		if ctx.Err() != nil { // abandoned by the watchdog, or stopping
			return nil
		}
		last.Store(at.UnixNano())
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, raw, params)
		if err != nil {
			return fmt.Errorf("encode jpeg: %w", err)
		}
		data := append([]byte(nil), buf.GetBytes()...)
		buf.Close()
		c.serveStills(raw, at)
		f := &Frame{JPEG: data, Time: at, Seq: c.seq.Add(1), Width: raw.Cols(), Height: raw.Rows()}
		c.hub.Publish(f)

		windowN++
		if first {
			first = false
			c.update(func(s *Status) { s.State, s.Width, s.Height = StateStreaming, f.Width, f.Height })
			c.log.Info("streaming", "source", spec, "size", fmt.Sprintf("%dx%d", f.Width, f.Height))
		}
		if el := at.Sub(windowStart); el >= time.Second {
			fps := float64(windowN) / el.Seconds()
			c.update(func(s *Status) { s.MeasuredFPS, s.Frames = fps, f.Seq })
			windowStart, windowN = at, 0
		}
	}
	return nil
}

// Snapshot returns the next frame the camera captures as a JPEG at
// SnapshotQuality, encoded from the raw frame in the capture loop (not
// re-encoded from the feed). It wakes a camera released for idleness, and
// gives up with an error saying the camera's state when ctx ends first.
func (c *Camera) Snapshot(ctx context.Context) (Still, error) {
	sub := c.hub.Subscribe() // keeps an idle-released camera open
	defer sub.Close()
	reply := make(chan Still, 1)
	select {
	case c.snaps <- reply:
	case <-ctx.Done():
		return Still{}, c.snapshotErr(ctx)
	}
	select {
	case st := <-reply:
		if st.JPEG == nil {
			return Still{}, fmt.Errorf("snapshot: could not encode the frame")
		}
		return st, nil
	case <-ctx.Done():
		return Still{}, c.snapshotErr(ctx)
	}
}

func (c *Camera) snapshotErr(ctx context.Context) error {
	st := c.Status()
	if st.State != StateStreaming && st.Err != "" {
		return fmt.Errorf("snapshot: camera is %s: %s", st.State, st.Err)
	}
	return fmt.Errorf("snapshot: camera is %s: %w", st.State, ctx.Err())
}

// serveStills answers every pending Snapshot with one encoding of raw.
func (c *Camera) serveStills(raw gocv.Mat, at time.Time) {
	var waiting []chan<- Still
	for {
		select {
		case r := <-c.snaps:
			waiting = append(waiting, r)
			continue
		default:
		}
		break
	}
	if len(waiting) == 0 {
		return
	}
	var st Still
	if buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, raw, []int{gocv.IMWriteJpegQuality, SnapshotQuality}); err == nil {
		st = Still{JPEG: append([]byte(nil), buf.GetBytes()...), Time: at}
		buf.Close()
	}
	for _, r := range waiting {
		r <- st // buffered, never blocks
	}
}

// openSource opens sources for the capture loop; tests of the loop's
// failure handling replace it with sources that fail on purpose.
var openSource = Open

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
