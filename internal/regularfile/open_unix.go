//go:build unix

package regularfile

import (
	"os"
	"syscall"
)

// openFlags opens files without blocking if one turns out to be a FIFO.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK
