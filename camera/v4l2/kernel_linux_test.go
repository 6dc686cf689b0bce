//go:build linux

package v4l2

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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

// The device nodes are the directory's video* entries; a directory that
// cannot be read is an error, not an empty list.
func TestVideoNodesIn(t *testing.T) {
	dev := t.TempDir()
	for _, name := range []string{"video0", "video10", "video", "null", "v4l-subdev0"} {
		if err := os.WriteFile(filepath.Join(dev, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	locked := filepath.Join(t.TempDir(), "dev")
	if err := os.Mkdir(locked, 0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir string
		want      []string
		err       error
		notRoot   bool // root reads any directory
	}{
		{name: "video nodes", dir: dev, want: []string{dev + "/video", dev + "/video0", dev + "/video10"}},
		{name: "missing", dir: filepath.Join(dev, "nope"), err: fs.ErrNotExist},
		{name: "not a directory", dir: filepath.Join(dev, "null"), err: syscall.ENOTDIR},
		{name: "unreadable", dir: locked, err: fs.ErrPermission, notRoot: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.notRoot && os.Geteuid() == 0 {
				t.Skip("root reads a directory of mode 0")
			}
			got, err := videoNodesIn(tc.dir)
			slices.Sort(got)
			if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) || err != nil && !strings.Contains(err.Error(), tc.dir) {
				t.Errorf("videoNodesIn(%s) = %q, %v; want %q, %v naming the directory", tc.dir, got, err, tc.want, tc.err)
			}
		})
	}
}
