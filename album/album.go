// Package album is pistream's photo directory: the snapshots the camera
// takes, kept as JPEG files in one directory that the control TUI lists,
// shows and deletes.
//
// Every file access goes through an [os.Root], and every name a caller
// passes in is checked by [ValidName], so neither a crafted name nor a
// symlink can reach outside the directory. Beyond that, names are taken as
// the file system has them: a photo copied in under a name with control
// characters, escape sequences, bidi overrides or invalid UTF-8 is listed
// and can be read and deleted like any other. Names, and error messages
// that carry them, must therefore be sanitised before they are shown on a
// terminal; that is up to the caller. Saves are atomic and never
// replace an existing photo, deletes go to a trash folder and can be undone,
// and [Album.Changed] tells of every change, whether made through the Album or
// by another program.
package album

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"pistream/internal/dirroot"
	"pistream/internal/dirwatch"
)

// Album is an open photo directory. Its methods are safe for concurrent use.
type Album struct {
	dir string           // absolute path of the photo directory
	now func() time.Time // the clock; tests replace it

	roots *dirroot.Root // the directory, re-opened when it is re-created

	undoMu sync.Mutex
	undo   []deletion // most recent last

	dimsMu sync.Mutex
	dims   map[dimKey]dims // never modified once stored, only replaced

	saves     chan saveReq  // to the saver
	quit      chan struct{} // closed by Close: the saver returns
	saverDone chan struct{} // closed when it has

	lastName photoSlot // the name the saver gave last, where its next try starts; the saver's own

	watch     *dirwatch.Watcher // nil if Open failed before it started
	closeOnce sync.Once
	closeErr  error
}

// Open opens the photo directory dir, creating it (mode 0755, with its
// parents) if it does not exist, and starts watching it for changes.
// Temp files left behind by a crash more than an hour ago are removed.
// Call Close when done.
func Open(dir string) (*Album, error) {
	a, err := open(dir)
	if err != nil {
		return nil, fmt.Errorf("open album %s: %w", dir, err)
	}
	return a, nil
}

func open(dir string) (*Album, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	a := &Album{dir: abs, now: time.Now, roots: dirroot.New(abs),
		saves: make(chan saveReq), quit: make(chan struct{}), saverDone: make(chan struct{})}
	go a.saver()
	root, err := a.openRoot(true)
	if err == nil {
		a.watch, err = dirwatch.New(abs, isPhotoName)
	}
	if err != nil {
		_ = a.Close() // the real error is err
		return nil, err
	}
	removeStaleTemps(root, a.now().Add(-time.Hour))
	return a, nil
}

// Dir returns the absolute path of the photo directory.
func (a *Album) Dir() string { return a.dir }

// Close stops the saver (a Save waiting for its turn fails), stops
// watching the directory, wakes the waiters of Changed and closes the
// directory. Later calls to other methods fail.
func (a *Album) Close() error {
	a.closeOnce.Do(func() {
		close(a.quit)
		<-a.saverDone
		var errs []error
		if a.watch != nil {
			errs = append(errs, a.watch.Close())
		}

		errs = append(errs, a.roots.Close())
		if err := errors.Join(errs...); err != nil {
			a.closeErr = fmt.Errorf("close album %s: %w", a.dir, err)
		}
	})
	return a.closeErr
}

// openRoot returns the root of the photo directory. If the directory has
// been removed or replaced since it was opened, the root is re-opened (and
// the directory watched again); with create, a missing directory is
// re-created first. A missing directory yields an error matching
// fs.ErrNotExist, a closed album one matching fs.ErrClosed.
func (a *Album) openRoot(create bool) (*os.Root, error) {
	root, reopened, err := a.roots.Get(create)
	if err != nil {
		return nil, err
	}
	if reopened && a.watch != nil {
		// A failure here costs only notifications of outside changes; the
		// caller's operation itself can go on.
		_ = a.watch.Rewatch()
	}
	return root, nil
}
