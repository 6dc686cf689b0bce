//go:build linux

package v4l2

import (
	"bytes"
	"strings"
	"unicode"
	"unsafe"
)

// The structs and constants of linux/videodev2.h that this package uses.
// Every field is a byte array or a 32-bit integer, none depends on the
// pointer size, and the C structs are 4-byte aligned with no padding, so the
// layout is the same on amd64, arm64 and 32-bit arm.

// capability is struct v4l2_capability (VIDIOC_QUERYCAP).
type capability struct {
	driver       [16]byte
	card         [32]byte
	busInfo      [32]byte
	version      uint32
	capabilities uint32 // of the whole physical device
	deviceCaps   uint32 // of this node, when capabilities has capDeviceCaps
	reserved     [3]uint32
}

// fmtdesc is struct v4l2_fmtdesc (VIDIOC_ENUM_FMT).
type fmtdesc struct {
	index       uint32
	typ         uint32
	flags       uint32
	description [32]byte
	pixelFormat uint32
	mbusCode    uint32 // 0: formats for any media bus code
	reserved    [3]uint32
}

// frmsizeenum is struct v4l2_frmsizeenum (VIDIOC_ENUM_FRAMESIZES).
type frmsizeenum struct {
	index       uint32
	pixelFormat uint32
	typ         uint32
	// size is the union: discrete {width, height}, or stepwise {min_width,
	// max_width, step_width, min_height, max_height, step_height}.
	size     [6]uint32
	reserved [2]uint32
}

// queryctrl is struct v4l2_queryctrl (VIDIOC_QUERYCTRL).
type queryctrl struct {
	id           uint32
	typ          uint32
	name         [32]byte
	minimum      int32
	maximum      int32
	step         int32
	defaultValue int32
	flags        uint32
	reserved     [2]uint32
}

// control is struct v4l2_control (VIDIOC_G_CTRL, VIDIOC_S_CTRL).
type control struct {
	id    uint32
	value int32
}

// The kernel's sizes of these structs. Each line stops the build, on any
// GOARCH, when a size differs: a negative index does not compile, nor does
// one past the end of the one-element array.
var (
	_ = [1]int{}[unsafe.Sizeof(capability{})-104]
	_ = [1]int{}[unsafe.Sizeof(fmtdesc{})-64]
	_ = [1]int{}[unsafe.Sizeof(frmsizeenum{})-44]
	_ = [1]int{}[unsafe.Sizeof(queryctrl{})-68]
	_ = [1]int{}[unsafe.Sizeof(control{})-8]
)

const (
	capVideoCapture       = 0x00000001
	capVideoCaptureMplane = 0x00001000
	capVideoM2MMplane     = 0x00004000
	capVideoM2M           = 0x00008000
	capMetaCapture        = 0x00800000
	capDeviceCaps         = 0x80000000

	bufTypeVideoCapture = 1
	fmtFlagCompressed   = 0x0001

	frmsizeDiscrete   = 1
	frmsizeContinuous = 2
	frmsizeStepwise   = 3

	cidHFlip = 0x00980914 // V4L2_CID_BASE + 20
	cidVFlip = 0x00980915 // V4L2_CID_BASE + 21

	ctrlFlagDisabled     = 0x0001
	ctrlFlagReadOnly     = 0x0004
	ctrlFlagInactive     = 0x0010
	ctrlFlagWriteOnly    = 0x0040
	ctrlFlagNextCtrl     = 0x80000000 // VIDIOC_QUERYCTRL: the next control after id
	ctrlFlagNextCompound = 0x40000000 // with it: compound controls too

	pixFmtBigEndian = 1 << 31 // the flag v4l2_fourcc_be sets
)

// caps returns the capabilities of the node: its own when the driver
// reports them (V4L2_CAP_DEVICE_CAPS), else those of the whole device.
func (c *capability) caps() uint32 {
	if c.capabilities&capDeviceCaps != 0 {
		return c.deviceCaps
	}
	return c.capabilities
}

// notCapture says why a node with these capabilities is not a video capture
// device, or returns "" when it is one.
func notCapture(caps uint32) string {
	switch {
	case caps&(capVideoM2M|capVideoM2MMplane) != 0:
		return "memory-to-memory device"
	case caps&capVideoCapture != 0:
		return ""
	case caps&capVideoCaptureMplane != 0:
		return "multi-planar capture only"
	case caps&capMetaCapture != 0:
		return "metadata only"
	}
	return "no video capture"
}

// fourCC returns the four characters of a pixel format code, e.g. "MJPG".
func fourCC(code uint32) string {
	b := []byte{byte(code), byte(code >> 8), byte(code >> 16), byte(code >> 24 &^ 0x80)}
	for i, c := range b {
		if c < ' ' || c > '~' {
			b[i] = '?'
		}
	}
	if code&pixFmtBigEndian != 0 {
		return string(b) + "-BE"
	}
	return string(b)
}

// cString returns the NUL-terminated string in b as valid UTF-8 without
// control characters (a USB device names itself: an escape sequence in its
// name must not reach a terminal), spaces trimmed.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(string(b), "\uFFFD"))
	return strings.TrimSpace(s)
}
