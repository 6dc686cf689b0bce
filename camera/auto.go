package camera

import (
	"context"
)

// Candidates lists, in order, the specs that "auto" tries: the Raspberry Pi
// camera through rpicam-vid when it lists one, every V4L2 capture device,
// the libcamera pipeline when its GStreamer element is installed, and
// always the test pattern last. Other specs are returned as they are.
func Candidates(ctx context.Context, spec string, s Settings) []string {
	if spec != "auto" {
		return []string{spec}
	}
	var c []string
	if n := rpicamCameras(ctx); n > 0 {
		c = append(c, "rpicam")
	}
	c = append(c, captureDevices()...)
	if hasLibcamera() {
		c = append(c, LibcameraPipeline(s))
	}
	return append(c, "test")
}
