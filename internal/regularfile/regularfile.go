// Package regularfile opens and reads files that must be regular files of
// bounded size, inside an [os.Root]: never a FIFO, a device or a directory,
// never more than the caller's limit, and without blocking should the file
// turn out to be a FIFO.
package regularfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular says a file is not a regular file: a FIFO, a device, a
// directory.
var ErrNotRegular = errors.New("not a regular file")

// Open opens name in root for reading. It does not block on a FIFO and
// fails unless name is a regular file (or, as os.Root allows, a symbolic
// link to one inside root). It returns the file's info from the open
// file, so it describes what is read.
func Open(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	f, err := root.OpenFile(name, openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := stat(f, name)
	if err != nil {
		_ = f.Close() // read-only; err is what went wrong
		return nil, nil, err
	}
	return f, info, nil
}

// ReadAll returns the content of the regular file name in root (see Open
// and Read).
func ReadAll(root *os.Root, name string, limit int64, tooLarge error) ([]byte, error) {
	f, err := root.OpenFile(name, openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close() // read-only
	return Read(f, name, limit, tooLarge)
}

// Read returns the content of f, a file its caller opened for reading
// (with flags of its own: O_NOFOLLOW, O_NONBLOCK) and closes; name is the
// name its errors give. It fails unless f is a regular file (the error
// matches ErrNotRegular). A file larger than limit bytes, also one that
// grows past it while it is read, yields an error matching tooLarge that
// gives the size and the limit.
func Read(f *os.File, name string, limit int64, tooLarge error) ([]byte, error) {
	info, err := stat(f, name)
	if err != nil {
		return nil, err
	}
	if info.Size() > limit {
		return nil, sizeError(name, tooLarge, info.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > limit { // grew since Stat
		return nil, sizeError(name, tooLarge, int64(len(data)), limit)
	}
	return data, nil
}

// stat returns the info of the open file f, named name, unless it is not
// a regular file.
func stat(f *os.File, name string) (fs.FileInfo, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", name, ErrNotRegular, info.Mode().Type())
	}
	return info, nil
}

// sizeError is the error for the file name of size bytes, over limit.
func sizeError(name string, tooLarge error, size, limit int64) error {
	return fmt.Errorf("%s: %w (%d bytes, limit %d)", name, tooLarge, size, limit)
}
