package camera

import (
	"errors"
	"fmt"
	"image"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"
)

// Frame is one captured frame. It holds what the source gave, the
// camera's JPEG (passed through) or raw pixels, and makes the rest only
// when a consumer asks: JPEG encodes raw pixels (once per frame, whoever
// asks first; the others wait for that encode), Scaled gives small pixels
// for a preview without a full decode. A Frame's exported fields are never
// modified once published, and its methods may be called from any
// goroutine.
//
// The raw pixels are kept while the frame is the hub's newest or in use;
// afterwards a frame whose JPEG was never made can no longer make it and
// says ErrFrameGone: the consumer moves on to a newer frame.
type Frame struct {
	Time   time.Time // when the frame was captured
	Seq    uint64    // 1 for the first frame, then +1 per frame
	Width  int       // size of the picture (after rotation)
	Height int

	xf    Transform // still to be done in software, on src or raw
	stats *Stats    // counters of the camera it came from

	encMu   sync.Mutex
	encoded atomic.Bool // jpeg or jerr is set
	jpeg    []byte
	jerr    error
	quality int    // JPEG quality of the feed
	src     []byte // the source's JPEG, before xf
	srcW    int    // its size, read once from its header
	srcH    int

	stillMu sync.Mutex
	still   []byte

	rawMu   sync.Mutex
	raw     *gocv.Mat       // BGR pixels before xf; nil for JPEG sources and once released
	draw    func(*gocv.Mat) // makes raw on first use (the test pattern)
	users   int             // goroutines using raw now
	retired bool            // no longer the hub's newest: release raw when unused
	pool    *matPool
}

// ErrFrameGone says a frame was replaced by a newer one before anybody
// asked for its JPEG, and its pixels are gone: take a newer frame.
var ErrFrameGone = errors.New("frame replaced before it was encoded")

// NewJPEGFrame returns a frame holding a complete JPEG of w×h, e.g. for
// tests of consumers.
func NewJPEGFrame(jpeg []byte, seq uint64, at time.Time, w, h int) *Frame {
	f := &Frame{Seq: seq, Time: at, Width: w, Height: h, src: jpeg, srcW: w, srcH: h, jpeg: jpeg, stats: new(Stats)}
	f.encoded.Store(true)
	return f
}

// newRawFrame makes a frame of raw BGR pixels, which it owns from now on
// and hands back to pool when done with them.
func newRawFrame(raw *gocv.Mat, xf Transform, quality int, st *Stats, pool *matPool) *Frame {
	w, h := xf.size(raw.Cols(), raw.Rows())
	return &Frame{Width: w, Height: h, raw: raw, xf: xf, quality: quality, stats: st.orNew(), pool: pool}
}

// newLazyFrame makes a frame of w×h whose raw pixels draw makes when
// first needed.
func newLazyFrame(draw func(*gocv.Mat), w, h int, xf Transform, quality int, st *Stats, pool *matPool) *Frame {
	w, h = xf.size(w, h)
	return &Frame{Width: w, Height: h, draw: draw, xf: xf, quality: quality, stats: st.orNew(), pool: pool}
}

// newJPEGFrame makes a frame of a source's JPEG, checked to be complete.
// With a transform to do in software, its JPEG is made on demand like a
// raw frame's.
func newJPEGFrame(jpeg []byte, xf Transform, quality int, st *Stats) (*Frame, error) {
	sw, sh, err := jpegSize(jpeg)
	if err != nil {
		return nil, err
	}
	w, h := xf.size(sw, sh)
	f := &Frame{Width: w, Height: h, src: jpeg, srcW: sw, srcH: sh, xf: xf, quality: quality, stats: st.orNew()}
	if xf.IsIdentity() {
		f.jpeg = jpeg
		f.encoded.Store(true)
	}
	return f, nil
}

// Passthrough reports whether the frame's JPEG is the source's own, unchanged.
func (f *Frame) Passthrough() bool { return f.src != nil && f.xf.IsIdentity() }

// Encoded reports whether the frame's JPEG is ready, so JPEG returns at once.
func (f *Frame) Encoded() bool { return f.encoded.Load() }

// MadeJPEG returns the frame's JPEG if it is made already (the camera's
// own, or encoded without error), without making it: ok is false
// otherwise. It never blocks.
func (f *Frame) MadeJPEG() (jpeg []byte, ok bool) {
	if f.encoded.Load() && f.jerr == nil {
		return f.jpeg, true
	}
	return nil, false
}

// JPEG returns the frame as a complete JPEG at the feed's quality, making
// it on the first call (once, whatever the number of callers).
func (f *Frame) JPEG() ([]byte, error) {
	if f.encoded.Load() {
		return f.jpeg, f.jerr
	}
	f.encMu.Lock()
	defer f.encMu.Unlock()
	if f.encoded.Load() {
		return f.jpeg, f.jerr
	}
	jpeg, err := f.encode(f.quality)
	if errors.Is(err, ErrFrameGone) {
		return nil, err // not kept: another caller cannot do better, but nothing is final either
	}
	f.jpeg, f.jerr = jpeg, err
	f.encoded.Store(true)
	return jpeg, err
}

// Still returns the frame as a JPEG at SnapshotQuality for a photo: encoded
// from the raw pixels once per frame; a camera's own JPEG is returned as it
// is (re-encoding it would add nothing).
func (f *Frame) Still() ([]byte, error) {
	if f.Passthrough() {
		return f.JPEG()
	}
	f.stillMu.Lock()
	defer f.stillMu.Unlock()
	if f.still != nil {
		return f.still, nil
	}
	if stillHook != nil {
		stillHook()
	}
	b, err := f.encode(SnapshotQuality)
	if err != nil {
		return nil, err
	}
	f.still = b
	return b, nil
}

// encode makes a JPEG at quality from the raw pixels, or from the source's
// JPEG decoded, after the software transform.
func (f *Frame) encode(quality int) ([]byte, error) {
	img, done, err := f.pixels()
	if err != nil {
		return nil, err
	}
	defer done()
	if !f.xf.IsIdentity() {
		t := gocv.NewMat()
		defer t.Close()
		f.xf.apply(img, &t)
		img = t
	}
	jpeg, err := EncodeJPEG(img, quality)
	if err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	f.stats.Encodes.Add(1)
	return jpeg, nil
}

// pixels returns the frame's full pixels before the transform: the raw
// pixels (held until done is called) or the source's JPEG decoded.
func (f *Frame) pixels() (gocv.Mat, func(), error) {
	if f.src != nil {
		img, err := decodeJPEG(f.src, 1)
		if err != nil {
			return gocv.Mat{}, nil, err
		}
		f.stats.Decodes.Add(1)
		return img, func() { img.Close() }, nil
	}
	raw, ok := f.acquire()
	if !ok {
		return gocv.Mat{}, nil, ErrFrameGone
	}
	return raw, f.release, nil
}

// Scaled returns the picture at w×h (after the transform) in BGR pixels,
// made from the raw pixels or from the JPEG decoded at a reduced scale, for
// previews. The caller closes it.
func (f *Frame) Scaled(w, h int) (gocv.Mat, error) {
	if w < 1 || h < 1 {
		return gocv.Mat{}, fmt.Errorf("scale to %dx%d", w, h)
	}
	pw, ph := f.xf.size(w, h) // the size before the transform
	var small gocv.Mat
	if f.src != nil {
		img, err := DecodeReduced(f.src, f.srcW, f.srcH, pw, ph)
		if err != nil {
			return gocv.Mat{}, err
		}
		f.stats.Decodes.Add(1)
		small = resized(img, pw, ph)
		img.Close()
	} else {
		raw, ok := f.acquire()
		if !ok {
			return gocv.Mat{}, ErrFrameGone
		}
		small = resized(raw, pw, ph)
		f.release()
	}
	if f.xf.IsIdentity() {
		return small, nil
	}
	out := gocv.NewMat()
	f.xf.apply(small, &out)
	small.Close()
	return out, nil
}

// resized returns a new Mat of img at w×h. A large reduction first takes
// every nth pixel down to twice the size, then averages: INTER_AREA over a
// whole 640x480 frame costs a preview ten times more, for no visible gain
// in a terminal.
func resized(img gocv.Mat, w, h int) gocv.Mat {
	out := gocv.NewMat()
	if img.Cols() == w && img.Rows() == h {
		img.CopyTo(&out)
		return out
	}
	if img.Cols() >= 4*w && img.Rows() >= 4*h {
		half := gocv.NewMat()
		defer half.Close()
		gocv.Resize(img, &half, image.Pt(2*w, 2*h), 0, 0, gocv.InterpolationNearestNeighbor)
		img = half
	}
	gocv.Resize(img, &out, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
	return out
}

// acquire holds the raw pixels for reading; it fails once they are gone.
func (f *Frame) acquire() (gocv.Mat, bool) {
	f.rawMu.Lock()
	defer f.rawMu.Unlock()
	if f.raw == nil && f.draw != nil && !f.retired {
		f.raw = f.pool.get()
		f.draw(f.raw)
		f.draw = nil
	}
	if f.raw == nil {
		return gocv.Mat{}, false
	}
	f.users++
	return *f.raw, true
}

func (f *Frame) release() {
	f.rawMu.Lock()
	defer f.rawMu.Unlock()
	f.users--
	f.freeLocked()
}

// retire says the frame is no longer needed by its producer (a newer one
// replaced it): its raw pixels go back to the pool once nobody uses them.
func (f *Frame) retire() {
	if f == nil {
		return
	}
	f.rawMu.Lock()
	defer f.rawMu.Unlock()
	f.retired = true
	f.draw = nil
	f.freeLocked()
}

func (f *Frame) freeLocked() {
	if f.retired && f.users == 0 && f.raw != nil {
		f.pool.put(f.raw)
		f.raw = nil
	}
}

// stillHook, when a test sets it, runs before every still's encode: it
// shows that a slow still holds up nobody but the one who asked for it.
var stillHook func()

// Stats counts the camera's work, for /state: what a frame costs shows
// there.
type Stats struct {
	Captured    atomic.Uint64 // frames read from the source
	Encodes     atomic.Uint64 // JPEG encodes (feed and stills)
	Passthrough atomic.Uint64 // frames published with the source's own JPEG
	Decodes     atomic.Uint64 // JPEG decodes (previews, software rotation of JPEG sources)
	Dropped     atomic.Uint64 // frames skipped because the encoders were all busy
}

// orNew is s, or counters of their own for a frame made without a camera.
func (s *Stats) orNew() *Stats {
	if s == nil {
		return new(Stats)
	}
	return s
}

// matPool recycles the Mats raw frames are read into: at high resolution a
// fresh allocation per frame costs page faults and memory churn.
type matPool struct {
	mu     sync.Mutex
	free   []*gocv.Mat
	max    int
	closed bool
}

func newMatPool(max int) *matPool { return &matPool{max: max} }

func (p *matPool) get() *gocv.Mat {
	if p != nil {
		p.mu.Lock()
		if n := len(p.free); n > 0 {
			m := p.free[n-1]
			p.free = p.free[:n-1]
			p.mu.Unlock()
			return m
		}
		p.mu.Unlock()
	}
	m := gocv.NewMat()
	return &m
}

func (p *matPool) put(m *gocv.Mat) {
	if p != nil {
		p.mu.Lock()
		if !p.closed && len(p.free) < p.max {
			p.free = append(p.free, m)
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
	m.Close()
}

// close frees the pooled Mats; Mats put back later are freed at once.
func (p *matPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.free {
		m.Close()
	}
	p.free, p.closed = nil, true
}
