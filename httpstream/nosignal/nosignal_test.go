package nosignal

import (
	"bytes"
	"image/jpeg"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

func TestJPEG(t *testing.T) {
	for _, tc := range []struct {
		w, h  int
		lines []string
	}{
		{640, 480, []string{"camera is reconnecting", "open /dev/video9: no such device"}},
		{160, 120, []string{strings.Repeat("x", 200)}},
		{1920, 1080, []string{"ünïcödé \x1b[31m"}},
		{16, 16, nil},
	} {
		b, err := JPEG(tc.w, tc.h, tc.lines...)
		if err != nil {
			t.Fatalf("%dx%d: %v", tc.w, tc.h, err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != tc.w || cfg.Height != tc.h {
			t.Errorf("%dx%d: a %dx%d JPEG (%v)", tc.w, tc.h, cfg.Width, cfg.Height, err)
		}
	}
	if _, err := JPEG(8, 8); err == nil {
		t.Error("an 8x8 picture was drawn")
	}
}

// Lines break at spaces, never inside a word that fits, and every line
// fits.
func TestWrap(t *testing.T) {
	const width = 200
	for _, tc := range []struct {
		in   string
		want []string // nil: only check widths
	}{
		{"", nil},
		{"short", []string{"short"}},
		{"read /dev/video0: no frame: end of stream or device gone", nil},
		{strings.Repeat("y", 100), nil},
	} {
		got := wrap(tc.in, width, 0.5)
		if tc.want != nil && strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.ReplaceAll(strings.Join(got, ""), " ", "") != strings.ReplaceAll(tc.in, " ", "") {
			t.Errorf("wrap(%q) lost text: %q", tc.in, got)
		}
		for _, l := range got {
			if w := gocv.GetTextSize(l, font, 0.5, 1).X; w > width {
				t.Errorf("wrap(%q): %q is %d wide, want ≤ %d", tc.in, l, w, width)
			}
		}
		if !strings.Contains(tc.in, strings.Repeat("y", 10)) {
			words := strings.Fields(tc.in)
			if n := len(strings.Fields(strings.Join(got, " "))); n != len(words) {
				t.Errorf("wrap(%q) split a word: %q", tc.in, got)
			}
		}
	}
}

// BenchmarkJPEG draws the 640x480 NO SIGNAL picture (the server draws it
// again only when the camera's state or error changes).
func BenchmarkJPEG(b *testing.B) {
	for b.Loop() {
		if _, err := JPEG(640, 480, "camera is reconnecting", "read /dev/video0: no frame: end of stream or device gone"); err != nil {
			b.Fatal(err)
		}
	}
}
