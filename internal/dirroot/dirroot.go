// Package dirroot keeps an [os.Root] on a directory path that may be
// removed and created again: a Root notices that the directory at its path
// is no longer the one it opened and opens the new one.
package dirroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// Root is the directory at one path. Its methods are safe for concurrent
// use.
type Root struct {
	path string

	mu     sync.Mutex
	root   *os.Root   // the directory last opened; nil before the first Get
	stale  []*os.Root // roots of removed directories; may still be in use, closed by Close
	closed bool
}

// New returns a Root for the directory path, opened at the first Get.
func New(path string) *Root {
	return &Root{path: path}
}

// Path returns the directory's path as given to New.
func (r *Root) Path() string { return r.path }

// Get returns the root of the directory at the path, opening it if it was
// not open or has been removed or replaced since it was opened; reopened
// says so. With create, a missing directory is created first (mode 0755,
// with its parents). A missing directory yields an error matching
// fs.ErrNotExist, a closed Root one matching fs.ErrClosed.
//
// The root returned stays usable until Close, even once replaced.
func (r *Root) Get(create bool) (root *os.Root, reopened bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, false, fmt.Errorf("%s: %w", r.path, fs.ErrClosed)
	}
	if r.root != nil && r.current() {
		return r.root, false, nil
	}
	if create {
		if err := os.MkdirAll(r.path, 0o755); err != nil {
			return nil, false, err
		}
	}
	opened, err := os.OpenRoot(r.path)
	if err != nil {
		return nil, false, err
	}
	if r.root != nil {
		r.stale = append(r.stale, r.root)
	}
	r.root = opened
	return opened, true, nil
}

// current reports whether r.root is still the directory at r.path.
func (r *Root) current() bool {
	atPath, err := os.Stat(r.path)
	if err != nil {
		return false
	}
	opened, err := r.root.Stat(".")
	return err == nil && os.SameFile(atPath, opened)
}

// Close closes every root Get has returned; later calls to Get fail.
// Calling it again does nothing.
func (r *Root) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	var errs []error
	for _, root := range append(r.stale, r.root) {
		if root != nil {
			errs = append(errs, root.Close())
		}
	}
	r.root, r.stale = nil, nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close %s: %w", r.path, err)
	}
	return nil
}
