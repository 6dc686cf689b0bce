// Package regularfile opens and reads files that must be regular files of
// bounded size, inside an [os.Root]: never a FIFO, a device or a directory,
// never more than the caller's limit, and without blocking should the file
// turn out to be a FIFO.
package regularfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Open opens name in root for reading. It does not block on a FIFO and
// fails unless name is a regular file (or, as os.Root allows, a symbolic
// link to one inside root). It returns the file's info from the open
// file, so it describes what is read.
func Open(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	f, err := root.OpenFile(name, openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%s: not a regular file (%s)", name, info.Mode().Type())
	}
	if err != nil {
		_ = f.Close() // read-only; err is what went wrong
		return nil, nil, err
	}
	return f, info, nil
}

// ReadAll returns the content of the regular file name in root (see Open).
// A file larger than limit bytes, also one that grows past it while it is
// read, yields an error matching tooLarge that gives the size and the
// limit.
func ReadAll(root *os.Root, name string, limit int64, tooLarge error) ([]byte, error) {
	f, info, err := Open(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close() // read-only
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

// sizeError is the error for the file name of size bytes, over limit.
func sizeError(name string, tooLarge error, size, limit int64) error {
	return fmt.Errorf("%s: %w (%d bytes, limit %d)", name, tooLarge, size, limit)
}
