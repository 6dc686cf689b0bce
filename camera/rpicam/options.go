package rpicam

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Options are the settings of one rpicam-vid run.
type Options struct {
	Camera   int  // index from List; 0 is the first camera
	Width    int  // frame size in pixels
	Height   int  //
	FPS      int  // frames per second
	Quality  int  // JPEG quality, 1..100
	Rotation int  // 0 or 180 (rpicam-vid can't rotate by 90)
	HFlip    bool // mirror left-right
	VFlip    bool // mirror top-bottom

	// Focus of a camera whose lens moves (Camera Module 3); others ignore
	// it. Autofocus is --autofocus-mode: "" (none passed: rpicam-vid's
	// default, continuous autofocus), "continuous", or "manual" with the
	// lens at LensPosition.
	Autofocus    string
	LensPosition float64 // dioptres: 1 / the distance in metres, 0 for infinity
}

// Validate reports the first setting rpicam-vid would reject or misread.
func (o Options) Validate() error {
	var errs []error
	if o.Camera < 0 {
		errs = append(errs, fmt.Errorf("camera index %d is negative", o.Camera))
	}
	if o.Width <= 0 || o.Height <= 0 {
		errs = append(errs, fmt.Errorf("size %dx%d is not positive", o.Width, o.Height))
	}
	if o.FPS <= 0 {
		errs = append(errs, fmt.Errorf("frame rate %d is not positive", o.FPS))
	}
	if o.Quality < 1 || o.Quality > 100 {
		errs = append(errs, fmt.Errorf("JPEG quality %d is not in 1..100", o.Quality))
	}
	if o.Rotation != 0 && o.Rotation != 180 {
		errs = append(errs, fmt.Errorf("rotation %d is neither 0 nor 180", o.Rotation))
	}
	if o.Autofocus != "" && o.Autofocus != "continuous" && o.Autofocus != "manual" {
		errs = append(errs, fmt.Errorf("autofocus mode %q is neither continuous nor manual", o.Autofocus))
	}
	if o.Autofocus == "manual" && (o.LensPosition < 0 || math.IsNaN(o.LensPosition) || math.IsInf(o.LensPosition, 0)) {
		errs = append(errs, fmt.Errorf("lens position %v is not a distance", o.LensPosition))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("rpicam options: %w", err)
	}
	return nil
}

// Args returns rpicam-vid's arguments for o: run forever (-t 0) without a
// preview window (-n), write MJPEG to stdout (-o -):
//
//	-t 0 -n --codec mjpeg --width W --height H --framerate F --quality Q -o -
//
// followed by --camera N only when N > 0 (0 is rpicam-vid's default, so the
// command line for the usual single camera stays the plain one above),
// --rotation 180 only when Rotation is 180, then --hflip and --vflip when
// set, then the focus when one is asked (--autofocus-mode continuous, or
// --autofocus-mode manual --lens-position D). Args does not check o; Start
// does, with Validate.
func Args(o Options) []string {
	a := []string{
		"-t", "0", "-n", "--codec", "mjpeg",
		"--width", strconv.Itoa(o.Width),
		"--height", strconv.Itoa(o.Height),
		"--framerate", strconv.Itoa(o.FPS),
		"--quality", strconv.Itoa(o.Quality),
		"-o", "-",
	}
	if o.Camera > 0 {
		a = append(a, "--camera", strconv.Itoa(o.Camera))
	}
	if o.Rotation == 180 {
		a = append(a, "--rotation", "180")
	}
	if o.HFlip {
		a = append(a, "--hflip")
	}
	if o.VFlip {
		a = append(a, "--vflip")
	}
	if o.Autofocus != "" {
		a = append(a, "--autofocus-mode", o.Autofocus)
	}
	if o.Autofocus == "manual" {
		a = append(a, "--lens-position", strconv.FormatFloat(o.LensPosition, 'f', -1, 64))
	}
	return a
}
