package v4l2

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Setting is one control to set: its name as v4l2-ctl spells it (see
// ControlName) and a value.
type Setting struct {
	Name  string
	Value int32
}

// String is the setting as --v4l2-controls takes it, e.g. focus_absolute=30.
func (s Setting) String() string { return s.Name + "=" + strconv.Itoa(int(s.Value)) }

// Settings are controls to set, in order.
type Settings []Setting

// String is the settings as --v4l2-controls takes them, e.g.
// "focus_automatic_continuous=0,focus_absolute=30".
func (ss Settings) String() string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.String()
	}
	return strings.Join(parts, ",")
}

// ParseSettings reads --v4l2-controls: "name=value,name=value", as
// `v4l2-ctl -c` takes it, "" for none. It checks the syntax only (a name
// of a-z, 0-9 and _, an integer value, no name twice); whether a device
// has the controls is known when it is opened. The error names the bad
// part.
func ParseSettings(s string) (Settings, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out Settings
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		name, value, ok := strings.Cut(part, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case part == "":
			return nil, fmt.Errorf("an empty control in %q: want name=value,name=value", s)
		case !ok:
			return nil, fmt.Errorf("%q: want name=value, e.g. focus_absolute=30", part)
		case !validName(name):
			return nil, fmt.Errorf("%q: a control name is made of a-z, 0-9 and _, as pistream --list-cameras prints it", name)
		case seen[name]:
			return nil, fmt.Errorf("%q is given twice", name)
		}
		v, err := strconv.ParseInt(value, 10, 32)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return nil, fmt.Errorf("%s=%s: the value is beyond a 32-bit integer", name, value)
			}
			return nil, fmt.Errorf("%s=%s: the value is not an integer", name, value)
		}
		seen[name] = true
		out = append(out, Setting{Name: name, Value: int32(v)})
	}
	return out, nil
}

// validName reports whether name is a control name as ControlName makes
// them.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Why SetControls did not set a control; a ControlError wraps one of
// these, or the driver's errno.
var (
	ErrNoControl       = errors.New("no such control")
	ErrReadOnly        = errors.New("read-only")
	ErrOutOfRange      = errors.New("out of range")
	ErrUnsupportedType = errors.New("not supported: only controls of 32-bit values can be set")
)

// ControlError says why SetControls did not set one control. Err is one
// of the errors above, or the driver's error wrapped with the ioctl that
// failed, e.g. "VIDIOC_S_CTRL: device or resource busy".
type ControlError struct {
	Path    string
	Setting Setting
	Control Control  // the device's control, zero with ErrNoControl
	Names   []string // with ErrNoControl: the names the device has
	Err     error
}

func (e *ControlError) Error() string {
	s := fmt.Sprintf("%s: %s: ", e.Path, e.Setting)
	switch {
	case errors.Is(e.Err, ErrNoControl) && len(e.Names) == 0:
		return s + "no such control; the device lists none"
	case errors.Is(e.Err, ErrNoControl):
		return s + "no such control; the device has " + strings.Join(e.Names, ", ")
	case errors.Is(e.Err, ErrOutOfRange):
		return fmt.Sprintf("%sout of range: min=%d max=%d", s, e.Control.Min, e.Control.Max)
	case errors.Is(e.Err, ErrReadOnly), errors.Is(e.Err, ErrUnsupportedType):
		return fmt.Sprintf("%s%s control %v", s, e.Control.Type, e.Err)
	}
	return s + e.Err.Error()
}

func (e *ControlError) Unwrap() error { return e.Err }
