//go:build unix && !linux

package rpicam

import (
	"errors"
	"syscall"
)

// sysProcAttr puts the child in a process group of its own. There is no
// parent-death signal outside Linux (FreeBSD's is not used).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// waitExited can't wait without reaping here; the child's group is then only
// signalled while its leader runs.
func waitExited(pid int) error {
	return errors.New("rpicam: waiting without reaping is only implemented on Linux")
}
