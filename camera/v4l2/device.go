package v4l2

import (
	"errors"
	"slices"
)

// Device is one V4L2 video capture device.
type Device struct {
	Path   string // e.g. /dev/video0
	Name   string // the card name, e.g. "HD Pro Webcam C920"
	Driver string // e.g. uvcvideo, unicam
	Bus    string // where it is attached, e.g. usb-0000:01:00.0-1.2
	// Formats are the pixel formats of video capture, in the driver's order.
	Formats  []Format
	Controls Controls
	// Err says why the device could not be described (e.g. busy, or no
	// permission: not in group video); the fields before it hold what was
	// found until then.
	Err error
}

// Format is one pixel format a device captures in.
type Format struct {
	FourCC      string // e.g. "MJPG", "YUYV", "pRAA"; "-BE" appended for big-endian variants
	Description string // the driver's, e.g. "Motion-JPEG"
	Compressed  bool   // e.g. MJPG, JPEG, H264
	// Sizes are the frame sizes, in the driver's order. When Stepwise is
	// true, there are two: the smallest and the largest, and the device
	// takes sizes in between as well. Empty when the driver does not say.
	Sizes    []Size
	Stepwise bool
}

// Size is a frame size in pixels.
type Size struct{ Width, Height int }

// Controls says which flip controls a device has: present, enabled and
// writable. The same type tells which flips SetFlip could set.
type Controls struct{ HFlip, VFlip bool }

// ErrNotCapture is the error of Describe for a device node that is not a
// video capture device: a memory-to-memory codec, a metadata node, an
// output. List leaves those out.
var ErrNotCapture = errors.New("not a video capture device")

// Has reports whether the device captures in the format with this FourCC,
// e.g. "MJPG".
func (d Device) Has(fourcc string) bool {
	return slices.ContainsFunc(d.Formats, func(f Format) bool { return f.FourCC == fourcc })
}

// JPEG returns the device's format whose frames are JPEG images already:
// MJPG, else JPEG. Such frames can be passed on without decoding and
// encoding again.
func (d Device) JPEG() (Format, bool) {
	for _, fourcc := range []string{"MJPG", "JPEG"} {
		if i := slices.IndexFunc(d.Formats, func(f Format) bool { return f.FourCC == fourcc }); i >= 0 {
			return d.Formats[i], true
		}
	}
	return Format{}, false
}
