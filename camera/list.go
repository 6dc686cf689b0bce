package camera

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"

	"pistream/camera/v4l2"
)

// ListCameras writes what pistream can find: the cameras rpicam-vid lists
// and the V4L2 capture devices with their formats and sizes, saying which
// ones auto would not use and why.
func ListCameras(ctx context.Context, w io.Writer) error {
	cams, err := rpicamList(ctx)
	switch {
	case errors.Is(err, exec.ErrNotFound):
		fmt.Fprintln(w, "Raspberry Pi cameras: rpicam-vid (or libcamera-vid) is not installed")
	case err != nil:
		fmt.Fprintf(w, "Raspberry Pi cameras: %v\n", err)
	case len(cams) == 0:
		fmt.Fprintln(w, "Raspberry Pi cameras (rpicam-vid): none")
	default:
		fmt.Fprintln(w, "Raspberry Pi cameras (rpicam-vid):")
		for _, c := range cams {
			fmt.Fprintf(w, "  rpicam:%d  %s [%s] (%s)\n", c.Index, c.Model, c.Sensor, c.ID)
		}
	}
	fmt.Fprintln(w)
	devs, err := v4l2.List()
	switch {
	case err != nil:
		fmt.Fprintf(w, "V4L2 devices: %v\n", err)
	case len(devs) == 0:
		fmt.Fprintln(w, "V4L2 devices: none")
	default:
		fmt.Fprintln(w, "V4L2 devices:")
		for _, d := range devs {
			fmt.Fprintln(w, d)
			if d.Err == nil && !usable(d) {
				fmt.Fprintln(w, "    (not a camera auto uses: no format OpenCV reads, or a Raspberry Pi CSI/ISP/codec node)")
			}
		}
	}
	return nil
}
