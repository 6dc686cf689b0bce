// Package v4l2 finds the video capture devices of a Linux machine and says
// what they offer: for each /dev/videoN that is a camera, its name, driver
// and bus, its pixel formats (e.g. MJPG, YUYV, raw Bayer) with their frame
// sizes, and whether it can flip the picture itself. SetFlip turns those
// flip controls on or off.
//
// It talks to the kernel with ioctls (VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT,
// VIDIOC_ENUM_FRAMESIZES, VIDIOC_QUERYCTRL, VIDIOC_S_CTRL) through
// golang.org/x/sys/unix, without cgo. It only opens devices, non-blocking,
// and never starts a stream, so it works while another program captures.
//
// List, Describe and SetFlip work on Linux only; elsewhere they return an
// error wrapping errors.ErrUnsupported. The types build everywhere.
//
// Device.String formats a device the way `pistream --list-cameras` prints
// it:
//
//	/dev/video0  HD Pro Webcam C920 (uvcvideo, usb-0000:01:00.0-1.2)
//	    MJPG  Motion-JPEG (compressed): 640x480 1280x720 1920x1080
//	    YUYV  YUYV 4:2:2: 640x480 1280x720
//	    controls: none
package v4l2
