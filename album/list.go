package album

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"io/fs"
	"os"
	"slices"
	"time"

	"pistream/internal/regularfile"
)

// Photo describes one photo in the album.
type Photo struct {
	// Name is the file name in the photo directory. It passes ValidName
	// but may hold control characters, escape sequences and invalid
	// UTF-8: sanitise it before showing it.
	Name    string
	Size    int64     // in bytes
	ModTime time.Time // last modification
	// Width and Height come from the JPEG header; both are 0 if it could
	// not be read.
	Width, Height int
}

// headLimit is how much of a file List reads at most to find a JPEG's
// dimensions: room for large EXIF, ICC and MPF segments before the frame
// header, and a bound for corrupt or hostile files.
const headLimit = 1 << 20

// dimKey identifies one version of a file for the dimension cache.
type dimKey struct {
	name    string
	size    int64
	modTime int64 // UnixNano
}

type dims struct{ width, height int }

// List returns the photos in the album, newest first. Photos named by Save
// are ordered by the time in their name (and their "-N" suffix), others by
// their modification time. It skips everything that is not a visible,
// regular JPEG file with a valid name (see ValidName): temp files, the
// trash, hidden files, other files, directories and symlinks. Names with
// control characters or invalid UTF-8 are listed as they are.
//
// Dimensions are read from each file's JPEG header once and cached while
// the file's name, size and modification time stay the same. A photo
// directory that does not exist (any more) lists as empty.
func (a *Album) List() ([]Photo, error) {
	photos, err := a.list()
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	return photos, nil
}

func (a *Album) list() ([]Photo, error) {
	root, entries, err := a.readDir(".")
	if root == nil || err != nil {
		return nil, err
	}

	a.dimsMu.Lock()
	cache := a.dims
	a.dimsMu.Unlock()
	next := make(map[dimKey]dims, len(entries))

	photos := make([]Photo, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || ValidName(name) != nil {
			continue
		}
		// In a Root, ReadDir has already lstat'ed each entry, relative to
		// the directory; Info returns that.
		fi, err := e.Info()
		if err != nil {
			continue // removed since ReadDir
		}
		p := Photo{Name: name, Size: fi.Size(), ModTime: fi.ModTime()}
		key := dimKey{name, p.Size, p.ModTime.UnixNano()}
		d, ok := cache[key]
		if !ok {
			d, ok = readDims(root, name)
		}
		if ok {
			next[key] = d
		}
		p.Width, p.Height = d.width, d.height
		photos = append(photos, p)
	}

	a.dimsMu.Lock()
	a.dims = next // dropping the entries of files that are gone
	a.dimsMu.Unlock()

	sortNewestFirst(photos)
	return photos, nil
}

// readDir lists the folder sub of the photo directory ("." for the
// directory itself) and returns the root it read it from. A photo
// directory that does not exist (any more) gives a nil root; a folder in
// it that does not exist lists as empty.
func (a *Album) readDir(sub string) (*os.Root, []os.DirEntry, error) {
	root, err := a.openRoot(false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	d, err := root.Open(sub)
	if errors.Is(err, fs.ErrNotExist) {
		return root, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	entries, err := d.ReadDir(-1)
	_ = d.Close() // read-only; ReadDir's error is the one that matters
	if err != nil {
		return nil, nil, err
	}
	return root, entries, nil
}

// readDims reads the dimensions of the JPEG file name from its header.
// It returns zeros for a file that is not a readable JPEG, reporting false
// if the file could not be opened as a regular file (it may have been
// replaced since it was listed), so the result is not worth caching.
func readDims(root *os.Root, name string) (dims, bool) {
	f, _, err := regularfile.Open(root, name)
	if err != nil {
		return dims{}, false
	}
	defer f.Close() // read-only
	cfg, err := jpeg.DecodeConfig(bufio.NewReader(io.LimitReader(f, headLimit)))
	if err != nil {
		return dims{}, true
	}
	return dims{cfg.Width, cfg.Height}, true
}

// sortNewestFirst sorts photos by the time in their Save-made names or else
// their modification time, newest first.
func sortNewestFirst(photos []Photo) {
	type keyed struct {
		t time.Time
		n int // the "-N" suffix of a Save-made name
		p Photo
	}
	ks := make([]keyed, len(photos))
	for i, p := range photos {
		t, n, ok := parsePhotoName(p.Name)
		if !ok {
			t, n = p.ModTime, 0
		}
		ks[i] = keyed{t, n, p}
	}
	slices.SortFunc(ks, func(x, y keyed) int {
		return cmp.Or(y.t.Compare(x.t), cmp.Compare(y.n, x.n), cmp.Compare(y.p.Name, x.p.Name))
	})
	for i, k := range ks {
		photos[i] = k.p
	}
}

// Read returns the content of the photo name. It refuses invalid names
// (see ValidName), anything but a regular file in the photo directory, and
// files larger than MaxPhotoSize.
func (a *Album) Read(name string) ([]byte, error) {
	data, err := a.read(name)
	if err != nil {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	return data, nil
}

func (a *Album) read(name string) ([]byte, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	root, err := a.openRoot(false)
	if err != nil {
		return nil, err
	}
	// The Lstat refuses symlinks, which regularfile would follow.
	if err := checkRegular(root, name); err != nil {
		return nil, err
	}
	return regularfile.ReadAll(root, name, MaxPhotoSize, ErrTooLarge)
}

// checkRegular returns an error unless name in root is a regular file
// (a symlink is not).
func checkRegular(root *os.Root, name string) error {
	fi, err := root.Lstat(name)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", name)
	}
	return nil
}
