package camera

import (
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// BenchmarkFrameJPEG: what it costs to make one 640x480 frame's JPEG at
// quality 80, by source and transform: raw pixels (encode), raw rotated
// (rotate + encode), a camera's JPEG (nothing: passthrough), a camera's
// JPEG rotated (decode + rotate + encode); and a raw 1920x1080 frame.
func BenchmarkFrameJPEG(b *testing.B) {
	b.Run("raw-1920x1080", func(b *testing.B) {
		img := gocv.NewMat()
		defer img.Close()
		drawTestPattern(&img, 1920, 1080, 1, time.Now())
		for b.Loop() {
			m := gocv.NewMat()
			img.CopyTo(&m)
			f := newRawFrame(&m, Transform{}, 80, nil, nil)
			if _, err := f.JPEG(); err != nil {
				b.Fatal(err)
			}
			f.retire()
		}
	})
	const w, h = 640, 480
	img := gocv.NewMat()
	defer img.Close()
	drawTestPattern(&img, w, h, 1, time.Now())
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, 80})
	if err != nil {
		b.Fatal(err)
	}
	jpeg := append([]byte(nil), buf.GetBytes()...)
	buf.Close()
	for _, c := range []struct {
		name   string
		asJPEG bool
		xf     Transform
	}{
		{"raw", false, Transform{}},
		{"raw-rotate90", false, Transform{Rotate: 90}},
		{"jpeg", true, Transform{}},
		{"jpeg-rotate90", true, Transform{Rotate: 90}},
		{"jpeg-hflip", true, Transform{HFlip: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				var f *Frame
				if c.asJPEG {
					f, _ = newJPEGFrame(jpeg, c.xf, 80, nil)
				} else {
					m := gocv.NewMat()
					img.CopyTo(&m)
					f = newRawFrame(&m, c.xf, 80, nil, nil)
				}
				if _, err := f.JPEG(); err != nil {
					b.Fatal(err)
				}
				f.retire()
			}
		})
	}
}
