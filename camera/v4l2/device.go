package v4l2

import (
	"errors"
	"fmt"
	"slices"
	"strings"
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
	// All are every enabled control of the device (brightness, focus,
	// white balance...), in the driver's order, when AllControls was asked
	// (List and Describe leave them: --list-cameras only); empty when the
	// driver cannot enumerate them.
	All []Control
	// AllErr says why the listing of All stopped part way (a driver that
	// failed to describe a control); the device works all the same.
	AllErr error
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

// Control is one of a device's controls, as VIDIOC_QUERYCTRL describes it.
type Control struct {
	// Name is the driver's name as v4l2-ctl spells it: lowercase, every run
	// of other characters than a-z and 0-9 one "_", e.g. focus_absolute
	// for "Focus (absolute)". --v4l2-controls takes these names.
	Name               string
	ID                 uint32
	Type               ControlType
	Min, Max, Step     int64
	Default            int64
	Value              int64 // the current value, when HasValue
	HasValue           bool  // false for a button, a control of a type VIDIOC_G_CTRL cannot read, or one the driver would not read
	ReadOnly, Inactive bool  // cannot be set; set but without effect now (e.g. focus_absolute while autofocus is on)
}

// ControlType is a control's type (V4L2_CTRL_TYPE_*).
type ControlType uint32

// The control types pistream names; others print as their number.
const (
	TypeInt     ControlType = 1
	TypeBool    ControlType = 2
	TypeMenu    ControlType = 3
	TypeButton  ControlType = 4
	TypeInt64   ControlType = 5
	TypeClass   ControlType = 6
	TypeString  ControlType = 7
	TypeBitmask ControlType = 8
	TypeIntMenu ControlType = 9
	TypeU8      ControlType = 0x100 // compound types from here on
	TypeU16     ControlType = 0x101
	TypeU32     ControlType = 0x102
	TypeArea    ControlType = 0x106
)

// String is the type as v4l2-ctl -l prints it: int, bool, menu, button,
// int64, str, bitmask, intmenu, u8, u16, u32, area, or e.g. "type 0x107"
// (another compound type).
func (t ControlType) String() string {
	switch t {
	case TypeInt:
		return "int"
	case TypeBool:
		return "bool"
	case TypeMenu:
		return "menu"
	case TypeButton:
		return "button"
	case TypeInt64:
		return "int64"
	case TypeClass:
		return "class"
	case TypeString:
		return "str"
	case TypeBitmask:
		return "bitmask"
	case TypeIntMenu:
		return "intmenu"
	case TypeU8:
		return "u8"
	case TypeU16:
		return "u16"
	case TypeU32:
		return "u32"
	case TypeArea:
		return "area"
	}
	return fmt.Sprintf("type %#x", uint32(t))
}

// settable reports whether VIDIOC_S_CTRL and VIDIOC_G_CTRL take a control
// of this type: a 32-bit value (an int64, string or compound control needs
// the extended ioctls).
func (t ControlType) settable() bool {
	switch t {
	case TypeInt, TypeBool, TypeMenu, TypeButton, TypeBitmask, TypeIntMenu:
		return true
	}
	return false
}

// ControlName turns a driver's control name into v4l2-ctl's: lowercase
// ASCII letters and digits, each run of other characters one "_", none at
// either end. "Focus, Automatic Continuous" is focus_automatic_continuous.
func ControlName(driverName string) string {
	var b strings.Builder
	gap := false
	for _, r := range driverName {
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		default:
			gap = b.Len() > 0
			continue
		}
		if gap {
			b.WriteByte('_')
			gap = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

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
