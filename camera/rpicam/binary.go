package rpicam

import (
	"fmt"
	"os/exec"
)

// Names of the program, newest first: Raspberry Pi OS renamed libcamera-vid
// to rpicam-vid (bookworm keeps the old name as a link); the flags are the
// same.
var binaryNames = []string{"rpicam-vid", "libcamera-vid"}

// Binary returns the path of rpicam-vid, or of libcamera-vid when there is no
// rpicam-vid, as found in PATH. The error wraps exec.ErrNotFound when
// neither is there.
func Binary() (path string, err error) {
	for _, name := range binaryNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("rpicam: neither rpicam-vid nor libcamera-vid is in PATH (install Raspberry Pi OS's rpicam-apps): %w", exec.ErrNotFound)
}
