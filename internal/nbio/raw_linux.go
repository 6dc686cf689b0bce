package nbio

import (
	"syscall"
	"unsafe"
)

// maxIov is how many buffers one writev takes here; more are written by
// the next call.
const maxIov = 16

func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), 0
}

func rawWritev(fd uintptr, bufs [][]byte) (int, syscall.Errno) {
	var iov [maxIov]syscall.Iovec
	k := 0
	for _, b := range bufs {
		if k == maxIov {
			break
		}
		if len(b) == 0 {
			continue
		}
		iov[k].Base = &b[0]
		iov[k].SetLen(len(b))
		k++
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(k))
	if e != 0 {
		return 0, e
	}
	return int(n), 0
}
