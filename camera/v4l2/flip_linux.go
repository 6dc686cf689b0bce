//go:build linux

package v4l2

import (
	"errors"
	"fmt"
	"io/fs"
	"unsafe"
)

// SetFlip sets the device's horizontal and vertical flip controls
// (V4L2_CID_HFLIP, V4L2_CID_VFLIP) to h and v, where it has them. done says
// which of the two the device now does as asked, whether on or off; the
// caller flips the others in software. done is valid with an error too: it
// is what was set before or despite it (e.g. a control that is busy while
// another program streams).
func SetFlip(path string, h, v bool) (done Controls, err error) {
	return setFlip(sysKernel{}, path, h, v)
}

func setFlip(k kernel, path string, h, v bool) (done Controls, err error) {
	n, err := k.open(path)
	if err != nil {
		return done, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer func() {
		if cerr := n.close(); cerr != nil {
			err = errors.Join(err, &fs.PathError{Op: "close", Path: path, Err: cerr})
		}
	}()
	var errs []error
	for _, f := range []struct {
		id   uint32
		on   bool
		done *bool
	}{{cidHFlip, h, &done.HFlip}, {cidVFlip, v, &done.VFlip}} {
		has, err := hasControl(n, path, f.id)
		if err != nil {
			errs = append(errs, err)
		}
		if !has {
			continue
		}
		c := control{id: f.id}
		if f.on {
			c.value = 1
		}
		if err := n.ioctl(vidiocSCtrl, unsafe.Pointer(&c)); err != nil {
			errs = append(errs, fmt.Errorf("%s: VIDIOC_S_CTRL %s=%d: %w", path, controlName(f.id), c.value, err))
			continue
		}
		*f.done = true
	}
	return done, errors.Join(errs...)
}
