package sshd

import (
	"os"
	"syscall"
)

// inodeAndCtime are a file's inode number and change time (ns), which
// tell a replaced or rewritten authorized_keys even when its size and
// mtime are the same.
func inodeAndCtime(fi os.FileInfo) (uint64, int64) {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		return sys.Ino, sys.Ctim.Nano()
	}
	return 0, 0
}
