//go:build linux

package v4l2

import (
	"errors"
	"fmt"
	"io/fs"
	"unsafe"

	"golang.org/x/sys/unix"
)

// AllControls lists every enabled control of the device at path, with its
// current value, for --list-cameras: one query and one read per control,
// each a USB transfer on a webcam, so opening a camera does without it.
// A driver that does not enumerate its controls has none, without error;
// the error is of the open or of a query that failed part way, with the
// controls found until then.
func AllControls(path string) ([]Control, error) { return allControls(sysKernel{}, path) }

func allControls(k kernel, path string) (all []Control, err error) {
	n, err := k.open(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer func() {
		if cerr := n.close(); cerr != nil && err == nil {
			err = &fs.PathError{Op: "close", Path: path, Err: cerr}
		}
	}()
	if all, err = enumControls(n, true); err != nil {
		err = fmt.Errorf("%s: %w", path, err)
	}
	return all, err
}

// enumControls lists the device's enabled controls with
// V4L2_CTRL_FLAG_NEXT_CTRL (and NEXT_COMPOUND, which drivers that do not
// know it ignore), leaving out control classes, with their values when
// values is set. A driver that does not enumerate so has none listed,
// without error; the error is of a query that failed part way, with the
// controls found until then.
func enumControls(n node, values bool) ([]Control, error) {
	var out []Control
	var id uint32
	for range maxEnum {
		q := queryctrl{id: id | ctrlFlagNextCtrl | ctrlFlagNextCompound}
		err := n.ioctl(vidiocQueryctrl, unsafe.Pointer(&q))
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTTY) { // past the last, or no enumeration
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("VIDIOC_QUERYCTRL after %#x: %w", id, err)
		}
		next := q.id &^ (ctrlFlagNextCtrl | ctrlFlagNextCompound)
		if next <= id { // a driver that ignores the flag would go round forever
			return out, nil
		}
		id = next
		if q.flags&ctrlFlagDisabled != 0 || ControlType(q.typ) == TypeClass {
			continue
		}
		out = append(out, controlOf(n, &q, values))
	}
	return out, fmt.Errorf("VIDIOC_QUERYCTRL: more than %d controls", maxEnum)
}

// controlOf describes the control q, reading its value with VIDIOC_G_CTRL
// when asked and where it has one to read.
func controlOf(n node, q *queryctrl, value bool) Control {
	c := Control{
		Name: ControlName(cString(q.name[:])), ID: q.id &^ (ctrlFlagNextCtrl | ctrlFlagNextCompound), Type: ControlType(q.typ),
		Min: int64(q.minimum), Max: int64(q.maximum), Step: int64(q.step), Default: int64(q.defaultValue),
		ReadOnly: q.flags&ctrlFlagReadOnly != 0, Inactive: q.flags&ctrlFlagInactive != 0,
	}
	if value && c.Type.settable() && c.Type != TypeButton && q.flags&ctrlFlagWriteOnly == 0 {
		v := control{id: c.ID}
		if n.ioctl(vidiocGCtrl, unsafe.Pointer(&v)) == nil { // else the value is left unknown: some UVC cameras fail to read one
			c.Value, c.HasValue = int64(v.value), true
		}
	}
	return c
}

// SetControls sets the device's controls to want, in order, with
// VIDIOC_S_CTRL. set is what was set, with the values the driver kept (it
// may round to the control's step). errs has a *ControlError for each
// setting that was not (no such control, read-only, out of range, a type
// VIDIOC_S_CTRL does not take, or the driver's error), and the others are
// still set; or the one error of opening the device.
func SetControls(path string, want Settings) (set Settings, errs []error) {
	return setControls(sysKernel{}, path, want)
}

func setControls(k kernel, path string, want Settings) (set Settings, errs []error) {
	if len(want) == 0 {
		return nil, nil
	}
	n, err := k.open(path)
	if err != nil {
		return nil, []error{&fs.PathError{Op: "open", Path: path, Err: err}}
	}
	defer func() {
		if cerr := n.close(); cerr != nil {
			errs = append(errs, &fs.PathError{Op: "close", Path: path, Err: cerr})
		}
	}()
	all, err := enumControls(n, false) // names and ids: the values are not needed
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: listing its controls: %w", path, err))
	}
	byName := make(map[string]Control, len(all))
	names := make([]string, len(all))
	for i, c := range all {
		byName[c.Name], names[i] = c, c.Name
	}
	for _, s := range want {
		c, ok := byName[s.Name]
		if !ok {
			errs = append(errs, &ControlError{Path: path, Setting: s, Names: names, Err: ErrNoControl})
			continue
		}
		if got, err := setControl(n, c, s); err != nil {
			errs = append(errs, &ControlError{Path: path, Setting: s, Control: c, Err: err})
		} else {
			set = append(set, got)
		}
	}
	return set, errs
}

// setControl sets c to s.Value and returns what the driver kept. It asks
// the driver for the control's flags again: an earlier setting may have
// changed them.
func setControl(n node, c Control, s Setting) (Setting, error) {
	q := queryctrl{id: c.ID}
	if err := n.ioctl(vidiocQueryctrl, unsafe.Pointer(&q)); err != nil {
		return s, fmt.Errorf("VIDIOC_QUERYCTRL: %w", err)
	}
	v := int64(s.Value)
	switch {
	case !c.Type.settable():
		return s, ErrUnsupportedType
	case q.flags&ctrlFlagReadOnly != 0:
		return s, ErrReadOnly
	case c.Type != TypeButton && c.Type != TypeBitmask && (v < int64(q.minimum) || v > int64(q.maximum)):
		return s, ErrOutOfRange
	}
	ctl := control{id: c.ID, value: s.Value}
	if err := n.ioctl(vidiocSCtrl, unsafe.Pointer(&ctl)); err != nil {
		return s, fmt.Errorf("VIDIOC_S_CTRL: %w", err)
	}
	return Setting{Name: s.Name, Value: ctl.value}, nil
}
