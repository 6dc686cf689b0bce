// Package v4l2 finds the video capture devices of a Linux machine and says
// what they offer: for each /dev/videoN that is a camera, its name, driver
// and bus, its pixel formats (e.g. MJPG, YUYV, raw Bayer) with their frame
// sizes, whether it can flip the picture itself, and every control it has
// (focus, exposure, white balance...) with its range and value, named as
// v4l2-ctl names them. SetFlip turns the flip controls on or off;
// SetControls sets controls by name, as `v4l2-ctl -c` does, and
// ParseSettings reads the "name=value,name=value" they are given in.
//
// It talks to the kernel with ioctls (VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT,
// VIDIOC_ENUM_FRAMESIZES, VIDIOC_QUERYCTRL, VIDIOC_G_CTRL, VIDIOC_S_CTRL) through
// golang.org/x/sys/unix, without cgo. It only opens devices, non-blocking,
// and never starts a stream, so it works while another program captures.
//
// List, Describe, SetFlip and SetControls work on Linux only; elsewhere they return an
// error wrapping errors.ErrUnsupported. The types build everywhere.
//
// Device.String formats a device the way `pistream --list-cameras` prints
// it:
//
//	/dev/video0  HD Pro Webcam C920 (uvcvideo, usb-0000:01:00.0-1.2)
//	    MJPG  Motion-JPEG (compressed): 640x480 1280x720 1920x1080
//	    YUYV  YUYV 4:2:2: 640x480 1280x720
//	    controls (flips: none):
//	      brightness (int) min=0 max=255 step=1 default=128 value=128
//	      white_balance_automatic (bool) default=1 value=1
//	      white_balance_temperature (int) min=2000 max=6500 step=1 default=4000 value=4000 inactive
//	      auto_exposure (menu) min=0 max=3 default=3 value=3
//	      focus_absolute (int) min=0 max=250 step=5 default=0 value=30
//	      focus_automatic_continuous (bool) default=1 value=0
package v4l2
