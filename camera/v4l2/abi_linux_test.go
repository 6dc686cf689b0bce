//go:build linux

package v4l2

import (
	"testing"
	"unsafe"
)

// The expected numbers were printed by a C program built against
// linux/videodev2.h (Debian linux-libc-dev 6.1) with gcc for amd64 and
// with Debian's cross compilers for armhf and arm64: all three agree.

func TestStructLayouts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof(struct v4l2_capability)", unsafe.Sizeof(capability{}), 104},
		{"sizeof(struct v4l2_fmtdesc)", unsafe.Sizeof(fmtdesc{}), 64},
		{"sizeof(struct v4l2_frmsizeenum)", unsafe.Sizeof(frmsizeenum{}), 44},
		{"sizeof(struct v4l2_queryctrl)", unsafe.Sizeof(queryctrl{}), 68},
		{"sizeof(struct v4l2_control)", unsafe.Sizeof(control{}), 8},
		{"offsetof(v4l2_capability, device_caps)", unsafe.Offsetof(capability{}.deviceCaps), 88},
		{"offsetof(v4l2_fmtdesc, pixelformat)", unsafe.Offsetof(fmtdesc{}.pixelFormat), 44},
		{"offsetof(v4l2_frmsizeenum, reserved)", unsafe.Offsetof(frmsizeenum{}.reserved), 36},
		{"offsetof(v4l2_queryctrl, flags)", unsafe.Offsetof(queryctrl{}.flags), 56},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestRequestNumbers(t *testing.T) {
	if ioc != asmGeneric {
		t.Skip("the expected numbers are asm-generic's (amd64, arm, arm64)")
	}
	for _, tc := range []struct {
		name      string
		got, want uintptr
	}{
		{"VIDIOC_QUERYCAP", vidiocQuerycap, 0x80685600},
		{"VIDIOC_ENUM_FMT", vidiocEnumFmt, 0xc0405602},
		{"VIDIOC_G_CTRL", vidiocGCtrl, 0xc008561b},
		{"VIDIOC_S_CTRL", vidiocSCtrl, 0xc008561c},
		{"VIDIOC_QUERYCTRL", vidiocQueryctrl, 0xc0445624},
		{"VIDIOC_ENUM_FRAMESIZES", vidiocEnumFramesizes, 0xc02c564a},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %#x, want %#x", tc.name, tc.got, tc.want)
		}
	}
}

// TestIocLayouts checks both encodings against request numbers that
// golang.org/x/sys/unix generated from each architecture's own headers
// (zerrors_linux_amd64.go, _arm.go, _ppc64le.go, _mips.go).
func TestIocLayouts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layout iocLayout
		got    func(iocLayout) uintptr
		want   uintptr
	}{
		{"amd64 RTC_RD_TIME _IOR('p', 9, 36 bytes)", layoutOf("amd64"), func(l iocLayout) uintptr { return l.ior('p', 9, 36) }, 0x80247009},
		{"arm RTC_RD_TIME", layoutOf("arm"), func(l iocLayout) uintptr { return l.ior('p', 9, 36) }, 0x80247009},
		{"ppc64le RTC_RD_TIME", layoutOf("ppc64le"), func(l iocLayout) uintptr { return l.ior('p', 9, 36) }, 0x40247009},
		{"mips RTC_RD_TIME", layoutOf("mips"), func(l iocLayout) uintptr { return l.ior('p', 9, 36) }, 0x40247009},
		{"amd64 TUNSETIFF _IOW('T', 202, int)", layoutOf("amd64"), func(l iocLayout) uintptr { return l.request(l.write, 'T', 202, 4) }, 0x400454ca},
		{"ppc64le TUNSETIFF", layoutOf("ppc64le"), func(l iocLayout) uintptr { return l.request(l.write, 'T', 202, 4) }, 0x800454ca},
		{"arm MEMREAD _IOWR('M', 26, 64 bytes)", layoutOf("arm"), func(l iocLayout) uintptr { return l.iowr('M', 26, 64) }, 0xc0404d1a},
		{"mips MEMREAD", layoutOf("mips"), func(l iocLayout) uintptr { return l.iowr('M', 26, 64) }, 0xc0404d1a},
	} {
		if got := tc.got(tc.layout); got != tc.want {
			t.Errorf("%s = %#x, want %#x", tc.name, got, tc.want)
		}
	}
}

func TestFourCC(t *testing.T) {
	for _, tc := range []struct {
		code uint32
		want string
	}{
		{0x47504a4d, "MJPG"},    // V4L2_PIX_FMT_MJPEG
		{0x56595559, "YUYV"},    // V4L2_PIX_FMT_YUYV
		{0x41415270, "pRAA"},    // V4L2_PIX_FMT_SRGGB10P
		{0x20303159, "Y10 "},    // V4L2_PIX_FMT_Y10
		{0xb5315258, "XR15-BE"}, // V4L2_PIX_FMT_XRGB555X, v4l2_fourcc_be
		{0x0000001b, "????"},
	} {
		if got := fourCC(tc.code); got != tc.want {
			t.Errorf("fourCC(%#x) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

func TestCString(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"uvcvideo\x00\x00\x00", "uvcvideo"},
		{"HD Pro Webcam C920\x00garbage", "HD Pro Webcam C920"},
		{"no terminator", "no terminator"},
		{"  Webcam  \x00", "Webcam"},
		{"Evil\x1b]0;owned\x07Cam\x00", "Evil?]0;owned?Cam"},
		{"C1\u009bcontrol\x00", "C1?control"},
		{"bad\xffutf8\x00", "bad\uFFFDutf8"},
		{"Caméra\x00", "Caméra"},
	} {
		if got := cString([]byte(tc.in)); got != tc.want {
			t.Errorf("cString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNotCapture(t *testing.T) {
	for _, tc := range []struct {
		name string
		caps uint32
		want string
	}{
		{"uvc video node", capVideoCapture | 0x04000000, ""},
		{"capture with metadata too", capVideoCapture | capMetaCapture, ""},
		{"uvc metadata node", capMetaCapture | 0x04000000, "metadata only"},
		{"m2m codec", capVideoM2M | 0x04000000, "memory-to-memory device"},
		{"m2m multi-planar codec", capVideoM2MMplane, "memory-to-memory device"},
		{"old-style m2m reporting capture too", capVideoM2M | capVideoCapture, "memory-to-memory device"},
		{"multi-planar capture", capVideoCaptureMplane, "multi-planar capture only"},
		{"output", 0x00000002, "no video capture"},
	} {
		if got := notCapture(tc.caps); got != tc.want {
			t.Errorf("%s: notCapture(%#x) = %q, want %q", tc.name, tc.caps, got, tc.want)
		}
	}
}

func TestCapsPrefersDeviceCaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    capability
		want uint32
	}{
		{"device caps reported", capability{capabilities: capDeviceCaps | capVideoCapture | capMetaCapture, deviceCaps: capMetaCapture}, capMetaCapture},
		{"old driver without device caps", capability{capabilities: capVideoCapture, deviceCaps: 0xffff}, capVideoCapture},
	} {
		if got := tc.c.caps(); got != tc.want {
			t.Errorf("%s: caps() = %#x, want %#x", tc.name, got, tc.want)
		}
	}
}
