package album

import "syscall"

// lowerThreadPriority sets the nice value of the calling OS thread (not of
// the whole process: on Linux PRIO_PROCESS with a thread id names one
// thread). Raising it needs no privilege.
func lowerThreadPriority(nice int) error {
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice)
}
