package camera

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"charm.land/log/v2"

	"gocv.io/x/gocv"

	"pistream/camera/v4l2"
	"pistream/internal/jpegmark"
)

// Source delivers frames. Read blocks until the next frame: a source of
// raw pixels writes them (BGR) into raw and returns a nil JPEG; a source of
// JPEG returns the camera's JPEG, which the caller keeps, and leaves raw
// alone. A Source is used by one goroutine, the capture loop, which owns
// it; Close may be called from another to end a Read stuck in a device.
type Source interface {
	Read(raw *gocv.Mat) (jpeg []byte, err error)
	Close() error
}

// jpegSource is a source that only ever gives JPEG (a camera child
// process): the capture loop reads it without lending it a Mat.
type jpegSource interface {
	ReadJPEG() ([]byte, error)
}

// SourceInfo says what an open source is.
type SourceInfo struct {
	// Kind is rpicam, v4l2-mjpeg, v4l2-raw, gstreamer, file or test.
	Kind string
	// Done is the part of the asked transform the source does itself
	// (mirrorings by the camera); the rest is done in software.
	Done Transform
	// Focus says the source sets the asked focus (rpicam-vid's lens
	// controls).
	Focus bool
	// Controls says the source takes --v4l2-controls (a V4L2 device).
	Controls bool
}

// infoOf asks a source what it is.
func infoOf(src Source, spec string) SourceInfo {
	if d, ok := src.(interface{ Info() SourceInfo }); ok {
		return d.Info()
	}
	return SourceInfo{Kind: string(KindOf(spec))}
}

// Settings are the frame size and rate asked of a source.
type Settings struct {
	Width, Height int
	FPS           int
}

// Asked is what the capture loop asks of a source: size and rate, the JPEG
// quality of a source that encodes, the transform (the source does what it
// can of it), the controls of a V4L2 device, and where a source logs (a
// child process's messages, what was set on a device).
type Asked struct {
	Settings
	Quality      int
	Transform    Transform
	Focus        Focus
	V4L2Controls v4l2.Settings
	Log          *log.Logger
}

// Kind says how a camera spec is opened.
type Kind string

const (
	KindTest      Kind = "test"      // synthetic pattern, no hardware
	KindRPicam    Kind = "rpicam"    // rpicam-vid (libcamera) as a child process
	KindDevice    Kind = "device"    // V4L2 device, by index or path
	KindGStreamer Kind = "gstreamer" // a GStreamer pipeline ending in appsink
	KindFile      Kind = "file"      // a video file or a URL (rtsp://, http://)
)

// KindOf classifies a --camera spec. "auto" is resolved by Candidates first.
func KindOf(spec string) Kind {
	switch {
	case spec == "test":
		return KindTest
	case spec == "rpicam" || strings.HasPrefix(spec, "rpicam:"):
		return KindRPicam
	case isIndex(spec), strings.HasPrefix(spec, "/dev/"):
		return KindDevice
	case strings.Contains(spec, "appsink") || strings.Contains(spec, " ! "):
		return KindGStreamer
	default:
		return KindFile
	}
}

func isIndex(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n < 64
}

// LibcameraPipeline is the GStreamer pipeline used for the Raspberry Pi
// camera through libcamera at the given settings.
func LibcameraPipeline(s Settings) string {
	return fmt.Sprintf("libcamerasrc ! video/x-raw,width=%d,height=%d,framerate=%d/1 ! "+
		"videoconvert ! video/x-raw,format=BGR ! appsink drop=true max-buffers=1 sync=false",
		s.Width, s.Height, s.FPS)
}

// hasLibcamera reports whether GStreamer's libcamerasrc plugin is installed.
func hasLibcamera() bool {
	dirs := filepath.SplitList(os.Getenv("GST_PLUGIN_PATH"))
	for _, pattern := range []string{"/usr/lib/*/gstreamer-1.0", "/usr/lib/gstreamer-1.0", "/usr/local/lib/*/gstreamer-1.0"} {
		m, _ := filepath.Glob(pattern)
		dirs = append(dirs, m...)
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "libgstlibcamera.so")); err == nil {
			return true
		}
	}
	return false
}

// Open opens the source named by spec ("test", "rpicam[:N]", a device
// index or path, a GStreamer pipeline, a file or URL) as asked.
func Open(spec string, a Asked) (Source, error) {
	switch KindOf(spec) {
	case KindTest:
		return newTestSource(a.Settings), nil
	case KindRPicam:
		return openRPicam(spec, a)
	case KindDevice:
		return asSource(openDevice(spec, a))
	case KindGStreamer:
		return asSource(openCapture(spec, gocv.VideoCaptureGstreamer, string(KindGStreamer)))
	default:
		return asSource(openFile(spec))
	}
}

// asSource returns c as a Source, and a nil Source (not a nil *capture)
// with an error.
func asSource(c *capture, err error) (Source, error) {
	if err != nil {
		return nil, err
	}
	return c, nil
}

// capture is a source read through OpenCV's VideoCapture. When OpenCV
// hands over the encoded buffer (a V4L2 device in MJPG with RGB conversion
// off, a GStreamer pipeline ending in image/jpeg, an MJPEG file read
// without decoding), its frames are passed through as they are.
type capture struct {
	vc   *gocv.VideoCapture
	info SourceInfo
}

func openCapture(spec string, api gocv.VideoCaptureAPI, kind string) (*capture, error) {
	var (
		vc  *gocv.VideoCapture
		err error
	)
	if api == gocv.VideoCaptureV4L2 && isIndex(spec) {
		n, _ := strconv.Atoi(spec)
		vc, err = gocv.VideoCaptureDeviceWithAPI(n, api)
	} else {
		vc, err = gocv.VideoCaptureFileWithAPI(spec, api)
	}
	if err != nil {
		if vc != nil {
			vc.Close()
		}
		return nil, fmt.Errorf("open %s: %w", spec, err)
	}
	if !vc.IsOpened() {
		vc.Close()
		return nil, fmt.Errorf("open %s: not opened", spec)
	}
	return &capture{vc: vc, info: SourceInfo{Kind: kind}}, nil
}

// openDevice opens a V4L2 device, asking for MJPG first: when the device
// gives it, its JPEGs are passed through.
func openDevice(spec string, a Asked) (*capture, error) {
	c, err := openCapture(spec, gocv.VideoCaptureV4L2, "v4l2-raw")
	if err != nil {
		return nil, err
	}
	vc := c.vc
	vc.Set(gocv.VideoCaptureFOURCC, vc.ToCodec("MJPG"))
	vc.Set(gocv.VideoCaptureFrameWidth, float64(a.Width))
	vc.Set(gocv.VideoCaptureFrameHeight, float64(a.Height))
	vc.Set(gocv.VideoCaptureFPS, float64(a.FPS))
	vc.Set(gocv.VideoCaptureBufferSize, 1)
	if fourcc := vc.CodecString(); fourcc == "MJPG" || fourcc == "JPEG" {
		vc.Set(gocv.VideoCaptureConvertRGB, 0)
		c.info.Kind = "v4l2-mjpeg"
	}
	// The controls first: --hflip and --vflip win over a flip control
	// among them, so that what the device does (Done) is what it was set to.
	setDeviceControls(devicePath(spec), a.V4L2Controls, a.Log, v4l2.SetControls)
	c.info.Done = setDeviceFlips(devicePath(spec), a.Transform)
	c.info.Controls = true
	return c, nil
}

// devicePath is the device node of a V4L2 spec: "2" is /dev/video2.
func devicePath(spec string) string {
	if isIndex(spec) {
		return "/dev/video" + spec
	}
	return spec
}

// openFile opens a file or URL; an MJPEG file is read without decoding.
func openFile(spec string) (*capture, error) {
	c, err := openCapture(spec, gocv.VideoCaptureAny, string(KindFile))
	if err != nil {
		return nil, err
	}
	if c.vc.CodecString() == "MJPG" && gocv.VideoCaptureAPI(c.vc.Get(gocv.VideoCaptureBackend)) == gocv.VideoCaptureFFmpeg {
		c.vc.Set(gocv.VideoCaptureFormat, -1) // packets as they are
	}
	return c, nil
}

func (c *capture) Info() SourceInfo { return c.info }

// errEndOfStream is returned when a capture yields no frame: the end of a
// file, or a device that went away.
var errEndOfStream = errors.New("no frame: end of stream or device gone")

func (c *capture) Read(raw *gocv.Mat) ([]byte, error) {
	if !c.vc.Read(raw) || raw.Empty() {
		return nil, errEndOfStream
	}
	if raw.Rows() != 1 || raw.Type() != gocv.MatTypeCV8U {
		return nil, nil // pixels
	}
	// One row of bytes: the encoded frame.
	b := bytes.TrimRight(raw.ToBytes(), "\x00") // UVC cameras may pad their buffers
	if err := jpegmark.Check(b); err != nil {
		return nil, fmt.Errorf("the source gave %d bytes that are not a JPEG: %w", len(b), err)
	}
	return b, nil
}

func (c *capture) Close() error { return c.vc.Close() }

// testSource draws a moving colour-bar pattern with the current time at the
// configured size and rate. It paces itself like a real camera and, like a
// camera whose sensor costs the CPU nothing, draws a frame only when a
// consumer needs its pixels.
type testSource struct {
	s      Settings
	next   time.Time
	period time.Duration
	n      int
}

// lazySource is a source whose pixels cost work to make: ReadLazy paces
// like Read and returns a function that draws the frame into dst (of any
// size and type before), called only if a consumer needs the pixels, from
// any goroutine.
type lazySource interface {
	ReadLazy() (draw func(dst *gocv.Mat), err error)
}

func newTestSource(s Settings) *testSource {
	return &testSource{s: s, period: time.Second / time.Duration(max(s.FPS, 1))}
}

// testBars are the colours of the bars, as gocv takes them (R, G, B).
var testBars = []color.RGBA{
	{192, 192, 192, 0}, {192, 192, 0, 0}, {0, 192, 192, 0}, {0, 192, 0, 0},
	{192, 0, 192, 0}, {192, 0, 0, 0}, {0, 0, 192, 0}, {32, 32, 32, 0},
}

func (t *testSource) ReadLazy() (func(dst *gocv.Mat), error) {
	now := time.Now()
	if t.next.IsZero() {
		t.next = now
	}
	if d := t.next.Sub(now); d > 0 {
		time.Sleep(d)
		now = time.Now()
	} else if d < -t.period {
		t.next = now // fell behind: don't burst to catch up
	}
	t.next = t.next.Add(t.period)
	t.n++
	n, w, h := t.n, t.s.Width, t.s.Height
	return func(dst *gocv.Mat) { drawTestPattern(dst, w, h, n, now) }, nil
}

func (t *testSource) Read(dst *gocv.Mat) ([]byte, error) {
	draw, err := t.ReadLazy()
	if err != nil {
		return nil, err
	}
	draw(dst)
	return nil, nil
}

// drawTestPattern draws frame n, taken at now, into dst at w×h.
func drawTestPattern(dst *gocv.Mat, w, h, n int, now time.Time) {
	if dst.Rows() != h || dst.Cols() != w || dst.Type() != gocv.MatTypeCV8UC3 {
		dst.Close()
		*dst = gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	}
	// Bars scrolling 4 pixels a frame.
	bw := max(w/len(testBars), 1)
	off := (n * 4) % w
	for k := off / bw; k*bw-off < w; k++ {
		r := image.Rect(max(k*bw-off, 0), 0, min((k+1)*bw-off, w), h)
		fill(dst, r, testBars[k%len(testBars)])
	}
	// A ball bouncing across, so motion is visible even in a still of it.
	x := (n * 7) % (2 * w)
	if x >= w {
		x = 2*w - x - 1
	}
	gocv.Circle(dst, image.Pt(x, h/2), max(h/12, 2), color.RGBA{255, 255, 255, 0}, -1)
	fill(dst, image.Rect(0, h-max(h/8, 12), w, h), color.RGBA{0, 0, 0, 0})
	scale := float64(h) / 480
	label := now.Format("2006-01-02 15:04:05.000") + fmt.Sprintf("  #%d", n)
	gocv.PutText(dst, label, image.Pt(max(w/40, 2), h-max(h/32, 3)), gocv.FontHersheySimplex, scale, color.RGBA{255, 255, 255, 0}, max(int(2*scale), 1))
}

func (t *testSource) Close() error { return nil }

// fill paints r of dst with c, as a plain fill (cheaper than drawing a
// filled rectangle).
func fill(dst *gocv.Mat, r image.Rectangle, c color.RGBA) {
	reg := dst.Region(r)
	reg.SetTo(gocv.NewScalar(float64(c.B), float64(c.G), float64(c.R), 0))
	reg.Close()
}
