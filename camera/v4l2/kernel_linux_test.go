//go:build linux

package v4l2

import (
	"errors"
	"io/fs"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSysKernel runs the real open, ioctl and close on device files every
// Linux has, none of them V4L2: the errnos must come back, wrapped, and no
// descriptor may stay open.
func TestSysKernel(t *testing.T) {
	before := openFDs(t)

	_, err := Describe("/dev/null")
	if errors.Is(err, unix.ENOSYS) {
		t.Skip("ioctls are not passed through here (qemu-user):", err)
	}
	if !errors.Is(err, unix.ENOTTY) || err.Error() != "/dev/null: VIDIOC_QUERYCAP: inappropriate ioctl for device" {
		t.Errorf("Describe(/dev/null): %v, want ENOTTY from VIDIOC_QUERYCAP", err)
	}
	if _, err := Describe("/dev/no-such-video"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Describe(/dev/no-such-video): %v, want fs.ErrNotExist", err)
	}
	if done, err := SetFlip("/dev/null", true, true); done != (Controls{}) || err != nil {
		t.Errorf("SetFlip(/dev/null) = %+v, %v; want nothing done, no error", done, err)
	}
	devs, err := List() // whatever this machine has
	if err != nil {
		t.Errorf("List: %v", err)
	}
	for _, d := range devs {
		t.Logf("%s", d)
	}

	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open before, %d after", before, after)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(fds)
}
