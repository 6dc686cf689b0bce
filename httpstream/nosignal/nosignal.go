// Package nosignal draws the picture a viewer gets while the camera gives
// none: "NO SIGNAL" and why, as µStreamer sends, so an <img>, a player or a
// recorder shows the camera's state instead of a frozen or broken picture.
package nosignal

import (
	"fmt"
	"image"
	"image/color"
	"pistream/camera"
	"strings"

	"gocv.io/x/gocv"
)

// Quality is the JPEG quality of the picture: text on a flat background.
const Quality = 70

const font = gocv.FontHersheySimplex

// JPEG returns a w×h JPEG: "NO SIGNAL" large in the middle of a dark grey
// picture, and below it each of lines, wrapped at spaces to the width
// (a word longer than the width at any character). Characters the
// picture's font lacks (all but printable ASCII) are drawn as '?'.
func JPEG(w, h int, lines ...string) ([]byte, error) {
	if w < 16 || h < 16 {
		return nil, fmt.Errorf("no-signal picture: size %dx%d too small", w, h)
	}
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(40, 40, 40, 0), h, w, gocv.MatTypeCV8UC3)
	defer img.Close()
	margin := max(4, w/32)
	big := float64(w) / 400 // "NO SIGNAL" about half the width
	thick := max(1, int(big*2+0.5))
	title := gocv.GetTextSize("NO SIGNAL", font, big, thick)
	small := max(0.35, float64(w)/1400)
	line := gocv.GetTextSize("Ag", font, small, 1)
	var body []string
	for _, l := range lines {
		body = append(body, wrap(ascii(l), w-2*margin, small)...)
	}
	gap := line.Y * 2
	total := title.Y + gap + len(body)*gap
	y := max(title.Y+margin, (h-total)/2+title.Y)
	gocv.PutText(&img, "NO SIGNAL", image.Pt((w-title.X)/2, y), font, big, color.RGBA{230, 230, 230, 0}, thick)
	y += gap
	for _, l := range body {
		y += gap
		if y > h-margin {
			break
		}
		size := gocv.GetTextSize(l, font, small, 1)
		gocv.PutText(&img, l, image.Pt((w-size.X)/2, y), font, small, color.RGBA{200, 200, 200, 0}, 1)
	}
	jpeg, err := camera.EncodeJPEG(img, Quality)
	if err != nil {
		return nil, fmt.Errorf("no-signal picture: %w", err)
	}
	return jpeg, nil
}

// ascii replaces what the Hershey fonts cannot draw with '?'.
func ascii(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// wrap breaks s into lines no wider than width at scale: at spaces, and
// inside a word only when the word alone is wider.
func wrap(s string, width int, scale float64) []string {
	fits := func(t string) bool { return gocv.GetTextSize(t, font, scale, 1).X <= width }
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = word
		case fits(cur + " " + word):
			cur += " " + word
			continue
		default:
			out = append(out, cur)
			cur = word
		}
		for !fits(cur) && len(cur) > 1 {
			n := len(cur) - 1
			for n > 1 && !fits(cur[:n]) {
				n--
			}
			out = append(out, cur[:n])
			cur = cur[n:]
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
