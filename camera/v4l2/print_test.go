package v4l2

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// The errors are made here, not errnos, whose text differs between systems.
func TestDeviceString(t *testing.T) {
	for _, tc := range []struct {
		name string
		dev  Device
		want string
	}{
		{
			name: "webcam",
			dev: Device{
				Path: "/dev/video0", Name: "HD Pro Webcam C920", Driver: "uvcvideo", Bus: "usb-0000:01:00.0-1.2",
				Formats: []Format{
					{FourCC: "MJPG", Description: "Motion-JPEG", Compressed: true, Sizes: []Size{{640, 480}, {800, 600}, {1280, 720}, {1920, 1080}}},
					{FourCC: "YUYV", Description: "YUYV 4:2:2", Sizes: []Size{{640, 480}, {1280, 720}}},
				},
			},
			want: `
/dev/video0  HD Pro Webcam C920 (uvcvideo, usb-0000:01:00.0-1.2)
    MJPG  Motion-JPEG (compressed): 640x480 800x600 1280x720 1920x1080
    YUYV  YUYV 4:2:2: 640x480 1280x720
    controls (flips: none): none listed`,
		},
		{
			name: "webcam with its controls, as v4l2-ctl -l prints them",
			dev: Device{
				Path: "/dev/video0", Name: "HD Pro Webcam C920", Driver: "uvcvideo", Bus: "usb-0000:01:00.0-1.2",
				Formats: []Format{{FourCC: "MJPG", Description: "Motion-JPEG", Compressed: true, Sizes: []Size{{640, 480}}}},
				All: []Control{
					{Name: "brightness", Type: TypeInt, Max: 255, Step: 1, Default: 128, Value: 128, HasValue: true},
					{Name: "white_balance_automatic", Type: TypeBool, Max: 1, Step: 1, Default: 1, Value: 1, HasValue: true},
					{Name: "auto_exposure", Type: TypeMenu, Max: 3, Step: 1, Default: 3, Value: 1, HasValue: true},
					{Name: "focus_absolute", Type: TypeInt, Max: 250, Step: 5, Value: 30, HasValue: true, Inactive: true},
					{Name: "camera_orientation", Type: TypeMenu, Max: 2, Step: 1, ReadOnly: true},
					{Name: "white_balance_reset", Type: TypeButton},
					{Name: "big", Type: TypeInt64, Min: -5, Max: 5, Step: 1},
					{Name: "odd", Type: 0x107, Max: 9, Step: 1},
				},
				AllErr: errors.New("/dev/video0: VIDIOC_QUERYCTRL after 0x9a0922: input/output error"),
			},
			want: `
/dev/video0  HD Pro Webcam C920 (uvcvideo, usb-0000:01:00.0-1.2)
    MJPG  Motion-JPEG (compressed): 640x480
    controls (flips: none):
      brightness (int) min=0 max=255 step=1 default=128 value=128
      white_balance_automatic (bool) default=1 value=1
      auto_exposure (menu) min=0 max=3 default=3 value=1
      focus_absolute (int) min=0 max=250 step=5 default=0 value=30 inactive
      camera_orientation (menu) min=0 max=2 default=0 read-only
      white_balance_reset (button)
      big (int64) min=-5 max=5 step=1 default=0
      odd (type 0x107) min=0 max=9 step=1 default=0
      listing stopped: /dev/video0: VIDIOC_QUERYCTRL after 0x9a0922: input/output error`,
		},
		{
			name: "stepwise sizes and flips",
			dev: Device{
				Path: "/dev/video2", Name: "mmal service 16.1", Driver: "bm2835 mmal", Bus: "platform:bcm2835-v4l2-0",
				Formats: []Format{
					{FourCC: "YU12", Description: "Planar YUV 4:2:0", Sizes: []Size{{32, 32}, {3280, 2464}}, Stepwise: true},
					{FourCC: "JPEG", Description: "JFIF JPEG", Compressed: true, Sizes: []Size{{32, 32}, {3280, 2464}}, Stepwise: true},
				},
				Controls: Controls{HFlip: true, VFlip: true},
			},
			want: `
/dev/video2  mmal service 16.1 (bm2835 mmal, platform:bcm2835-v4l2-0)
    YU12  Planar YUV 4:2:0: 32x32 to 3280x2464
    JPEG  JFIF JPEG (compressed): 32x32 to 3280x2464
    controls (flips: hflip vflip): none listed`,
		},
		{
			name: "busy",
			dev:  Device{Path: "/dev/video1", Err: &fs.PathError{Op: "open", Path: "/dev/video1", Err: errors.New("device or resource busy")}},
			want: `
/dev/video1
    error: open /dev/video1: device or resource busy`,
		},
		{
			name: "failed part way, sizes unknown, a three-letter FourCC",
			dev: Device{
				Path: "/dev/video3", Name: "Mono", Driver: "mono", Bus: "platform:mono",
				Formats: []Format{{FourCC: "Y10 ", Description: "10-bit Greyscale"}},
				Err:     &fs.PathError{Op: "close", Path: "/dev/video3", Err: errors.New("input/output error")},
			},
			want: `
/dev/video3  Mono (mono, platform:mono)
    Y10   10-bit Greyscale
    error: close /dev/video3: input/output error`,
		},
		{
			name: "no formats, one flip",
			dev:  Device{Path: "/dev/video4", Name: "Odd", Driver: "odd", Bus: "platform:odd", Controls: Controls{VFlip: true}},
			want: `
/dev/video4  Odd (odd, platform:odd)
    no formats
    controls (flips: vflip): none listed`,
		},
	} {
		want := strings.TrimPrefix(tc.want, "\n")
		if got := tc.dev.String(); got != want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.name, got, want)
		}
	}
}
