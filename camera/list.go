package camera

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"pistream/camera/rpicam"
	"pistream/camera/v4l2"
)

// ListCameras writes what pistream can find: the cameras rpicam-vid lists
// and the V4L2 capture devices with their formats and sizes, saying which
// ones auto would not use and why. Finding nothing is no error: no
// rpicam-vid installed, no camera it knows of, no V4L2 device. The error
// says what went wrong while looking (rpicam-vid failing, /dev unreadable),
// one line per place it could not look; w then says that place was not
// listed. A device that could not be described (busy, no permission) is
// listed with its error, in w; every control of the others is listed too.
func ListCameras(ctx context.Context, w io.Writer) error {
	var f found
	f.cams, f.camsErr = rpicamList(ctx)
	f.devs, f.devsErr = v4l2.List()
	for i, d := range f.devs {
		if d.Err == nil {
			f.devs[i].All, f.devs[i].AllErr = v4l2.AllControls(d.Path)
		}
	}
	return f.write(w)
}

// modules names the Raspberry Pi camera modules by their sensor (without
// _wide and _noir) and says what --focus can do with them.
var modules = map[string]string{
	"ov5647": "Camera Module 1: fixed focus",
	"imx219": "Camera Module 2: fixed focus",
	"imx708": "Camera Module 3: autofocus, continuous unless --focus holds it at a distance",
	"imx477": "HQ Camera: focus on its lens",
	"imx296": "Global Shutter Camera: focus on its lens",
	"imx500": "AI Camera: focus on its lens",
}

// found is what ListCameras found, and why it found nothing where it
// could not look.
type found struct {
	cams    []rpicam.Camera
	camsErr error
	devs    []v4l2.Device
	devsErr error
}

// notListed is the line of a place ListCameras could not look at.
const notListed = "not listed (error on stderr)"

// write writes f to w and returns the errors of the places that could not
// be listed, joined.
func (f found) write(w io.Writer) error {
	var errs []error
	switch {
	case errors.Is(f.camsErr, exec.ErrNotFound):
		fmt.Fprintln(w, "Raspberry Pi cameras: rpicam-vid (or libcamera-vid) is not installed")
	case f.camsErr != nil:
		fmt.Fprintln(w, "Raspberry Pi cameras:", notListed)
		//lint:ignore ST1005 a proper noun, as the listing names it
		errs = append(errs, fmt.Errorf("Raspberry Pi cameras: %w", f.camsErr))
	case len(f.cams) == 0:
		fmt.Fprintln(w, "Raspberry Pi cameras (rpicam-vid): none")
	default:
		fmt.Fprintln(w, "Raspberry Pi cameras (rpicam-vid):")
		for _, c := range f.cams {
			fmt.Fprintf(w, "  rpicam:%d  %s [%s] (%s)\n", c.Index, c.Model, c.Sensor, c.ID)
			if m, ok := modules[strings.TrimSuffix(strings.TrimSuffix(c.Model, "_noir"), "_wide")]; ok {
				fmt.Fprintf(w, "            %s\n", m)
			}
		}
	}
	fmt.Fprintln(w)
	switch {
	case errors.Is(f.devsErr, errors.ErrUnsupported): // not Linux: there are none
		fmt.Fprintf(w, "V4L2 devices: none (%v)\n", f.devsErr)
	case f.devsErr != nil:
		fmt.Fprintln(w, "V4L2 devices:", notListed)
		errs = append(errs, fmt.Errorf("V4L2 devices: %w", f.devsErr))
	case len(f.devs) == 0:
		fmt.Fprintln(w, "V4L2 devices: none")
	default:
		fmt.Fprintln(w, "V4L2 devices:")
		for _, d := range f.devs {
			fmt.Fprintln(w, d)
			if d.Err == nil && !usable(d) {
				fmt.Fprintln(w, "    (not a camera auto uses: no format OpenCV reads, or a Raspberry Pi CSI/ISP/codec node)")
			}
		}
	}
	return errors.Join(errs...)
}
