package clog

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// redirect points descriptor fd at f until the returned function puts it
// back.
func redirect(t *testing.T, fd int, f *os.File) func() {
	t.Helper()
	saved, err := unix.Dup(fd)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Dup3(int(f.Fd()), fd, 0); err != nil {
		t.Fatal(err)
	}
	return func() {
		unix.Dup3(saved, fd, 0)
		unix.Close(saved)
	}
}
