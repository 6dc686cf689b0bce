package camera

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gocv.io/x/gocv"
)

// Source delivers raw frames. Read blocks until the next frame is in dst.
// A Source is used by one goroutine, the capture loop, which owns it.
type Source interface {
	Read(dst *gocv.Mat) error
	Close() error
}

// Settings are the frame size and rate asked of a source.
type Settings struct {
	Width, Height int
	FPS           int
}

// Kind says how a camera spec is opened.
type Kind string

const (
	KindTest      Kind = "test"      // synthetic pattern, no hardware
	KindDevice    Kind = "device"    // V4L2 device, by index or path
	KindGStreamer Kind = "gstreamer" // a GStreamer pipeline ending in appsink
	KindFile      Kind = "file"      // a video file or a URL (rtsp://, http://)
)

// KindOf classifies a --camera spec. "auto" is resolved by Resolve first.
func KindOf(spec string) Kind {
	switch {
	case spec == "test":
		return KindTest
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

// Candidates lists, in order, the specs that "auto" tries: /dev/video0 when
// present, the libcamera pipeline when its GStreamer element is installed,
// and always the test pattern last. Other specs are returned as they are.
func Candidates(spec string, s Settings) []string {
	if spec != "auto" {
		return []string{spec}
	}
	var c []string
	if _, err := os.Stat("/dev/video0"); err == nil {
		c = append(c, "/dev/video0")
	}
	if hasLibcamera() {
		c = append(c, LibcameraPipeline(s))
	}
	return append(c, "test")
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

// Open opens the source named by spec ("test", a device index or path, a
// GStreamer pipeline, a file or URL) at settings s.
func Open(spec string, s Settings) (Source, error) {
	switch KindOf(spec) {
	case KindTest:
		return newTestSource(s), nil
	case KindDevice:
		return openCapture(spec, s, gocv.VideoCaptureV4L2, true)
	case KindGStreamer:
		return openCapture(spec, s, gocv.VideoCaptureGstreamer, false)
	default:
		return openCapture(spec, s, gocv.VideoCaptureAny, false)
	}
}

// capture is a source read through OpenCV's VideoCapture.
type capture struct {
	vc *gocv.VideoCapture
}

func openCapture(spec string, s Settings, api gocv.VideoCaptureAPI, device bool) (Source, error) {
	var (
		vc  *gocv.VideoCapture
		err error
	)
	if device && isIndex(spec) {
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
	if device {
		vc.Set(gocv.VideoCaptureFrameWidth, float64(s.Width))
		vc.Set(gocv.VideoCaptureFrameHeight, float64(s.Height))
		vc.Set(gocv.VideoCaptureFPS, float64(s.FPS))
		vc.Set(gocv.VideoCaptureBufferSize, 1)
	}
	return &capture{vc: vc}, nil
}

// errEndOfStream is returned when a capture yields no frame: the end of a
// file, or a device that went away.
var errEndOfStream = errors.New("no frame: end of stream or device gone")

func (c *capture) Read(dst *gocv.Mat) error {
	if !c.vc.Read(dst) || dst.Empty() {
		return errEndOfStream
	}
	return nil
}

func (c *capture) Close() error { return c.vc.Close() }

// testSource draws a moving colour-bar pattern with the current time at the
// configured size and rate. It paces itself like a real camera.
type testSource struct {
	s      Settings
	bars   gocv.Mat // two bar patterns side by side; a window of it scrolls
	next   time.Time
	period time.Duration
	n      int
}

func newTestSource(s Settings) *testSource {
	bars := gocv.NewMatWithSize(s.Height, 2*s.Width, gocv.MatTypeCV8UC3)
	colors := []color.RGBA{ // BGR order is handled by OpenCV: RGBA here means B,G,R,A
		{192, 192, 192, 0}, {0, 192, 192, 0}, {192, 192, 0, 0}, {0, 192, 0, 0},
		{192, 0, 192, 0}, {0, 0, 192, 0}, {192, 0, 0, 0}, {32, 32, 32, 0},
	}
	w := s.Width / len(colors)
	if w < 1 {
		w = 1
	}
	for i := 0; i*w < 2*s.Width; i++ {
		r := image.Rect(i*w, 0, (i+1)*w, s.Height)
		gocv.Rectangle(&bars, r, colors[i%len(colors)], -1)
	}
	fps := max(s.FPS, 1)
	return &testSource{s: s, bars: bars, period: time.Second / time.Duration(fps)}
}

func (t *testSource) Read(dst *gocv.Mat) error {
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

	w, h := t.s.Width, t.s.Height
	off := (t.n * 4) % w
	win := t.bars.Region(image.Rect(off, 0, off+w, h))
	win.CopyTo(dst)
	win.Close()

	// A ball bouncing across, so motion is visible even in a still of it.
	x := (t.n * 7) % (2 * w)
	if x >= w {
		x = 2*w - x - 1
	}
	gocv.Circle(dst, image.Pt(x, h/2), max(h/12, 2), color.RGBA{255, 255, 255, 0}, -1)
	band := image.Rect(0, h-max(h/8, 12), w, h)
	gocv.Rectangle(dst, band, color.RGBA{0, 0, 0, 0}, -1)
	scale := float64(h) / 480
	label := now.Format("2006-01-02 15:04:05.000") + fmt.Sprintf("  #%d", t.n)
	gocv.PutText(dst, label, image.Pt(max(w/40, 2), h-max(h/32, 3)), gocv.FontHersheySimplex, scale, color.RGBA{255, 255, 255, 0}, max(int(2*scale), 1))
	return nil
}

func (t *testSource) Close() error { return t.bars.Close() }
