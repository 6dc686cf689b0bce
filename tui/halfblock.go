package tui

import (
	"bytes"
	"fmt"
	"image"
	stdjpeg "image/jpeg"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/charmbracelet/colorprofile"
	"gocv.io/x/gocv"

	"pistream/camera"
)

// upperHalf draws the top pixel of a cell in the foreground colour and the
// bottom one in the background colour, so a cell shows two square pixels.
const upperHalf = "▀"

// RenderJPEG draws a JPEG in at most cols×rows terminal cells with
// half-block characters, keeping its aspect ratio, in colours the profile
// supports (true colour, 256 colours, 16 colours, or characters only).
func RenderJPEG(jpeg []byte, cols, rows int, prof colorprofile.Profile) (string, error) {
	if cols < 1 || rows < 1 {
		return "", nil
	}
	cfg, err := stdjpeg.DecodeConfig(bytes.NewReader(jpeg))
	if err != nil {
		return "", fmt.Errorf("decode jpeg: %w", err)
	}
	img, err := camera.DecodeReduced(jpeg, cfg.Width, cfg.Height, cols, 2*rows)
	if err != nil {
		return "", err
	}
	defer img.Close()
	w, h := fit(img.Cols(), img.Rows(), cols, 2*rows)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(img, &small, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
	d, err := drawMat(small, prof)
	return d.text, err
}

// drawing is a picture drawn in half-blocks, with its lines and width
// kept so that placing it on a screen needs no measuring.
type drawing struct {
	text  string
	lines []string // text split into its lines
	width int      // cells in every line
}

// drawFrame draws a camera frame like RenderJPEG, from the frame's pixels at
// the size needed: a raw frame is only scaled, a camera's JPEG decoded at a
// reduced scale.
func drawFrame(f *camera.Frame, cols, rows int, prof colorprofile.Profile) (drawing, error) {
	if cols < 1 || rows < 1 || f.Width < 1 || f.Height < 1 {
		return drawing{}, nil
	}
	w, h := fit(f.Width, f.Height, cols, 2*rows)
	small, err := f.Scaled(w, h)
	if err != nil {
		return drawing{}, err
	}
	defer small.Close()
	return drawMat(small, prof)
}

// drawMat draws BGR pixels with half-blocks.
func drawMat(m gocv.Mat, prof colorprofile.Profile) (drawing, error) {
	px, err := m.DataPtrUint8()
	if err != nil {
		return drawing{}, fmt.Errorf("preview pixels: %w", err)
	}
	text := drawHalfBlocks(px, m.Cols(), m.Rows(), m.Step(), prof)
	return drawing{text: text, lines: strings.Split(text, "\n"), width: m.Cols()}, nil
}

// fit scales w×h to fit in maxW×maxH (in square pixels) keeping the aspect
// ratio; the height is rounded to an even number of pixels.
func fit(w, h, maxW, maxH int) (int, int) {
	nw, nh := maxW, maxW*h/w
	if nh > maxH {
		nw, nh = maxH*w/h, maxH
	}
	nw, nh = max(nw, 1), max(nh&^1, 2)
	return nw, nh
}

// drawHalfBlocks turns BGR pixels (w×h, h even, step bytes a row) into
// lines of half-block cells. Colours are only sent when they change.
func drawHalfBlocks(px []byte, w, h, step int, prof colorprofile.Profile) string {
	var b strings.Builder
	b.Grow(h / 2 * w * 24)
	for y := 0; y < h; y += 2 {
		top, bot := px[y*step:], px[(y+1)*step:]
		var lastFG, lastBG [3]byte
		first := true
		for x := 0; x < w; x++ {
			fg := [3]byte{top[3*x+2], top[3*x+1], top[3*x]}
			bg := [3]byte{bot[3*x+2], bot[3*x+1], bot[3*x]}
			if prof <= colorprofile.ASCII {
				b.WriteByte(asciiRamp[(int(luma(fg))+int(luma(bg)))*len(asciiRamp)/512])
				continue
			}
			if first || fg != lastFG {
				writeColor(&b, 38, fg)
			}
			if first || bg != lastBG {
				writeColor(&b, 48, bg)
			}
			lastFG, lastBG, first = fg, bg, false
			b.WriteString(upperHalf)
		}
		if prof > colorprofile.ASCII {
			b.WriteString("\x1b[m")
		}
		if y+2 < h {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

const asciiRamp = " .:-=+*#%@"

func luma(c [3]byte) byte {
	return byte((299*int(c[0]) + 587*int(c[1]) + 114*int(c[2])) / 1000)
}

// writeColor writes a true-colour SGR: base 38 for the foreground, 48 for
// the background. Bubble Tea's renderer turns it into what the terminal
// takes (256 or 16 colours) cell by cell, so the picture is drawn once for
// every colour profile.
func writeColor(b *strings.Builder, base int, c [3]byte) {
	b.WriteString("\x1b[")
	b.WriteString(strconv.Itoa(base))
	b.WriteString(";2;")
	b.WriteString(strconv.Itoa(int(c[0])))
	b.WriteByte(';')
	b.WriteString(strconv.Itoa(int(c[1])))
	b.WriteByte(';')
	b.WriteString(strconv.Itoa(int(c[2])))
	b.WriteByte('m')
}

// Previews renders camera frames for the Live screens of every session,
// each frame decoded and scaled at most once per preview size (and once
// more for a terminal without colours) whatever the number of sessions
// watching.
type Previews struct {
	mu      sync.Mutex
	seq     uint64
	entries map[previewKey]*previewEntry
	renders atomic.Int64 // decodes done, for tests
}

type previewKey struct {
	cols, rows int
	ascii      bool // characters only: no colours at all
}

type previewEntry struct {
	once sync.Once
	out  drawing
	err  error
}

// draw returns the half-block drawing of f at cols×rows, made once for
// every session asking for it.
func (p *Previews) draw(f *camera.Frame, cols, rows int, prof colorprofile.Profile) (drawing, error) {
	key := previewKey{cols, rows, prof <= colorprofile.ASCII}
	p.mu.Lock()
	if f.Seq < p.seq { // an older frame than the cache holds: don't cache
		p.mu.Unlock()
		p.renders.Add(1)
		return drawFrame(f, cols, rows, prof)
	}
	if f.Seq > p.seq || p.entries == nil {
		p.seq, p.entries = f.Seq, map[previewKey]*previewEntry{}
	}
	e := p.entries[key]
	if e == nil {
		e = &previewEntry{}
		p.entries[key] = e
	}
	p.mu.Unlock()
	e.once.Do(func() {
		p.renders.Add(1)
		e.out, e.err = drawFrame(f, cols, rows, prof)
	})
	return e.out, e.err
}
