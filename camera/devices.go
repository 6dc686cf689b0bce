package camera

import (
	"cmp"
	"slices"

	"charm.land/log/v2"

	"pistream/camera/v4l2"
)

// notCameras are drivers of Raspberry Pi video nodes that are no camera
// OpenCV can read: the CSI receivers (whose raw Bayer frames only
// libcamera turns into pictures), the ISP and the codecs.
var notCameras = []string{"unicam", "rp1-cfe", "bcm2835-isp", "pispbe", "bcm2835-codec", "rpi-hevc-dec"}

// readable are the pixel formats OpenCV's V4L2 backend turns into BGR (or
// passes through, for MJPG and JPEG).
var readable = []string{"MJPG", "JPEG", "YUYV", "UYVY", "YU12", "YV12", "NV12", "NV21", "RGB3", "BGR3", "GREY", "Y16 "}

// captureDevices lists the V4L2 devices that capture video OpenCV can
// read, in order.
func captureDevices() []string {
	devs, _ := v4l2.List()
	var out []string
	for _, d := range devs {
		if usable(d) {
			out = append(out, d.Path)
		}
	}
	return out
}

// usable reports whether d is a camera OpenCV can read.
func usable(d v4l2.Device) bool {
	if d.Err != nil || slices.Contains(notCameras, d.Driver) {
		return false
	}
	for _, f := range d.Formats {
		if slices.Contains(readable, f.FourCC) {
			return true
		}
	}
	return false
}

// setDeviceFlips asks a V4L2 device to do what it can of t with its own
// mirroring controls (and turns off those t does not want), and returns
// what it did; software does the rest.
func setDeviceFlips(path string, t Transform) Transform {
	d, err := v4l2.Describe(path)
	if err != nil || !d.Controls.HFlip && !d.Controls.VFlip {
		return Transform{}
	}
	by, _ := t.Split(d.Controls.HFlip, d.Controls.VFlip)
	set, _ := v4l2.SetFlip(path, by.HFlip, by.VFlip)
	return Transform{HFlip: by.HFlip && set.HFlip, VFlip: by.VFlip && set.VFlip}
}

// setDeviceControls sets want on a V4L2 device, in order, with set
// (v4l2.SetControls), and logs it: a WARN line for each control it could
// not set (no such control, read-only, out of range, the driver's error),
// then one INFO line of what it set. None of that stops the camera.
func setDeviceControls(path string, want v4l2.Settings, l *log.Logger, set func(string, v4l2.Settings) (v4l2.Settings, []error)) {
	if len(want) == 0 {
		return
	}
	if l == nil {
		l = log.Default()
	}
	done, errs := set(path, want)
	for _, err := range errs {
		l.Warn("--v4l2-controls: not set; the camera streams all the same", "device", path, "err", err)
	}
	l.Info("--v4l2-controls set", "device", path, "set", cmp.Or(done.String(), "none"), "asked", want)
}
