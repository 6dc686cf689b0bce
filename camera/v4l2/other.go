//go:build !linux

package v4l2

import (
	"errors"
	"fmt"
	"runtime"
)

var errNotLinux = fmt.Errorf("V4L2 is only on Linux, not %s: %w", runtime.GOOS, errors.ErrUnsupported)

// List returns an error wrapping errors.ErrUnsupported: V4L2 is only on Linux.
func List() ([]Device, error) { return nil, fmt.Errorf("v4l2: %w", errNotLinux) }

// Describe returns an error wrapping errors.ErrUnsupported: V4L2 is only on Linux.
func Describe(path string) (Device, error) {
	err := fmt.Errorf("%s: %w", path, errNotLinux)
	return Device{Path: path, Err: err}, err
}

// SetFlip returns an error wrapping errors.ErrUnsupported: V4L2 is only on
// Linux. done is zero: every flip is left to software.
func SetFlip(path string, h, v bool) (done Controls, err error) {
	return Controls{}, fmt.Errorf("%s: %w", path, errNotLinux)
}

// SetControls sets nothing and returns an error wrapping
// errors.ErrUnsupported: V4L2 is only on Linux.
func SetControls(path string, want Settings) (set Settings, errs []error) {
	return nil, []error{fmt.Errorf("%s: %w", path, errNotLinux)}
}

// AllControls returns an error wrapping errors.ErrUnsupported: V4L2 is only
// on Linux.
func AllControls(path string) ([]Control, error) {
	return nil, fmt.Errorf("%s: %w", path, errNotLinux)
}
