package camera

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// corner names where a marker is: top-left, top-right, bottom-left, bottom-right.
type corner string

const (
	tl corner = "top-left"
	tr corner = "top-right"
	bl corner = "bottom-left"
	br corner = "bottom-right"
)

// markerImage is a w×h grey picture with a red block in its top-left corner.
func markerImage(w, h int) gocv.Mat {
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	m.SetTo(gocv.NewScalar(128, 128, 128, 0))
	gocv.Rectangle(&m, image.Rect(0, 0, w/4, h/4), color.RGBA{255, 0, 0, 0}, -1) // red
	return m
}

// markerCorner finds the quadrant of img that is red.
func markerCorner(t *testing.T, img image.Image) corner {
	t.Helper()
	b := img.Bounds()
	red := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return r>>8 > 180 && g>>8 < 90 && bl>>8 < 90
	}
	probes := map[corner]image.Point{
		tl: {b.Min.X + b.Dx()/16, b.Min.Y + b.Dy()/16},
		tr: {b.Max.X - 1 - b.Dx()/16, b.Min.Y + b.Dy()/16},
		bl: {b.Min.X + b.Dx()/16, b.Max.Y - 1 - b.Dy()/16},
		br: {b.Max.X - 1 - b.Dx()/16, b.Max.Y - 1 - b.Dy()/16},
	}
	var found []corner
	for c, p := range probes {
		if red(p.X, p.Y) {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("marker found in %v, want exactly one corner", found)
	}
	return found[0]
}

// markSource gives the marker picture, as raw pixels or as a JPEG, doing
// the part done of the transform itself as a camera would.
type markSource struct {
	w, h  int
	jpeg  bool
	done  Transform
	frame gocv.Mat
	bytes []byte
}

func newMarkSource(w, h int, asJPEG bool, done Transform) *markSource {
	img := markerImage(w, h)
	s := &markSource{w: w, h: h, jpeg: asJPEG, done: done, frame: gocv.NewMat()}
	done.apply(img, &s.frame)
	img.Close()
	if asJPEG {
		buf, _ := gocv.IMEncode(gocv.JPEGFileExt, s.frame)
		s.bytes = append([]byte(nil), buf.GetBytes()...)
		buf.Close()
	}
	return s
}

func (s *markSource) Read(raw *gocv.Mat) ([]byte, error) {
	time.Sleep(10 * time.Millisecond) // a camera at 100 fps
	if s.jpeg {
		return s.bytes, nil
	}
	s.frame.CopyTo(raw)
	return nil, nil
}

func (s *markSource) Close() error { return s.frame.Close() }

func (s *markSource) Info() SourceInfo {
	kind := "test"
	if s.jpeg {
		kind = "rpicam"
	}
	return SourceInfo{Kind: kind, Done: s.done}
}

// useSource makes the camera open src whatever its spec, until the test ends.
func useSource(t *testing.T, open func(Transform) Source) {
	t.Helper()
	openSource = func(_ string, a Asked) (Source, error) { return open(a.Transform), nil }
	t.Cleanup(func() { openSource = Open })
}

// The marker of the top-left corner ends up where each transform puts it,
// whether software does it on raw pixels or on a camera's JPEG, or the
// camera does (part of) it; quarter turns swap width and height.
func TestTransformPutsTheMarkerInTheRightCorner(t *testing.T) {
	cases := []struct {
		tf   Transform
		want corner
	}{
		{Transform{}, tl},
		{Transform{HFlip: true}, tr},
		{Transform{VFlip: true}, bl},
		{Transform{HFlip: true, VFlip: true}, br},
		{Transform{Rotate: 90}, tr},
		{Transform{Rotate: 180}, br},
		{Transform{Rotate: 270}, bl},
		{Transform{Rotate: 90, HFlip: true}, br},
		{Transform{Rotate: 90, VFlip: true}, tl},
		{Transform{Rotate: 180, HFlip: true}, bl},
		{Transform{Rotate: 270, HFlip: true}, tl},
		{Transform{Rotate: 270, VFlip: true}, br},
	}
	sources := []struct {
		name       string
		jpeg       bool
		canH, canV bool // mirrorings the camera does itself
		wantBy     func(Transform) string
	}{
		{"raw pixels", false, false, false, nil},
		{"camera JPEG", true, false, false, nil},
		{"camera that mirrors", true, true, true, nil},
		{"camera that mirrors left-right only", false, true, false, nil},
	}
	const w, h = 160, 120
	for _, src := range sources {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", src.name, c.tf), func(t *testing.T) {
				useSource(t, func(tf Transform) Source {
					done, _ := tf.Split(src.canH, src.canV)
					return newMarkSource(w, h, src.jpeg, done)
				})
				cam := start(t, Config{Spec: "test", Settings: Settings{Width: w, Height: h, FPS: 30}, Transform: c.tf, Encoders: 2})
				ww, wh := w, h
				if c.tf.Rotate == 90 || c.tf.Rotate == 270 {
					ww, wh = h, w
				}
				f := frames(t, cam, 2, ww, wh)[1]
				img, err := jpeg.Decode(bytes.NewReader(mustJPEG(t, f)))
				if err != nil {
					t.Fatal(err)
				}
				if got := markerCorner(t, img); got != c.want {
					t.Errorf("JPEG: marker in the %s corner, want %s", got, c.want)
				}
				// The TUI's preview follows the same transform.
				small := scaledLatest(t, cam, ww/4, wh/4)
				simg, err := small.ToImage()
				small.Close()
				if err != nil {
					t.Fatal(err)
				}
				if got := markerCorner(t, simg); got != c.want {
					t.Errorf("preview: marker in the %s corner, want %s", got, c.want)
				}
				st := cam.Status()
				if st.Width != ww || st.Height != wh {
					t.Errorf("status says %dx%d, want %dx%d", st.Width, st.Height, ww, wh)
				}
				if want := wantBy(c.tf, src.canH, src.canV); st.TransformBy != want {
					t.Errorf("transform by %q, want %q", st.TransformBy, want)
				}
			})
		}
	}
}

// scaledLatest scales the newest frame, taking a newer one when the
// camera replaced it first (the pixels of old frames are freed).
func scaledLatest(t *testing.T, cam *Camera, w, h int) gocv.Mat {
	t.Helper()
	for range 100 {
		m, err := cam.Hub().Latest().Scaled(w, h)
		if err == nil {
			return m
		}
		if !errors.Is(err, ErrFrameGone) {
			t.Fatal(err)
		}
	}
	t.Fatal("every frame was replaced before it could be scaled")
	return gocv.Mat{}
}

// wantBy is who should do tf for a camera that can mirror canH/canV.
func wantBy(tf Transform, canH, canV bool) string {
	if tf.IsIdentity() {
		return "none"
	}
	done, rest := tf.Split(canH, canV)
	switch {
	case done.IsIdentity():
		return "software"
	case rest.IsIdentity():
		return "source"
	}
	return "source+software"
}

func TestTransformAlgebra(t *testing.T) {
	cases := []struct {
		tf         Transform
		canH, canV bool
		bySource   Transform
		inSoftware Transform
	}{
		{Transform{Rotate: 180}, true, true, Transform{HFlip: true, VFlip: true}, Transform{}},
		{Transform{Rotate: 180, HFlip: true}, true, true, Transform{VFlip: true}, Transform{}},
		{Transform{Rotate: 180}, true, false, Transform{HFlip: true}, Transform{VFlip: true}},
		{Transform{Rotate: 90}, true, true, Transform{}, Transform{Rotate: 90}},
		{Transform{HFlip: true}, false, false, Transform{}, Transform{HFlip: true}},
		{Transform{}, true, true, Transform{}, Transform{}},
	}
	for _, c := range cases {
		s, r := c.tf.Split(c.canH, c.canV)
		if s != c.bySource || r != c.inSoftware {
			t.Errorf("%v.Split(%v, %v) = %v, %v; want %v, %v", c.tf, c.canH, c.canV, s, r, c.bySource, c.inSoftware)
		}
	}
	for _, deg := range []int{-90, 45, 360} {
		if ParseRotation(deg) == nil {
			t.Errorf("ParseRotation(%d) accepted", deg)
		}
	}
}
