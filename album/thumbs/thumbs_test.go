package thumbs

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"sync"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMake(t *testing.T) {
	for _, tc := range []struct{ w, h, wantW, wantH int }{
		{4608, 2592, 320, 180},
		{640, 480, 320, 240},
		{480, 640, 240, 320},
		{200, 100, 200, 100},
	} {
		th, err := Make(testJPEG(t, tc.w, tc.h))
		if err != nil {
			t.Fatalf("%dx%d: %v", tc.w, tc.h, err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(th))
		if err != nil || cfg.Width != tc.wantW || cfg.Height != tc.wantH {
			t.Errorf("%dx%d: thumbnail %dx%d (%v), want %dx%d", tc.w, tc.h, cfg.Width, cfg.Height, err, tc.wantW, tc.wantH)
		}
	}
	if _, err := Make([]byte("not a jpeg")); err == nil {
		t.Error("Make of garbage succeeded")
	}
}

// Eight callers at once make a thumbnail once; a kept one is not made
// again; the budget drops the least recently used; Forget and Retain drop
// what they name; a failure is not kept.
func TestCache(t *testing.T) {
	photo := testJPEG(t, 640, 480)
	one, err := Make(photo)
	if err != nil {
		t.Fatal(err)
	}
	c := New(2*len(one)+len(one)/2, 2) // room for two
	read := func() ([]byte, error) { return photo, nil }
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.Get(Key{"a.jpg", "1"}, read); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if made, kept, _ := c.Stats(); made != 1 || kept != 1 {
		t.Fatalf("made %d, kept %d; want 1, 1", made, kept)
	}
	c.Get(Key{"b.jpg", "1"}, read)
	c.Get(Key{"a.jpg", "1"}, read) // a is now the most recent
	c.Get(Key{"c.jpg", "1"}, read) // drops b
	if made, kept, used := c.Stats(); made != 3 || kept != 2 || used > c.max {
		t.Fatalf("made %d, kept %d, %d bytes; want 3, 2, ≤ %d", made, kept, used, c.max)
	}
	c.Get(Key{"a.jpg", "1"}, read)
	if made, _, _ := c.Stats(); made != 3 {
		t.Errorf("a was made again: %d made", made)
	}
	c.Forget("a.jpg")
	c.Retain(func(k Key) bool { return k.Name != "c.jpg" })
	if _, kept, used := c.Stats(); kept != 0 || used != 0 {
		t.Errorf("after Forget and Retain: kept %d, %d bytes", kept, used)
	}
	boom := errors.New("boom")
	if _, err := c.Get(Key{"d.jpg", "1"}, func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("Get = %v, want boom", err)
	}
	if _, err := c.Get(Key{"d.jpg", "1"}, read); err != nil {
		t.Errorf("a failure was kept: %v", err)
	}
}

// BenchmarkThumbnail makes the thumbnail of a 4608x2592 photo (a Camera
// Module 3's full size) as Make does, decoding at 1/8 scale, and, as the
// baseline in the same run, by decoding in full and resizing; it reports
// both in ms and their ratio.
func BenchmarkThumbnail(b *testing.B) {
	photo := testJPEG(b, 4608, 2592)
	full := func() {
		img, err := gocv.IMDecode(photo, gocv.IMReadColor)
		if err != nil {
			b.Fatal(err)
		}
		small := gocv.NewMat()
		gocv.Resize(img, &small, image.Pt(Size, Size*2592/4608), 0, 0, gocv.InterpolationArea)
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, small, []int{gocv.IMWriteJpegQuality, Quality})
		if err != nil {
			b.Fatal(err)
		}
		buf.Close()
		small.Close()
		img.Close()
	}
	var reduced, baseline time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := Make(photo); err != nil {
			b.Fatal(err)
		}
		reduced += time.Since(start)
		start = time.Now()
		full()
		baseline += time.Since(start)
	}
	b.ReportMetric(float64(reduced.Microseconds())/float64(b.N)/1000, "ms/thumb")
	b.ReportMetric(float64(baseline.Microseconds())/float64(b.N)/1000, "ms/full-decode")
	b.ReportMetric(float64(reduced)/float64(baseline), "ratio")
}
