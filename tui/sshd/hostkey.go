package sshd

import (
	"fmt"
	"os"
	"path/filepath"

	"charm.land/log/v2"

	"pistream/internal/statedir"
)

// prepareHostKey makes the directory of the host key at path, and checks
// what is already there: a symbolic link or another odd file is refused, a
// key others can read is tightened (and logged). The directory must exist
// before wish generates the key, or wish silently runs with a new key on
// every start.
func prepareHostKey(path string, logger *log.Logger) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("ssh host key directory: %w", err)
	}
	_, err := checkSecret(path, logger)
	return err
}

// checkHostKey makes sure the host key at path was written, and that only
// its owner can read it.
func checkHostKey(path string, logger *log.Logger) error {
	exists, err := checkSecret(path, logger)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("ssh host key %s was not created", path)
	}
	return nil
}

func checkSecret(path string, logger *log.Logger) (bool, error) {
	exists, loose, err := statedir.CheckSecret(path)
	if err != nil {
		return exists, fmt.Errorf("ssh host key: %w", err)
	}
	if loose != 0 {
		logger.Warn("tightened the SSH host key: others could read it", "path", path, "was", fmt.Sprintf("%04o", loose), "now", "0600")
	}
	return exists, nil
}
