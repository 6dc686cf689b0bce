//go:build !linux

package nbio

import "syscall"

// Elsewhere, plain system calls: a read, and a write of the first buffer
// (a writev may write less than all of it anyway).

func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	n, err := syscall.Read(int(fd), p)
	return result(n, err)
}

func rawWritev(fd uintptr, bufs [][]byte) (int, syscall.Errno) {
	if len(bufs) == 0 {
		return 0, 0
	}
	n, err := syscall.Write(int(fd), bufs[0])
	return result(n, err)
}

func result(n int, err error) (int, syscall.Errno) {
	if err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return 0, e
		}
		return 0, syscall.EIO
	}
	return n, 0
}
