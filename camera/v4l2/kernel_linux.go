//go:build linux

package v4l2

import (
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// kernel is what List, Describe and SetFlip need of the system: the video
// device nodes, and ioctls on them. sysKernel is the real one; tests use a
// fake that answers like a given camera.
type kernel interface {
	// videoNodes returns the paths of /dev/video*, in any order.
	videoNodes() ([]string, error)
	// open opens a device node for ioctls.
	open(path string) (node, error)
}

// node is an open device node.
type node interface {
	// ioctl does request req on the struct at arg, returning the errno.
	ioctl(req uintptr, arg unsafe.Pointer) error
	close() error
}

type sysKernel struct{}

func (sysKernel) videoNodes() ([]string, error) { return videoNodesIn("/dev") }

// videoNodesIn returns the paths of the entries of dir whose names start
// with "video". Unlike filepath.Glob, it fails when dir cannot be read (no
// permission, not a directory), instead of finding nothing.
func videoNodesIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "video") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	return paths, nil
}

// open opens read-write, as V4L2 drivers require, and non-blocking, so it
// never waits on a device.
func (sysKernel) open(path string) (node, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		return sysNode(fd), nil
	}
}

type sysNode int

func (n sysNode) ioctl(req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(n), req, uintptr(arg))
		switch errno {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return errno
	}
}

func (n sysNode) close() error { return unix.Close(int(n)) }
