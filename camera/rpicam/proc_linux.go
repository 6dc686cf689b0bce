package rpicam

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr puts the child in a process group of its own (so that it and
// anything it starts can be killed together, and a Ctrl-C meant for
// pistream's terminal doesn't reach it) and has the kernel SIGKILL it when
// its parent dies.
//
// Linux sends the parent-death signal when the thread that started the child
// exits, not the process. Go only ends a thread when a goroutine locked to it
// with runtime.LockOSThread returns without unlocking, so don't call Start
// or List from such a goroutine.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// waitExited blocks until the child pid has exited, without reaping it:
// while it is a zombie, its pid, which is also its process group's id,
// cannot be given to another process, so the group can still be signalled
// safely.
func waitExited(pid int) error {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
