//go:build linux

package v4l2

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxEnum bounds every enumeration, against a driver that never says EINVAL.
const maxEnum = 1024

// List describes every video capture device, /dev/video2 before
// /dev/video10. It leaves out the nodes that are not video capture devices
// (memory-to-memory codecs, metadata nodes: see ErrNotCapture) and those
// that vanished while it looked. A device it cannot open or query (busy, no
// permission) is still listed, with Err saying why. The error is about
// listing /dev itself.
func List() ([]Device, error) { return list(sysKernel{}) }

// Describe describes the device at path, e.g. /dev/video0. Its error, also
// in Device.Err, names the path and wraps the errno (e.g. unix.EACCES,
// which errors.Is also matches to fs.ErrPermission) or ErrNotCapture.
func Describe(path string) (Device, error) { return describe(sysKernel{}, path) }

func list(k kernel) ([]Device, error) {
	paths, err := k.videoNodes()
	if err != nil {
		return nil, fmt.Errorf("v4l2: listing /dev/video*: %w", err)
	}
	paths = slices.DeleteFunc(paths, func(p string) bool { return !isVideoNode(p) })
	slices.SortFunc(paths, naturalCompare)
	var devs []Device
	for _, p := range paths {
		d, err := describe(k, p)
		if errors.Is(err, ErrNotCapture) || gone(err) {
			continue
		}
		devs = append(devs, d)
	}
	return devs, nil
}

// isVideoNode reports whether path names videoN: not a symlink such as
// /dev/video.
func isVideoNode(path string) bool {
	n, ok := strings.CutPrefix(filepath.Base(path), "video")
	return ok && n != "" && digits(n) == len(n)
}

// gone reports whether err says the device was unplugged.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENXIO)
}

func describe(k kernel, path string) (d Device, err error) {
	d.Path = path
	defer func() { d.Err = err }()
	n, err := k.open(path)
	if err != nil {
		return d, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer func() {
		if cerr := n.close(); cerr != nil && err == nil {
			err = &fs.PathError{Op: "close", Path: path, Err: cerr}
		}
	}()

	var c capability
	if err := n.ioctl(vidiocQuerycap, unsafe.Pointer(&c)); err != nil {
		return d, fmt.Errorf("%s: VIDIOC_QUERYCAP: %w", path, err)
	}
	d.Name, d.Driver, d.Bus = cString(c.card[:]), cString(c.driver[:]), cString(c.busInfo[:])
	if why := notCapture(c.caps()); why != "" {
		return d, fmt.Errorf("%s: %w: %s", path, ErrNotCapture, why)
	}
	if d.Formats, err = formats(n, path); err != nil {
		return d, err
	}
	d.Controls, err = controls(n, path)
	return d, err
}

// formats enumerates the video capture formats with their sizes.
func formats(n node, path string) ([]Format, error) {
	var out []Format
	for i := range uint32(maxEnum) {
		desc := fmtdesc{index: i, typ: bufTypeVideoCapture}
		err := n.ioctl(vidiocEnumFmt, unsafe.Pointer(&desc))
		if errors.Is(err, unix.EINVAL) { // past the last
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("%s: VIDIOC_ENUM_FMT %d: %w", path, i, err)
		}
		f := Format{
			FourCC:      fourCC(desc.pixelFormat),
			Description: cString(desc.description[:]),
			Compressed:  desc.flags&fmtFlagCompressed != 0,
		}
		f.Sizes, f.Stepwise, err = sizes(n, path, desc.pixelFormat)
		out = append(out, f)
		if err != nil {
			return out, err
		}
	}
	return out, fmt.Errorf("%s: VIDIOC_ENUM_FMT: more than %d formats", path, maxEnum)
}

// sizes enumerates the frame sizes of a pixel format: the discrete ones,
// or the smallest and the largest of a stepwise or continuous range.
func sizes(n node, path string, pixelFormat uint32) (s []Size, stepwise bool, err error) {
	for i := range uint32(maxEnum) {
		e := frmsizeenum{index: i, pixelFormat: pixelFormat}
		err := n.ioctl(vidiocEnumFramesizes, unsafe.Pointer(&e))
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTTY) { // past the last, or sizes unknown
			return s, false, nil
		}
		if err != nil {
			return s, false, fmt.Errorf("%s: VIDIOC_ENUM_FRAMESIZES %s %d: %w", path, fourCC(pixelFormat), i, err)
		}
		switch e.typ {
		case frmsizeDiscrete:
			s = append(s, Size{int(e.size[0]), int(e.size[1])})
		case frmsizeContinuous, frmsizeStepwise: // the only answer, at index 0
			return []Size{{int(e.size[0]), int(e.size[3])}, {int(e.size[1]), int(e.size[4])}}, true, nil
		default:
			return s, false, fmt.Errorf("%s: VIDIOC_ENUM_FRAMESIZES %s: unknown type %d", path, fourCC(pixelFormat), e.typ)
		}
	}
	return s, false, fmt.Errorf("%s: VIDIOC_ENUM_FRAMESIZES %s: more than %d sizes", path, fourCC(pixelFormat), maxEnum)
}

// controls finds the flip controls.
func controls(n node, path string) (c Controls, err error) {
	if c.HFlip, err = hasControl(n, path, cidHFlip); err != nil {
		return c, err
	}
	c.VFlip, err = hasControl(n, path, cidVFlip)
	return c, err
}

// hasControl reports whether the device has the control, enabled and
// writable.
func hasControl(n node, path string, id uint32) (bool, error) {
	q := queryctrl{id: id}
	err := n.ioctl(vidiocQueryctrl, unsafe.Pointer(&q))
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTTY) { // no such control, or no controls at all
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: VIDIOC_QUERYCTRL %s: %w", path, controlName(id), err)
	}
	return q.flags&(ctrlFlagDisabled|ctrlFlagReadOnly) == 0, nil
}

func controlName(id uint32) string {
	switch id {
	case cidHFlip:
		return "hflip"
	case cidVFlip:
		return "vflip"
	}
	return fmt.Sprintf("%#x", id)
}
