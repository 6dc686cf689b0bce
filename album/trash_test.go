package album

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// saveN saves n distinct photos a second apart and returns them with their
// data.
func saveN(t *testing.T, a *Album, n int) ([]Photo, [][]byte) {
	t.Helper()
	var photos []Photo
	var datas [][]byte
	for i := range n {
		data := makeJPEG(t, 8, 8, i)
		p, err := a.Save(data, when.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		photos, datas = append(photos, p), append(datas, data)
	}
	return photos, datas
}

func TestDeleteAndUndo(t *testing.T) {
	a, dir := openTest(t)
	photos, datas := saveN(t, a, 3)
	first, second := photos[0].Name, photos[1].Name

	if err := a.Delete(first); err != nil {
		t.Fatal(err)
	}
	if got := names(mustList(t, a)); slices.Contains(got, first) || len(got) != 2 {
		t.Errorf("after Delete(%s), List = %q", first, got)
	}
	trash := dirNames(t, filepath.Join(dir, trashDir))
	if len(trash) != 1 || !strings.HasSuffix(trash[0], "_"+first) {
		t.Errorf("trash holds %q, want one file named after %s", trash, first)
	}
	if fi, err := os.Stat(filepath.Join(dir, trashDir)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("trash folder: %v, %v; want mode 0700", fi.Mode(), err)
	}

	if err := a.Delete(second); err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{1, 0} { // the most recent delete first
		name, err := a.Undo()
		if err != nil {
			t.Fatal(err)
		}
		if name != photos[want].Name {
			t.Errorf("Undo restored %s, want %s", name, photos[want].Name)
		}
		got, err := a.Read(name)
		if err != nil || !bytes.Equal(got, datas[want]) {
			t.Errorf("restored %s: %v, or bytes differ", name, err)
		}
	}
	if got := names(mustList(t, a)); len(got) != 3 {
		t.Errorf("after undoing both, List = %q", got)
	}
	if got := dirNames(t, filepath.Join(dir, trashDir)); len(got) != 0 {
		t.Errorf("trash still holds %q", got)
	}
	if _, err := a.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("third Undo = %v, want ErrNothingToUndo", err)
	}
}

func TestUndoNameTakenAgain(t *testing.T) {
	a, dir := openTest(t)
	photos, _ := saveN(t, a, 1)
	name := photos[0].Name
	if err := a.Delete(name); err != nil {
		t.Fatal(err)
	}
	newer := makeJPEG(t, 8, 8, 99)
	write(t, dir, name, newer, time.Time{})

	_, err := a.Undo()
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Undo onto a taken name = %v, want fs.ErrExist", err)
	}
	if got, _ := a.Read(name); !bytes.Equal(got, newer) {
		t.Error("Undo replaced the file that took the name")
	}
	if got := dirNames(t, filepath.Join(dir, trashDir)); len(got) != 1 {
		t.Errorf("the deleted photo should stay in the trash; trash holds %q", got)
	}
	if _, err := a.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("next Undo = %v, want ErrNothingToUndo", err)
	}
}

func TestDeleteRefuses(t *testing.T) {
	a, dir := openTest(t)
	photos, _ := saveN(t, a, 1)
	if err := os.Symlink(photos[0].Name, filepath.Join(dir, "link.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "dir.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want error // nil: any error
	}{
		{"../x.jpg", ErrInvalidName},
		{".trash", ErrInvalidName},
		{"missing.jpg", fs.ErrNotExist},
		{"link.jpg", nil},
		{"dir.jpg", nil},
	}
	for _, tt := range tests {
		err := a.Delete(tt.name)
		if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("Delete(%q) = %v, want error %v", tt.name, err, tt.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "delete photo: ") {
			t.Errorf("error %q lacks context", err)
		}
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{photos[0].Name, "dir.jpg", "link.jpg"}) {
		t.Errorf("directory holds %q after refused deletes", got)
	}
}

func TestEmptyTrash(t *testing.T) {
	a, dir := openTest(t)
	photos, _ := saveN(t, a, 3)
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	deleteAt := func(name string, at time.Time) {
		t.Helper()
		a.now = func() time.Time { return at }
		if err := a.Delete(name); err != nil {
			t.Fatal(err)
		}
	}
	deleteAt(photos[0].Name, t0)
	deleteAt(photos[1].Name, t0.Add(2*time.Hour))
	deleteAt(photos[2].Name, t0.Add(2*time.Hour)) // same instant: still distinct trash files
	write(t, filepath.Join(dir, trashDir), "not-ours.jpg", []byte("x"), time.Time{})

	a.now = func() time.Time { return t0.Add(3 * time.Hour) }
	tests := []struct {
		olderThan time.Duration
		removed   int
		left      int
	}{
		{4 * time.Hour, 0, 4},
		{90 * time.Minute, 1, 3}, // photos[0], deleted 3 h ago
		{0, 2, 1},                // the rest but the foreign file
	}
	for _, tt := range tests {
		n, err := a.EmptyTrash(tt.olderThan)
		if err != nil {
			t.Fatal(err)
		}
		left := dirNames(t, filepath.Join(dir, trashDir))
		if n != tt.removed || len(left) != tt.left {
			t.Errorf("EmptyTrash(%v) = %d, leaving %q; want %d removed, %d left", tt.olderThan, n, left, tt.removed, tt.left)
		}
		if tt.olderThan == 90*time.Minute {
			// The photos still in the trash can be undone; the emptied one is
			// no longer on the undo list.
			if name, err := a.Undo(); err != nil || name != photos[2].Name {
				t.Errorf("Undo = %q, %v; want %s", name, err, photos[2].Name)
			}
			if err := a.Delete(photos[2].Name); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := a.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("Undo after emptying = %v, want ErrNothingToUndo", err)
	}
}

func TestEmptyTrashWithoutTrash(t *testing.T) {
	a, _ := openTest(t)
	if n, err := a.EmptyTrash(0); n != 0 || err != nil {
		t.Errorf("EmptyTrash with no trash = %d, %v", n, err)
	}
}

// Trash lists what Delete put there, newest first; Restore brings one back
// by its trash name, byte for byte, and takes it off the undo list; bad
// trash names are refused and lose nothing.
func TestTrashAndRestore(t *testing.T) {
	a, dir := openTest(t)
	photos, datas := saveN(t, a, 3)
	for _, p := range photos[:2] {
		if err := a.Delete(p.Name); err != nil {
			t.Fatal(err)
		}
	}
	trash, err := a.Trash()
	if err != nil {
		t.Fatal(err)
	}
	if len(trash) != 2 || trash[0].Name != photos[1].Name || trash[1].Name != photos[0].Name {
		t.Fatalf("Trash = %+v, want %s then %s", trash, photos[1].Name, photos[0].Name)
	}
	if trash[1].Size != int64(len(datas[0])) {
		t.Errorf("trash size %d, want %d", trash[1].Size, len(datas[0]))
	}
	for _, tc := range []struct{ name, trash string }{
		{"empty", ""},
		{"a path", "../" + trash[0].Trash},
		{"not a trash name", photos[2].Name},
		{"gone", "20260101T000000.000000000Z_nothing.jpg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.Restore(tc.trash); err == nil {
				t.Errorf("Restore(%q) succeeded", tc.trash)
			}
		})
	}
	name, err := a.Restore(trash[1].Trash) // the older delete
	if err != nil {
		t.Fatal(err)
	}
	if name != photos[0].Name {
		t.Errorf("Restore gave %s, want %s", name, photos[0].Name)
	}
	if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, datas[0]) {
		t.Errorf("restored photo differs: %v", err)
	}
	// Undo now brings back only the other delete.
	if name, err := a.Undo(); err != nil || name != photos[1].Name {
		t.Errorf("Undo = %s, %v; want %s", name, err, photos[1].Name)
	}
	if _, err := a.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("second Undo: %v, want ErrNothingToUndo", err)
	}
	if trash, err := a.Trash(); err != nil || len(trash) != 0 {
		t.Errorf("Trash after restoring all = %+v, %v", trash, err)
	}
}
