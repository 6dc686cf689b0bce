package sshd

import (
	"fmt"
	"os"
	"path/filepath"
)

// prepareHostKey makes the directory of the host key at path. It must exist
// before wish generates the key, or wish silently runs with a new key on
// every start.
func prepareHostKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("ssh host key directory: %w", err)
	}
	return nil
}

// checkHostKey makes sure the host key at path was written, and that only
// its owner can read it.
func checkHostKey(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("ssh host key %s was not created: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("ssh host key %s: %w", path, err)
		}
	}
	return nil
}
