package album

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"time"
	"unicode/utf8"

	"pistream/internal/atomicfile"
	"pistream/internal/filename"
)

// ErrNothingToUndo is matched by the error of Undo when no delete is left
// to undo.
var ErrNothingToUndo = errors.New("nothing to undo")

// trashDir is the trash folder inside the photo directory.
const trashDir = ".trash"

// trashLayout is the deletion time (UTC) that starts a trash file's name,
// followed by "_" and the photo's name.
const trashLayout = "20060102T150405.000000000Z"

// maxTrashTries bounds the nanosecond bumps Delete makes to find a free
// trash name.
const maxTrashTries = 1000

// deletion records one Delete for Undo.
type deletion struct {
	name  string // the photo's name
	trash string // its name in trashDir
}

// Delete moves the photo name into the trash folder ".trash" (created with
// mode 0700) under a name made of the deletion time and name, from where
// Undo can bring it back and EmptyTrash removes it.
func (a *Album) Delete(name string) error {
	if err := a.delete(name); err != nil {
		return fmt.Errorf("delete photo: %w", err)
	}
	a.watch.Touch(name)
	return nil
}

func (a *Album) delete(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	root, err := a.openRoot(false)
	if err != nil {
		return err
	}
	if err := checkRegular(root, name); err != nil {
		return err
	}
	if err := root.Mkdir(trashDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	at := a.now()
	for range maxTrashTries {
		trash := trashName(name, at)
		err := atomicfile.Move(root, name, filepath.Join(trashDir, trash))
		if errors.Is(err, fs.ErrExist) {
			at = at.Add(time.Nanosecond)
			continue
		}
		if err != nil {
			return err
		}
		a.undoMu.Lock()
		a.undo = append(a.undo, deletion{name, trash})
		a.undoMu.Unlock()
		return nil
	}
	return fmt.Errorf("%s: no free name in the trash", name)
}

// trashName returns the trash file name for the photo name deleted at at.
// Should the result be longer than a file name may be, name is shortened:
// Undo takes the photo's name from its own record, not from here. It cuts
// whole characters off the end, or single bytes where name is not valid
// UTF-8, so a valid UTF-8 name stays valid.
//
// For any name ValidName accepts the result is a plain file name: the fixed
// time prefix makes it neither "." nor "..", and it holds no separator, no
// ".." and no NUL, as name holds none. parseTrashName reads only the
// prefix, so whatever bytes follow cannot change the time it finds. Two
// deletes that yield the same trash name, such as of long names shortened
// to the same prefix, do not collide: Delete never replaces a trash file
// and moves on by a nanosecond instead.
func trashName(name string, at time.Time) string {
	prefix := at.UTC().Format(trashLayout) + "_"
	for len(prefix)+len(name) > maxNameLen {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return prefix + name
}

// parseTrashName returns the deletion time in a trash file name.
func parseTrashName(trash string) (time.Time, bool) {
	n := len(trashLayout)
	if len(trash) <= n+1 || trash[n] != '_' {
		return time.Time{}, false
	}
	at, err := time.Parse(trashLayout, trash[:n])
	return at, err == nil
}

// keptName is the photo's name as a trash file name (parseTrashName ok)
// keeps it: shortened when it was long, so the undo list's own record of
// the name comes first where there is one.
func keptName(trash string) string { return trash[len(trashLayout)+1:] }

// Undo brings back the most recently deleted photo that is still to be
// undone, whichever session of the program deleted it, and returns its
// name. It fails if there is nothing to undo (ErrNothingToUndo) or if the
// name has been taken again (an error matching fs.ErrExist): either way
// that delete is no longer on the undo list, and the photo stays in the
// trash.
func (a *Album) Undo() (string, error) {
	name, err := a.undoLast()
	if err != nil {
		return "", fmt.Errorf("undo delete: %w", err)
	}
	a.watch.Touch(name)
	return name, nil
}

func (a *Album) undoLast() (string, error) {
	a.undoMu.Lock()
	if len(a.undo) == 0 {
		a.undoMu.Unlock()
		return "", ErrNothingToUndo
	}
	d := a.undo[len(a.undo)-1]
	a.undo = a.undo[:len(a.undo)-1]
	a.undoMu.Unlock()

	root, err := a.openRoot(false)
	if err != nil {
		return "", err
	}
	trash := filepath.Join(trashDir, d.trash)
	if err := atomicfile.Move(root, trash, d.name); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("%s is taken again; the deleted photo stays in the trash as %s: %w", d.name, trash, err)
		}
		return "", err
	}
	return d.name, nil
}

// EmptyTrash removes from the trash the photos deleted olderThan or longer
// ago, and returns how many it removed; EmptyTrash(0) empties the trash.
// The deletion time is taken from the trash file's name, as a move keeps
// the modification time; files in the trash not named by Delete are left
// alone. Removed photos can no longer be undone.
func (a *Album) EmptyTrash(olderThan time.Duration) (int, error) {
	n, err := a.emptyTrash(olderThan)
	if err != nil {
		return n, fmt.Errorf("empty trash: %w", err)
	}
	return n, nil
}

func (a *Album) emptyTrash(olderThan time.Duration) (int, error) {
	root, err := a.openRoot(false)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	d, err := root.Open(trashDir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	names, err := d.Readdirnames(-1)
	_ = d.Close() // read-only; Readdirnames' error is the one that matters
	if err != nil {
		return 0, err
	}

	cutoff := a.now().Add(-olderThan)
	gone := make(map[string]bool) // trash names no longer there
	count := 0
	var errs []error
	for _, name := range names {
		at, ok := parseTrashName(name)
		if !ok || at.After(cutoff) {
			continue
		}
		err := root.Remove(filepath.Join(trashDir, name))
		switch {
		case err == nil:
			count++
		case !errors.Is(err, fs.ErrNotExist):
			errs = append(errs, err)
			continue
		}
		gone[name] = true
	}

	a.undoMu.Lock()
	a.undo = slices.DeleteFunc(a.undo, func(d deletion) bool { return gone[d.trash] })
	a.undoMu.Unlock()
	return count, errors.Join(errs...)
}

// Trashed is a photo in the trash.
type Trashed struct {
	// Name is the photo's name before it was deleted, which Restore gives
	// it back. Like Photo.Name it may hold control characters: sanitise
	// it before showing it.
	Name    string
	Trash   string    // its name in the trash folder, for Restore
	Deleted time.Time // when it was deleted
	Size    int64     // in bytes
}

// Trash lists the photos in the trash, the most recently deleted first.
// Files in the trash that Delete did not name are left out.
func (a *Album) Trash() ([]Trashed, error) {
	t, err := a.trash()
	if err != nil {
		return nil, fmt.Errorf("list trash: %w", err)
	}
	return t, nil
}

func (a *Album) trash() ([]Trashed, error) {
	_, entries, err := a.readDir(trashDir)
	if err != nil {
		return nil, err
	}
	a.undoMu.Lock()
	names := make(map[string]string, len(a.undo)) // trash name → photo name
	for _, u := range a.undo {
		names[u.trash] = u.name
	}
	a.undoMu.Unlock()
	var out []Trashed
	for _, e := range entries {
		at, ok := parseTrashName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed since ReadDir
		}
		name, ok := names[e.Name()]
		if !ok {
			name = keptName(e.Name())
		}
		out = append(out, Trashed{Name: name, Trash: e.Name(), Deleted: at, Size: fi.Size()})
	}
	slices.SortFunc(out, func(x, y Trashed) int { return y.Deleted.Compare(x.Deleted) })
	return out, nil
}

// Restore brings the photo whose trash name is trash (see Trashed) back
// under its old name and returns that name; it is then no longer on the
// undo list. It fails, leaving the photo in the trash, if trash names no
// photo Delete put there or if the old name is taken again (an error
// matching fs.ErrExist).
func (a *Album) Restore(trash string) (string, error) {
	name, err := a.restore(trash)
	if err != nil {
		return "", fmt.Errorf("restore photo: %w", err)
	}
	a.watch.Touch(name)
	return name, nil
}

func (a *Album) restore(trash string) (string, error) {
	// A trash name is a plain file name like a photo's, with any
	// extension (a long name is shortened in the trash).
	if err := filename.Check(trash, ErrInvalidName, filepath.Ext(trash)); err != nil {
		return "", err
	}
	if _, ok := parseTrashName(trash); !ok {
		return "", fmt.Errorf("%w %q: not a name in the trash", ErrInvalidName, trash)
	}
	a.undoMu.Lock()
	name := keptName(trash)
	at := slices.IndexFunc(a.undo, func(d deletion) bool { return d.trash == trash })
	if at >= 0 {
		name = a.undo[at].name
	}
	a.undoMu.Unlock()
	if err := ValidName(name); err != nil {
		return "", fmt.Errorf("%s cannot be restored under its shortened name: %w", trash, err)
	}
	root, err := a.openRoot(false)
	if err != nil {
		return "", err
	}
	if err := atomicfile.Move(root, filepath.Join(trashDir, trash), name); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("%s is taken again; the deleted photo stays in the trash: %w", name, err)
		}
		return "", err
	}
	a.undoMu.Lock()
	a.undo = slices.DeleteFunc(a.undo, func(d deletion) bool { return d.trash == trash })
	a.undoMu.Unlock()
	return name, nil
}
