package album

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"pistream/internal/atomicfile"
	"pistream/internal/jpegmark"
)

// MaxPhotoSize is the largest photo Save stores and Read returns: 64 MiB.
const MaxPhotoSize = 64 << 20

var (
	// ErrNotJPEG is matched by the error of Save for data that is not a
	// complete JPEG.
	ErrNotJPEG = errors.New("not a complete JPEG (must start FF D8 and end FF D9)")
	// ErrTooLarge is matched by the errors of Save and Read for photos
	// larger than MaxPhotoSize.
	ErrTooLarge = errors.New("photo larger than 64 MiB")
)

// tempPrefix starts the names of files being written; List ignores them.
const tempPrefix = ".tmp-"

// maxNameTries bounds the "-2", "-3", … suffixes Save tries for one instant.
const maxNameTries = 10000

// Save stores a JPEG photo taken at t under a new name made from t in local
// time, "2006-01-02_15-04-05.000.jpg", or with "-2", "-3", … before the
// extension if that is taken. It never replaces a file, also when called
// concurrently.
//
// Data that does not start with FF D8 and end with FF D9 is refused. The
// write is atomic: the photo is written to a temp file, synced and linked
// into place, and the directory is synced. If the photo directory was
// removed, it is re-created. On failure, such as a full disk (see
// IsDiskFull), nothing is left behind.
//
// Photos are written one at a time, at a lower priority than the rest of
// pistream (see saver); Save waits for its turn. After Close it fails
// with an error matching fs.ErrClosed.
func (a *Album) Save(jpeg []byte, t time.Time) (Photo, error) {
	req := saveReq{data: jpeg, t: t, done: make(chan saveResult, 1)}
	select {
	case a.saves <- req:
	case <-a.quit:
		return Photo{}, fmt.Errorf("save photo: %w", fs.ErrClosed)
	}
	r := <-req.done
	p, err := r.photo, r.err
	if err != nil {
		return Photo{}, fmt.Errorf("save photo: %w", err)
	}
	a.watch.Touch(p.Name)
	return p, nil
}

func (a *Album) save(data []byte, t time.Time) (Photo, error) {
	if jpegmark.Check(data) != nil {
		return Photo{}, ErrNotJPEG
	}
	if len(data) > MaxPhotoSize {
		return Photo{}, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	root, err := a.openRoot(true)
	if err != nil {
		return Photo{}, err
	}
	tmp, modTime, err := atomicfile.WriteTemp(root, tempPrefix, data, 0o644)
	if err != nil {
		return Photo{}, err
	}
	name, err := a.place(root, tmp, t)
	if err != nil {
		_ = root.Remove(tmp) // the error worth reporting is err
		return Photo{}, err
	}
	if err := atomicfile.SyncDir(root); err != nil {
		// The caller is told the photo was not saved, so it must not stay.
		_ = root.Remove(name)
		return Photo{}, err
	}
	p := Photo{Name: name, Size: int64(len(data)), ModTime: modTime}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(data)); err == nil {
		p.Width, p.Height = cfg.Width, cfg.Height
	}
	return p, nil
}

// photoSlot is a photo name: its instant (as in the name) and its suffix.
type photoSlot struct {
	instant string
	n       int
}

// place gives the temp file tmp the first free photo name for t, from
// the suffix after the last one it gave for the same instant: a burst
// of snapshots of one frame (400 in a storm) tries each name once instead
// of every taken name again for each photo.
func (a *Album) place(root *os.Root, tmp string, t time.Time) (string, error) {
	instant := photoName(t, 1)
	first := 1
	if a.lastName.instant == instant {
		first = a.lastName.n + 1
	}
	for n := first; n < first+maxNameTries; n++ {
		name := photoName(t, n)
		err := atomicfile.Move(root, tmp, name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		a.lastName = photoSlot{instant, n}
		return name, nil
	}
	return "", fmt.Errorf("no free name for a photo taken at %s", t.Local().Format(nameLayout))
}

// IsDiskFull reports whether err was caused by a full disk or an exhausted
// disk quota (ENOSPC or EDQUOT), so the UI can say "disk full".
func IsDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// removeStaleTemps removes the temp files, last modified before before,
// that a Save interrupted by a crash left in root. It is best effort:
// a temp file it cannot remove does no harm, as List ignores it.
func removeStaleTemps(root *os.Root, before time.Time) {
	d, err := root.Open(".")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	_ = d.Close()
	for _, name := range names {
		if !strings.HasPrefix(name, tempPrefix) {
			continue
		}
		if fi, err := root.Lstat(name); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(before) {
			_ = root.Remove(name)
		}
	}
}
