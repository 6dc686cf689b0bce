package album

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// hostileNames are photo names that would act on a terminal if printed raw,
// or are not valid UTF-8. They name files a user may copy into the photo
// directory, which the album must list and let be read and deleted.
var hostileNames = []string{
	"\x1b]0;pwned\x07.jpg", // OSC: set the window title
	"\x1b[2J\x1b[H.jpg",    // clear the screen, cursor home
	"bad\xff\xfe.jpg",      // invalid UTF-8
	"new\nline.jpg",
	"a\u202eb.jpg", // bidi override
}

// writeHostile writes a small JPEG under each hostile name into dir, each
// of other dimensions, and returns the data by name.
func writeHostile(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	datas := make(map[string][]byte)
	for i, name := range hostileNames {
		datas[name] = makeJPEG(t, 10+i, 20+i, i)
		write(t, dir, name, datas[name], time.Time{})
	}
	// The names are on disk byte for byte.
	want := slices.Clone(hostileNames)
	slices.Sort(want)
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("directory holds %q, want %q", got, want)
	}
	return datas
}

func TestHostileNames(t *testing.T) {
	a, dir := openTest(t)
	datas := writeHostile(t, dir)

	photos := mustList(t, a)
	if len(photos) != len(hostileNames) {
		t.Errorf("List = %q, want the %d hostile names", names(photos), len(hostileNames))
	}
	for _, p := range photos {
		i := slices.Index(hostileNames, p.Name)
		if i < 0 {
			t.Errorf("List returned %q, not one of the names written", p.Name)
			continue
		}
		if p.Width != 10+i || p.Height != 20+i || p.Size != int64(len(datas[p.Name])) {
			t.Errorf("%q: %d×%d, %d bytes; want %d×%d, %d bytes",
				p.Name, p.Width, p.Height, p.Size, 10+i, 20+i, len(datas[p.Name]))
		}
	}
	for _, name := range hostileNames {
		got, err := a.Read(name)
		if err != nil || !bytes.Equal(got, datas[name]) {
			t.Errorf("Read(%q) = %d bytes, %v; want the file's %d bytes", name, len(got), err, len(datas[name]))
		}
	}

	// Delete each, all in one instant: each gets its own trash file, named
	// after it, from which the deletion time parses back.
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return t0 }
	for _, name := range hostileNames {
		if err := a.Delete(name); err != nil {
			t.Fatalf("Delete(%q): %v", name, err)
		}
	}
	if got := mustList(t, a); len(got) != 0 {
		t.Errorf("after deleting all, List = %q", names(got))
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{trashDir}) {
		t.Errorf("after deleting all, directory holds %q", got)
	}
	trash := dirNames(t, filepath.Join(dir, trashDir))
	if len(trash) != len(hostileNames) {
		t.Errorf("trash holds %q, want %d files", trash, len(hostileNames))
	}
	for _, name := range hostileNames {
		want := trashName(name, t0)
		if !slices.Contains(trash, want) {
			t.Errorf("trash holds %q, not %q for %q", trash, want, name)
		}
		if at, ok := parseTrashName(want); !ok || !at.Equal(t0) {
			t.Errorf("parseTrashName(%q) = %v, %v; want %v", want, at, ok, t0)
		}
		got, err := os.ReadFile(filepath.Join(dir, trashDir, want))
		if err != nil || !bytes.Equal(got, datas[name]) {
			t.Errorf("trash file for %q: %v, or bytes differ", name, err)
		}
	}

	// Undo brings them back, most recent first, with the same bytes.
	for i := len(hostileNames) - 1; i >= 0; i-- {
		name, err := a.Undo()
		if err != nil {
			t.Fatal(err)
		}
		if name != hostileNames[i] {
			t.Errorf("Undo restored %q, want %q", name, hostileNames[i])
		}
		got, err := a.Read(name)
		if err != nil || !bytes.Equal(got, datas[name]) {
			t.Errorf("restored %q: %v, or bytes differ", name, err)
		}
	}
	if got := mustList(t, a); len(got) != len(hostileNames) {
		t.Errorf("after undoing all, List = %q", names(got))
	}
	if got := dirNames(t, filepath.Join(dir, trashDir)); len(got) != 0 {
		t.Errorf("after undoing all, trash holds %q", got)
	}

	// EmptyTrash takes the deletion time from their trash names and removes
	// them, and they leave the undo list.
	for i, name := range hostileNames {
		a.now = func() time.Time { return t0.Add(time.Duration(i) * time.Hour) }
		if err := a.Delete(name); err != nil {
			t.Fatalf("Delete(%q): %v", name, err)
		}
	}
	a.now = func() time.Time { return t0.Add(10 * time.Hour) }
	if n, err := a.EmptyTrash(8 * time.Hour); n != 3 || err != nil { // deleted 10, 9 and 8 h ago
		t.Errorf("EmptyTrash(8h) = %d, %v; want 3, nil", n, err)
	}
	if got := dirNames(t, filepath.Join(dir, trashDir)); len(got) != 2 {
		t.Errorf("after EmptyTrash(8h), trash holds %q; want the last 2", got)
	}
	if name, err := a.Undo(); err != nil || name != hostileNames[4] {
		t.Errorf("Undo = %q, %v; want %q", name, err, hostileNames[4])
	}
	if n, err := a.EmptyTrash(0); n != 1 || err != nil {
		t.Errorf("EmptyTrash(0) = %d, %v; want 1, nil", n, err)
	}
	if got := dirNames(t, filepath.Join(dir, trashDir)); len(got) != 0 {
		t.Errorf("after EmptyTrash(0), trash holds %q", got)
	}
	if _, err := a.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("Undo after emptying = %v, want ErrNothingToUndo", err)
	}
	if got := names(mustList(t, a)); !slices.Equal(got, hostileNames[4:]) {
		t.Errorf("at the end, List = %q, want %q", got, hostileNames[4:])
	}
}

// TestHostileNamesConfined checks that a hostile name is still no way past
// the directory: symlinks and directories under such names are neither
// listed, nor read, nor deleted.
func TestHostileNamesConfined(t *testing.T) {
	a, dir := openTest(t)
	data := makeJPEG(t, 8, 8, 0)
	write(t, filepath.Dir(dir), "outside.jpg", data, time.Time{})
	write(t, dir, "a.jpg", data, time.Time{})
	links := map[string]string{
		"\x1b]0;pwned\x07.jpg": "/etc/passwd",
		"\x1b[2J\x1b[H.jpg":    "../outside.jpg",
		"bad\xff\xfe.jpg":      filepath.Join(filepath.Dir(dir), "outside.jpg"),
		"new\nline.jpg":        "a.jpg",
	}
	for link, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "a\u202eb.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := dirNames(t, dir)

	if got := names(mustList(t, a)); !slices.Equal(got, []string{"a.jpg"}) {
		t.Errorf("List = %q, want only a.jpg", got)
	}
	for _, name := range hostileNames {
		if data, err := a.Read(name); err == nil {
			t.Errorf("Read(%q) = %d bytes, want an error", name, len(data))
		}
		if err := a.Delete(name); err == nil {
			t.Errorf("Delete(%q) succeeded", name)
		}
	}
	if got := dirNames(t, dir); !slices.Equal(got, before) {
		t.Errorf("directory holds %q after refused deletes, want %q", got, before)
	}
	if got, err := os.ReadFile(filepath.Join(filepath.Dir(dir), "outside.jpg")); err != nil || !bytes.Equal(got, data) {
		t.Errorf("outside.jpg: %v, or bytes changed", err)
	}

	// Names that are still refused do not reach the file system.
	for _, name := range []string{"\x1b/../outside.jpg", "..\\x1b.jpg", "\x1b[2J\x00.jpg", ".\x1b.jpg"} {
		if _, err := a.Read(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Read(%q) = %v, want ErrInvalidName", name, err)
		}
		if err := a.Delete(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidName", name, err)
		}
	}
}

// TestHostileTrashNamesDoNotCollide deletes, in one instant, long names
// that the trash shortens to the same name, and a name whose trash name is
// already taken by a planted file: no trash file is replaced, and Undo
// brings back each photo with its own bytes.
func TestHostileTrashNamesDoNotCollide(t *testing.T) {
	a, dir := openTest(t)
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return t0 }

	stem := strings.Repeat("\x1b[2J\xff", 50) // 250 bytes
	var longs []string
	for _, tail := range []string{"\x07.jpg", "\n.jpg", "\u202e.jpg"[1:]} {
		longs = append(longs, stem[:255-len(tail)]+tail)
	}
	for _, name := range longs {
		if err := ValidName(name); err != nil {
			t.Fatal(err)
		}
		if trashName(name, t0) != trashName(longs[0], t0) {
			t.Fatalf("test names should share their trash name: %q, %q", trashName(name, t0), trashName(longs[0], t0))
		}
	}

	// A file planted in the trash under the name the next delete would use.
	planted := "\x1b]0;pwned\x07.jpg"
	if err := os.Mkdir(filepath.Join(dir, trashDir), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, trashDir), trashName(planted, t0), []byte("planted"), time.Time{})

	all := append(slices.Clone(longs), planted)
	datas := make(map[string][]byte)
	for i, name := range all {
		datas[name] = makeJPEG(t, 8, 8, i)
		write(t, dir, name, datas[name], time.Time{})
	}
	for _, name := range all {
		if err := a.Delete(name); err != nil {
			t.Fatalf("Delete(%q): %v", name, err)
		}
	}
	trash := dirNames(t, filepath.Join(dir, trashDir))
	if len(trash) != len(all)+1 {
		t.Errorf("trash holds %q, want %d files", trash, len(all)+1)
	}
	for _, tn := range trash {
		if _, ok := parseTrashName(tn); !ok {
			t.Errorf("trash name %q does not parse", tn)
		}
	}
	if got, err := os.ReadFile(filepath.Join(dir, trashDir, trashName(planted, t0))); err != nil || string(got) != "planted" {
		t.Errorf("planted trash file: %q, %v; it was replaced", got, err)
	}

	for i := len(all) - 1; i >= 0; i-- {
		name, err := a.Undo()
		if err != nil {
			t.Fatal(err)
		}
		if name != all[i] {
			t.Errorf("Undo restored %q, want %q", name, all[i])
		}
		if got, err := a.Read(name); err != nil || !bytes.Equal(got, datas[name]) {
			t.Errorf("restored %q: %v, or bytes differ", name, err)
		}
	}
	if got := dirNames(t, filepath.Join(dir, trashDir)); len(got) != 1 {
		t.Errorf("after undoing all, trash holds %q; want only the planted file", got)
	}
}

// TestChangedHostileName checks that a photo copied in under a hostile
// name wakes the waiters, as it changes what List returns.
func TestChangedHostileName(t *testing.T) {
	a, dir := openTest(t)
	ch := a.Changed()
	write(t, dir, hostileNames[0], makeJPEG(t, 8, 8, 0), time.Time{})
	awaitWake(t, ch, "copying in a hostile name")
	if got := names(mustList(t, a)); !slices.Equal(got, hostileNames[:1]) {
		t.Errorf("List = %q, want %q", got, hostileNames[:1])
	}
}
