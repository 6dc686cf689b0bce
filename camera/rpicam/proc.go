//go:build unix

package rpicam

import (
	"errors"
	"fmt"
	"syscall"
)

// signalGroup sends sig to every process of the process group pgid. A group
// that is already gone is not an error.
func signalGroup(pgid int, sig syscall.Signal) error {
	if pgid <= 1 {
		return fmt.Errorf("rpicam: refusing to signal process group %d", pgid)
	}
	err := syscall.Kill(-pgid, sig)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("rpicam: signal %v to process group %d: %w", sig, pgid, err)
	}
	return nil
}
