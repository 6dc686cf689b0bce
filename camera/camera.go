// Package camera owns the camera: it opens a source (Raspberry Pi camera
// through rpicam-vid, V4L2 device, GStreamer pipeline, file or URL, test
// pattern), runs the one capture loop, publishes frames through a Hub and
// reopens the source with capped backoff when it fails. A frame carries the
// camera's JPEG, passed through untouched, or raw pixels; a JPEG is made
// only when a consumer needs one, at most once per frame, by a small pool
// of encoders while someone watches the feed.
package camera

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
	"gocv.io/x/gocv"

	"pistream/camera/v4l2"
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
	Kind        string    // what the open source is: rpicam, v4l2-mjpeg, v4l2-raw, gstreamer, file, test
	State       State     //
	Err         string    // the last error, kept after recovery
	ErrTime     time.Time // when Err happened
	Width       int       // size of the last frame (after rotation)
	Height      int       //
	FPS         int       // configured frame rate
	MeasuredFPS float64   // frames captured over the last second or so
	Frames      uint64    // frames published since start
	Reconnects  int       // times the source was reopened after a failure

	Transform   Transform // asked with --rotate, --hflip, --vflip
	TransformBy string    // who does it: none, source, software, or source+software; empty until a source opens
	Focus       Focus     // asked with --focus
	FocusBy     string    // who does it: none (nothing asked), source, or unsupported; empty until a source opens
	Encoders    int       // JPEG encoders working in parallel

	Captured    uint64 // frames read from the source
	Encodes     uint64 // JPEG encodes: feed frames and stills
	Passthrough uint64 // frames published with the camera's own JPEG
	Decodes     uint64 // JPEG decodes: previews, rotation of a camera's JPEG
	Dropped     uint64 // frames skipped because every encoder was busy
}

// Config configures a Camera. Zero durations take the defaults.
type Config struct {
	Spec      string    // --camera: auto, test, rpicam[:N], index, /dev path, file, URL, pipeline
	Settings            // --size and --fps
	Quality   int       // JPEG quality of the feed, 1..100
	Transform Transform // --rotate, --hflip, --vflip
	Focus     Focus     // --focus
	// V4L2Controls are set on a V4L2 device, in order, at each open
	// (--v4l2-controls); other sources leave them, with a warning.
	V4L2Controls v4l2.Settings
	Encoders     int  // JPEG encoders in parallel (default: the number of cores, at most 4)
	IdleRelease  bool // close the source while nobody subscribes
	IdleAfter    time.Duration
	BackoffMin   time.Duration // first wait before reopening (default 250 ms)
	BackoffMax   time.Duration // cap of the doubling wait (default 5 s)
	Watchdog     time.Duration // no frame this long while streaming: reopen (default 5 s)
	FailAfter    int           // failed opens in a row before StateFailed (default 5)
	Logger       *log.Logger
}

// Camera runs the capture loop for one source and publishes to its Hub.
type Camera struct {
	cfg   Config
	hub   *Hub
	log   *log.Logger
	stats Stats
	mats  *matPool

	mu     sync.Mutex
	status Status

	seq atomic.Uint64 // sequence number of the last frame captured

	// beat is when the capture loop last showed life (UnixNano): a frame
	// captured, a source opened, or the end of the backoff wait it is in.
	beat        atomic.Int64
	idleWait    atomic.Bool   // released for idleness, waiting for a subscriber
	focusWarned atomic.Bool   // the log said once that the source can't focus as asked
	v4l2Warned  atomic.Bool   // the log said once that the source takes no V4L2 controls
	settled     chan struct{} // closed once the first open succeeded or failed
}

// SnapshotQuality is the JPEG quality of Snapshot's stills.
const SnapshotQuality = 95

// Still is a full-quality JPEG of one frame, for saving as a photo.
type Still struct {
	JPEG []byte
	Time time.Time
}

// DefaultEncoders is the size of the encoder pool: the number of cores, at
// most 4.
func DefaultEncoders() int { return min(runtime.NumCPU(), 4) }

// New returns a camera for cfg; call Run to start capturing.
func New(cfg Config) *Camera {
	if cfg.Quality <= 0 || cfg.Quality > 100 {
		cfg.Quality = 80
	}
	if cfg.FPS <= 0 {
		cfg.FPS = 30
	}
	if cfg.Encoders <= 0 {
		cfg.Encoders = DefaultEncoders()
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
	w, h := cfg.Transform.size(cfg.Width, cfg.Height)
	c := &Camera{
		cfg:     cfg,
		settled: make(chan struct{}),
		hub:     NewHub(),
		mats:    newMatPool(cfg.Encoders + 3),
		log:     cfg.Logger.WithPrefix("camera"),
		status: Status{
			Source: cfg.Spec, State: StateStarting,
			Width: w, Height: h, FPS: cfg.FPS,
			Transform: cfg.Transform, Focus: cfg.Focus, Encoders: cfg.Encoders,
		},
	}
	c.alive(time.Now())
	return c
}

// Settled is closed once Run's first open has succeeded or failed (with
// "auto", once a candidate was chosen or none worked), or Run has ended.
func (c *Camera) Settled() <-chan struct{} { return c.settled }

// Alive reports whether the capture loop has shown life within the last
// d: it captured a frame, opened its source, or is in a backoff wait
// before it tries again; or it is released by design while nobody
// watches (--idle-release). A loop that is retrying a failed camera is
// alive; one stuck in an open that never returns, or whose source has
// stopped giving frames while the watchdog has not yet reopened it, is
// not. A supervisor (systemd's watchdog) uses it to tell a wedged
// pistream from a busy one.
func (c *Camera) Alive(d time.Duration) bool {
	if c.idleWait.Load() {
		return true
	}
	return time.Since(time.Unix(0, c.beat.Load())) <= d
}

// alive records that the capture loop is known to be alive until t.
func (c *Camera) alive(t time.Time) { c.beat.Store(t.UnixNano()) }

// wait sleeps d before the loop tries again, alive all the while; it
// reports whether ctx is still live.
func (c *Camera) wait(ctx context.Context, d time.Duration) bool {
	c.alive(time.Now().Add(d))
	return sleep(ctx, d)
}

// Hub is where the camera publishes its frames.
func (c *Camera) Hub() *Hub { return c.hub }

// Status returns the camera's current state.
func (c *Camera) Status() Status {
	c.mu.Lock()
	st := c.status
	c.mu.Unlock()
	st.Captured = c.stats.Captured.Load()
	st.Encodes = c.stats.Encodes.Load()
	st.Passthrough = c.stats.Passthrough.Load()
	st.Decodes = c.stats.Decodes.Load()
	st.Dropped = c.stats.Dropped.Load()
	return st
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
	defer c.mats.close()
	defer c.hub.Close()
	defer c.update(func(s *Status) { s.State = StateStopped; s.MeasuredFPS = 0 })
	pipe := newPipeline(c.cfg.Encoders, c.hub.Publish)
	defer pipe.close()

	spec, src := c.openFirst(ctx)
	c.alive(time.Now())
	close(c.settled)
	var (
		backoff = c.cfg.BackoffMin
		fails   = 0
	)
	for ctx.Err() == nil {
		if src == nil {
			if c.cfg.IdleRelease && c.hub.Subscribers() == 0 {
				c.idleWait.Store(true)
				c.update(func(s *Status) { s.State = StateIdle; s.MeasuredFPS = 0 })
				c.log.Info("released: nobody is watching")
				err := c.hub.WaitSubscribed(ctx)
				c.alive(time.Now())
				c.idleWait.Store(false)
				if err != nil {
					return
				}
			}
			var err error
			src, err = c.open(ctx, spec)
			if err != nil {
				fails++
				c.failed(err, fails)
				if !c.wait(ctx, backoff) {
					return
				}
				backoff = min(2*backoff, c.cfg.BackoffMax)
				continue
			}
			c.update(func(s *Status) { s.Opened = spec })
			c.alive(time.Now())
		}
		err := c.stream(ctx, spec, src, pipe) // closes src
		src = nil
		if err == nil { // ctx ended or released while idle
			continue
		}
		fails = 1
		c.update(func(s *Status) { s.Reconnects++ })
		c.failed(err, fails)
		backoff = c.cfg.BackoffMin
		if !c.wait(ctx, backoff) {
			return
		}
	}
}

// openFirst resolves the spec ("auto" tries its candidates in order) and
// opens it. If nothing opens, it returns the spec with a nil source and the
// loop keeps retrying it.
func (c *Camera) openFirst(ctx context.Context) (string, Source) {
	cands := candidates(ctx, c.cfg.Spec, c.cfg.Settings)
	for i, spec := range cands {
		src, err := c.open(ctx, spec)
		if err == nil && c.cfg.Spec == "auto" && spec != "test" {
			// A device node may exist and still give no frames (the Pi's
			// raw Unicam node): insist on one frame before choosing it.
			err = c.probe(ctx, spec, src)
		}
		if err == nil {
			if c.cfg.Spec == "auto" && spec == "test" {
				c.log.Warn("no camera found (no rpicam camera, no V4L2 device, no libcamera): using the test pattern")
			}
			c.update(func(s *Status) { s.Opened = spec })
			c.log.Info("opened", "source", spec)
			return spec, src
		}
		if i == len(cands)-1 {
			c.failed(err, 1) // Opened stays empty until it opens
			return spec, nil
		}
		c.log.Info("candidate did not work", "source", spec, "err", err)
		if ctx.Err() != nil {
			return spec, nil
		}
	}
	return c.cfg.Spec, nil
}

// open opens spec, giving up when ctx ends first: a source that blocks in
// its open (a wedged device, a GStreamer pipeline that never starts) must
// not hold up pistream's stop. An open abandoned that way is closed when
// (if) it returns.
func (c *Camera) open(ctx context.Context, spec string) (Source, error) {
	type opened struct {
		src Source
		err error
	}
	done := make(chan opened, 1)
	openFn, asked := openSource, c.asked()
	go func() {
		src, err := openFn(spec, asked)
		done <- opened{src, err}
	}()
	select {
	case o := <-done:
		return o.src, o.err
	case <-ctx.Done():
		go func() {
			if o := <-done; o.err == nil {
				o.src.Close()
			}
		}()
		return nil, fmt.Errorf("open %s: %w", spec, ctx.Err())
	}
}

// probe reads one frame from src within the watchdog's time; on failure it
// closes src. A source stuck in Read is left to close itself when (if)
// Read returns: closing it under a blocked Read is not safe for OpenCV.
func (c *Camera) probe(ctx context.Context, spec string, src Source) error {
	done := make(chan error, 1)
	go func() {
		m := gocv.NewMat()
		defer m.Close()
		_, err := src.Read(&m)
		done <- err
	}()
	t := time.NewTimer(c.cfg.Watchdog)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			src.Close()
		}
		return err
	case <-t.C:
	case <-ctx.Done():
	}
	go func() { <-done; src.Close() }()
	return fmt.Errorf("no frame from %s within %v", spec, c.cfg.Watchdog)
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
func (c *Camera) stream(ctx context.Context, spec string, src Source, pipe *pipeline) error {
	rctx, abandon := context.WithCancel(ctx)
	defer abandon()
	done := make(chan error, 1)
	go func() {
		err := c.read(rctx, spec, src, pipe)
		src.Close()
		done <- err
	}()
	// One timer, set for when the last beat (the last frame's time, or
	// the open's) goes stale: a streaming camera wakes the watchdog once
	// per Watchdog, not at a fixed tick (on a Pi every timer that fires
	// also wakes the Go runtime's monitor thread).
	check := time.NewTimer(c.cfg.Watchdog)
	defer check.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-check.C:
			since := time.Since(time.Unix(0, c.beat.Load()))
			if since <= c.cfg.Watchdog {
				check.Reset(c.cfg.Watchdog - since + time.Millisecond)
				continue
			}
			c.log.Warn("stalled: reopening it", "source", spec, "silent", since.Round(time.Millisecond))
			abandon()
			interrupt(src)
			// Give a reader that wakes up now a moment to release the
			// device before it is opened again.
			select {
			case <-done:
			case <-time.After(time.Second):
			}
			return fmt.Errorf("watchdog: no frame from %s for %v", spec, c.cfg.Watchdog)
		case <-ctx.Done():
			interrupt(src)
			select { // let the reader release the device, if it can
			case <-done:
			case <-time.After(time.Second):
			}
			return nil
		}
	}
}

// interrupt ends a Read that waits, for sources that can do that safely
// (a child process); others are left to return by themselves.
func interrupt(src Source) {
	if i, ok := src.(interface{ Interrupt() }); ok {
		i.Interrupt()
	}
}

// maxBroken is how many frames in a row a source may give that are not
// complete JPEGs before it counts as failed; fewer are skipped.
const maxBroken = 10

// read reads frames and hands them to the pipeline until the source fails
// (the error is returned), ctx ends, or nobody watches with IdleRelease on
// (nil). Every frame is a beat (see Alive, and the watchdog in stream).
// While somebody wants the feed's JPEGs, frames go through the encoders
// before they are published; otherwise they are published as they are and
// encode nothing.
func (c *Camera) read(ctx context.Context, spec string, src Source, pipe *pipeline) error {
	info := infoOf(src, spec)
	soft := c.cfg.Transform.Minus(info.Done)
	focus := focusBy(c.cfg.Focus, info.Focus)
	c.update(func(s *Status) {
		s.Kind, s.TransformBy = info.Kind, transformBy(c.cfg.Transform, info.Done, soft)
		s.FocusBy = focus
	})
	if focus == "unsupported" && !c.focusWarned.Swap(true) {
		c.log.Warn("--focus is for a Camera Module through rpicam-vid: this camera keeps its own focus", "kind", info.Kind, "focus", c.cfg.Focus)
	}
	if len(c.cfg.V4L2Controls) > 0 && !info.Controls && !c.v4l2Warned.Swap(true) {
		c.log.Warn("--v4l2-controls not applied: they are for a V4L2 device (a USB webcam)", "kind", info.Kind, "controls", c.cfg.V4L2Controls)
	}
	pace := KindOf(spec) == KindFile || KindOf(spec) == KindGStreamer
	period := time.Second / time.Duration(c.cfg.FPS)
	var (
		next        time.Time
		windowStart = time.Now()
		windowN     = 0
		idleSince   time.Time
		first       = true
		broken      = 0
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
		f, err := c.readFrame(src, soft)
		if err != nil && !errors.Is(err, errBrokenFrame) {
			return fmt.Errorf("read %s: %w", spec, err)
		}
		if ctx.Err() != nil { // abandoned by the watchdog, or stopping
			f.retire()
			return nil
		}
		at := time.Now()
		c.alive(at)
		c.stats.Captured.Add(1)
		if err != nil {
			if broken++; broken >= maxBroken {
				return fmt.Errorf("read %s: %d frames in a row are broken: %w", spec, broken, err)
			}
			c.log.Debug("skipped a broken frame", "source", spec, "err", err)
			continue
		}
		broken = 0
		f.Time, f.Seq = at, c.seq.Add(1)
		if f.Passthrough() {
			c.stats.Passthrough.Add(1)
		}
		if !pipe.submit(f, c.hub.WantsJPEG() && !f.Encoded()) {
			c.stats.Dropped.Add(1)
		}

		windowN++
		if first {
			first = false
			c.update(func(s *Status) { s.State, s.Width, s.Height = StateStreaming, f.Width, f.Height })
			c.log.Info("streaming", "source", spec, "kind", info.Kind, "size", fmt.Sprintf("%dx%d", f.Width, f.Height),
				"transform", c.cfg.Transform, "by", transformBy(c.cfg.Transform, info.Done, soft))
		}
		if el := at.Sub(windowStart); el >= time.Second {
			fps := float64(windowN) / el.Seconds()
			c.update(func(s *Status) { s.MeasuredFPS, s.Frames = fps, f.Seq })
			windowStart, windowN = at, 0
		}
	}
	return nil
}

// asked is what the camera asks of its source.
func (c *Camera) asked() Asked {
	return Asked{Settings: c.cfg.Settings, Quality: c.cfg.Quality, Transform: c.cfg.Transform, Focus: c.cfg.Focus,
		V4L2Controls: c.cfg.V4L2Controls, Log: c.log}
}

// errBrokenFrame wraps why a frame from the source is not a usable JPEG.
var errBrokenFrame = errors.New("broken frame")

// readFrame reads the next frame from src, to be transformed by soft.
func (c *Camera) readFrame(src Source, soft Transform) (*Frame, error) {
	w, h := c.cfg.Width, c.cfg.Height
	if ls, ok := src.(lazySource); ok {
		draw, err := ls.ReadLazy()
		if err != nil {
			return nil, err
		}
		return newLazyFrame(draw, w, h, soft, c.cfg.Quality, &c.stats, c.mats), nil
	}
	if js, ok := src.(jpegSource); ok { // no pixels ever: no Mat to lend
		jpeg, err := js.ReadJPEG()
		if err != nil {
			return nil, err
		}
		return c.jpegFrame(jpeg, soft)
	}
	raw := c.mats.get()
	jpeg, err := src.Read(raw)
	if err != nil {
		c.mats.put(raw)
		return nil, err
	}
	if jpeg == nil {
		return newRawFrame(raw, soft, c.cfg.Quality, &c.stats, c.mats), nil
	}
	c.mats.put(raw)
	return c.jpegFrame(jpeg, soft)
}

// jpegFrame makes a frame of a source's JPEG, or says why it is broken.
func (c *Camera) jpegFrame(jpeg []byte, soft Transform) (*Frame, error) {
	f, err := newJPEGFrame(jpeg, soft, c.cfg.Quality, &c.stats)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBrokenFrame, err)
	}
	return f, nil
}

// transformBy says who does the transform asked: none, source, software
// or source+software.
func transformBy(asked, bySource, inSoftware Transform) string {
	switch {
	case asked.IsIdentity():
		return "none"
	case bySource.IsIdentity():
		return "software"
	case inSoftware.IsIdentity():
		return "source"
	default:
		return "source+software"
	}
}

// Snapshot returns the first frame the camera captures after the call as
// a JPEG at SnapshotQuality, encoded from the raw pixels (not re-encoded
// from the feed) in the caller's goroutine, once per frame however many
// ask; a camera's own JPEG is used as it is. It wakes a camera released
// for idleness, and gives up with an error saying the camera's state when
// ctx ends first.
func (c *Camera) Snapshot(ctx context.Context) (Still, error) {
	asked := time.Now()
	sub := c.hub.Watch()
	defer sub.Close()
	for {
		f, err := sub.Next(ctx)
		if err != nil {
			return Still{}, c.snapshotErr(ctx)
		}
		if f.Time.Before(asked) {
			continue
		}
		b, err := f.Still()
		if errors.Is(err, ErrFrameGone) {
			continue
		}
		if err != nil {
			return Still{}, fmt.Errorf("snapshot: %w", err)
		}
		return Still{JPEG: b, Time: f.Time}, nil
	}
}

func (c *Camera) snapshotErr(ctx context.Context) error {
	st := c.Status()
	if st.State != StateStreaming && st.Err != "" {
		return fmt.Errorf("snapshot: camera is %s: %s", st.State, st.Err)
	}
	if ctx.Err() == nil {
		return fmt.Errorf("snapshot: camera is %s", st.State)
	}
	return fmt.Errorf("snapshot: camera is %s: %w", st.State, ctx.Err())
}

// openSource opens sources for the capture loop, and candidates lists
// what "auto" tries; tests of the loop's failure handling replace them.
var (
	openSource = Open
	candidates = Candidates
)

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
