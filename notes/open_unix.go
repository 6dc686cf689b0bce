//go:build unix

package notes

import (
	"os"
	"syscall"
)

// openFlags opens notes without blocking if one turns out to be a FIFO.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK
