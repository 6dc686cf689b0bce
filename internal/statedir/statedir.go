// Package statedir keeps pistream's state directory and the secrets in it
// safe: a directory only its owner can enter, and secret files (the HTTP
// token, the SSH host key) that are regular files, never symbolic links,
// readable by their owner alone. What is looser is tightened and said so;
// what is odd (a symbolic link, a directory where a file should be) is an
// error naming the path.
package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"pistream/internal/regularfile"
)

// Prepare makes dir (mode 0700) if it is missing. An existing one must be
// a directory; if others can enter it, it is tightened to 0700 and
// tightened says from what mode.
func Prepare(dir string) (tightened fs.FileMode, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("state directory %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return 0, fmt.Errorf("state directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return 0, fmt.Errorf("state directory %s is not a directory", dir)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(dir, perm&0o700); err != nil {
			return 0, fmt.Errorf("state directory %s: tighten mode %04o: %w", dir, perm, err)
		}
		return perm, nil
	}
	return 0, nil
}

// ErrOdd says a secret's path holds something that is not a plain file.
// It is regularfile's ErrNotRegular, which ReadSecret's errors match.
var ErrOdd = regularfile.ErrNotRegular

// CheckSecret looks at the secret file at path without following a
// symbolic link: missing is fine (exists is false); a symbolic link, a
// directory or any other non-regular file is an error naming the path; a
// file others can read is tightened to 0600, and tightened says from what
// mode.
func CheckSecret(path string) (exists bool, tightened fs.FileMode, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return true, 0, fmt.Errorf("%s is a symbolic link: pistream keeps secrets only in plain files; remove it: %w", path, ErrOdd)
	case fi.IsDir():
		return true, 0, fmt.Errorf("%s is a directory: %w", path, ErrOdd)
	case !fi.Mode().IsRegular():
		return true, 0, fmt.Errorf("%s is a %s: %w", path, fi.Mode().Type(), ErrOdd)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return true, 0, fmt.Errorf("%s: tighten mode %04o: %w", path, perm, err)
		}
		return true, perm, nil
	}
	return true, 0, nil
}

// ErrSecretTooLarge says a secret file is larger than its reader's limit.
var ErrSecretTooLarge = errors.New("secret file too large")

// ReadSecret reads the secret file at path, at most limit bytes (else an
// error matching ErrSecretTooLarge), never through a symbolic link and
// never blocking on a FIFO; a file that is not a regular file is an error
// matching ErrOdd.
func ReadSecret(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close() // read-only
	return regularfile.Read(f, path, limit, ErrSecretTooLarge)
}
