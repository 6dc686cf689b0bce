package camera

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Focus is what --focus asks of a camera whose lens can move (a Camera
// Module 3 through rpicam-vid): the camera's own way (the zero Focus;
// continuous autofocus on a Camera Module 3), continuous autofocus said
// outright, or the lens held at one distance, for a camera that looks at
// one thing and should not hunt.
type Focus struct {
	Mode FocusMode
	// Dioptres is where FocusFixed holds the lens: 1 / the distance in
	// metres, 0 for infinity.
	Dioptres float64
}

// FocusMode is how a Focus focuses.
type FocusMode uint8

const (
	FocusDefault    FocusMode = iota // the camera's own way
	FocusContinuous                  // continuous autofocus
	FocusFixed                       // the lens held at Dioptres
)

// Closest distance --focus takes; a lens that can't focus so close goes as
// close as it can (a Camera Module 3: about 10 cm).
const minFocus = 0.01 // metres

// ParseFocus reads a --focus value: "" or "default" (the camera's own way),
// "continuous", "infinity", or a distance with its unit: "40cm", "1.5m",
// "250mm".
func ParseFocus(s string) (Focus, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "default":
		return Focus{}, nil
	case "continuous":
		return Focus{Mode: FocusContinuous}, nil
	case "infinity", "inf":
		return Focus{Mode: FocusFixed}, nil
	}
	num, scale := s, 0.0
	for _, u := range []struct {
		suffix string
		metres float64
	}{{"mm", 0.001}, {"cm", 0.01}, {"m", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, scale = strings.TrimSpace(n), u.metres
			break
		}
	}
	bad := errors.New("want default, continuous, infinity, or a distance such as 40cm or 1.5m")
	if scale == 0 {
		return Focus{}, bad
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return Focus{}, bad
	}
	m := v * scale
	if m < minFocus {
		return Focus{}, errors.New("want a distance of at least 1cm")
	}
	return Focus{Mode: FocusFixed, Dioptres: 1 / m}, nil
}

// String is the Focus as --focus takes it.
func (f Focus) String() string {
	switch {
	case f.Mode == FocusContinuous:
		return "continuous"
	case f.Mode != FocusFixed:
		return "default"
	case f.Dioptres == 0:
		return "infinity"
	}
	m := 1 / f.Dioptres
	if m < 1 {
		return strconv.FormatFloat(math.Round(m*1000)/10, 'f', -1, 64) + "cm"
	}
	return strconv.FormatFloat(math.Round(m*1000)/1000, 'f', -1, 64) + "m"
}

// IsDefault reports whether f leaves focus to the camera.
func (f Focus) IsDefault() bool { return f.Mode == FocusDefault }

// focusBy says who does the asked focus: "none" when nothing is asked,
// "source" when the source does it, "unsupported" when it can't.
func focusBy(asked Focus, done bool) string {
	switch {
	case asked.IsDefault():
		return "none"
	case done:
		return "source"
	}
	return "unsupported"
}
