// Package atomicfile saves files so that they appear whole or not at all
// and never replace an existing file: the data is written to a temp file,
// synced, linked under its name (a hard link fails rather than replace)
// and the directory synced. A crash leaves at worst a temp file, never a
// partial or empty file under the real name.
package atomicfile

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"
)

// moveMu serialises moves on file systems without hard links, where a
// check and a rename must not interleave (within this process).
var moveMu sync.Mutex

// Create stores data in root under name with mode perm (less the umask),
// atomically, through a temp file named tempPrefix and random letters. If
// name exists, it fails with an error matching fs.ErrExist and leaves the
// existing file as it is. On any failure nothing is left behind.
func Create(root *os.Root, name, tempPrefix string, data []byte, perm fs.FileMode) error {
	tmp, _, err := WriteTemp(root, tempPrefix, data, perm)
	if err != nil {
		return err
	}
	if err := Move(root, tmp, name); err != nil {
		_ = root.Remove(tmp) // the error worth reporting is err
		return err
	}
	if err := SyncDir(root); err != nil {
		// The caller is told the file was not saved, so it must not stay.
		_ = root.Remove(name)
		return err
	}
	return nil
}

// WriteTemp writes data to a new file in root named tempPrefix and random
// letters, with mode perm (less the umask), and syncs it. It returns the
// file's name and modification time; on failure it leaves no file.
func WriteTemp(root *os.Root, tempPrefix string, data []byte, perm fs.FileMode) (string, time.Time, error) {
	name := tempPrefix + rand.Text()
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return "", time.Time{}, err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	var fi os.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = root.Remove(name) // the error worth reporting is err
		return "", time.Time{}, err
	}
	return name, fi.ModTime(), nil
}

// Move renames from to to within root, but never replaces a file: if to
// exists, it fails with an error matching fs.ErrExist. On success from is
// gone; on failure it is left as it was.
//
// It links to to from and then removes from, as a hard link, unlike a
// rename, fails rather than replace. Where the file system has no hard
// links (FAT, for one) it checks and renames while holding a lock, which
// excludes clashes within this process only.
func Move(root *os.Root, from, to string) error {
	err := root.Link(from, to)
	if err != nil && !linkUnsupported(err) {
		return err
	}
	if err != nil {
		moveMu.Lock()
		defer moveMu.Unlock()
		switch _, err := root.Lstat(to); {
		case err == nil:
			return &fs.PathError{Op: "move", Path: to, Err: fs.ErrExist}
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
		return root.Rename(from, to)
	}
	if err := root.Remove(from); err != nil {
		_ = root.Remove(to) // back to the state before; err says what failed
		return err
	}
	return nil
}

// linkUnsupported reports whether err, from a link, says the file system
// has no hard links.
func linkUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) ||
		errors.Is(err, syscall.EPERM) ||
		errors.Is(err, syscall.EOPNOTSUPP) ||
		errors.Is(err, syscall.ENOTSUP)
}

// SyncDir flushes the directory root, so that new names in it last.
func SyncDir(root *os.Root) error {
	d, err := root.Open(".")
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", root.Name(), err)
	}
	return nil
}
