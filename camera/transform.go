package camera

import (
	"errors"
	"fmt"
	"strings"

	"gocv.io/x/gocv"
)

// Transform turns and mirrors the picture: first the mirrorings (HFlip
// left-right, VFlip top-bottom), then Rotate degrees clockwise.
type Transform struct {
	Rotate int // 0, 90, 180 or 270
	HFlip  bool
	VFlip  bool
}

// ParseRotation checks a --rotate value; its error says what it wants.
func ParseRotation(deg int) error {
	switch deg {
	case 0, 90, 180, 270:
		return nil
	}
	return errors.New("want 0, 90, 180 or 270")
}

// IsIdentity reports whether t leaves the picture as it is.
func (t Transform) IsIdentity() bool {
	h, v, ok := t.flips()
	return ok && !h && !v
}

// flips expresses t as mirrorings alone, which is possible unless it turns
// by a quarter (a half turn is both mirrorings).
func (t Transform) flips() (h, v, ok bool) {
	switch t.Rotate {
	case 0:
		return t.HFlip, t.VFlip, true
	case 180:
		return !t.HFlip, !t.VFlip, true
	}
	return false, false, false
}

// quarter reports whether t turns by 90 or 270 degrees, swapping width and
// height.
func (t Transform) quarter() bool { return t.Rotate == 90 || t.Rotate == 270 }

// size is the size of a w×h picture after t (and, t being its own kind of
// swap, the size before t of a w×h result).
func (t Transform) size(w, h int) (int, int) {
	if t.quarter() {
		return h, w
	}
	return w, h
}

// Minus is what remains of t for software to do once a source has done
// done (mirrorings it could make itself). A quarter turn is never done by
// a source: all of t remains.
func (t Transform) Minus(done Transform) Transform {
	h, v, ok := t.flips()
	dh, dv, dok := done.flips()
	if !ok || !dok {
		return t
	}
	return Transform{HFlip: h != dh, VFlip: v != dv}
}

// Split divides t between a source that can mirror left-right (canH)
// and/or top-bottom (canV) and software: the part for the source, then
// the rest.
func (t Transform) Split(canH, canV bool) (bySource, inSoftware Transform) {
	h, v, ok := t.flips()
	if !ok {
		return Transform{}, t
	}
	bySource = Transform{HFlip: h && canH, VFlip: v && canV}
	return bySource, t.Minus(bySource)
}

// String says what t does, e.g. "rotate 90, hflip", or "none".
func (t Transform) String() string {
	var parts []string
	if t.Rotate != 0 {
		parts = append(parts, fmt.Sprintf("rotate %d", t.Rotate))
	}
	if t.HFlip {
		parts = append(parts, "hflip")
	}
	if t.VFlip {
		parts = append(parts, "vflip")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// apply writes src transformed into dst.
func (t Transform) apply(src gocv.Mat, dst *gocv.Mat) {
	if !t.quarter() {
		h, v, _ := t.flips()
		switch {
		case h && v:
			gocv.Flip(src, dst, -1)
		case h:
			gocv.Flip(src, dst, 1)
		case v:
			gocv.Flip(src, dst, 0)
		default:
			src.CopyTo(dst)
		}
		return
	}
	cur := src
	if t.HFlip || t.VFlip {
		mirrored := gocv.NewMat()
		defer mirrored.Close()
		Transform{HFlip: t.HFlip, VFlip: t.VFlip}.apply(src, &mirrored)
		cur = mirrored
	}
	turn := gocv.Rotate90Clockwise
	if t.Rotate == 270 {
		turn = gocv.Rotate90CounterClockwise
	}
	gocv.Rotate(cur, dst, turn)
}
