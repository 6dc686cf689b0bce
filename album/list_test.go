package album

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// write writes data to dir/name, optionally with modification time mod.
func write(t testing.TB, dir, name string, data []byte, mod time.Time) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if !mod.IsZero() {
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
}

func TestListOrder(t *testing.T) {
	a, dir := openTest(t)
	data := makeJPEG(t, 8, 8, 0)
	for _, s := range []int{1, 3, 2} {
		if _, err := a.Save(data, when.Add(time.Duration(s)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	var burst []string // saved in one instant, newest last
	for range 11 {
		p, err := a.Save(data, when.Add(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		burst = append(burst, p.Name)
	}
	write(t, dir, "holiday.jpg", data, when.Add(4*time.Second))
	write(t, dir, "old.JPEG", data, when.Add(-time.Hour))

	want := slices.Clone(burst)
	slices.Reverse(want) // -11 before -10 before … -2 before the first
	want = append(want,
		"holiday.jpg",
		photoName(when.Add(3*time.Second), 1),
		photoName(when.Add(2*time.Second), 1),
		photoName(when.Add(1*time.Second), 1),
		"old.JPEG",
	)
	if got := names(mustList(t, a)); !slices.Equal(got, want) {
		t.Errorf("List order:\n got %q\nwant %q", got, want)
	}
}

func TestListSkipsNonPhotos(t *testing.T) {
	a, dir := openTest(t)
	data := makeJPEG(t, 8, 8, 0)
	outside := filepath.Join(filepath.Dir(dir), "outside.jpg")
	write(t, filepath.Dir(dir), "outside.jpg", data, time.Time{})

	write(t, dir, "a.jpg", data, time.Time{})
	write(t, dir, tempPrefix+"XYZ", data, time.Time{})
	write(t, dir, ".hidden.jpg", data, time.Time{})
	write(t, dir, "notes.txt", []byte("hi"), time.Time{})
	write(t, dir, ".\x1b[2J.jpg", data, time.Time{}) // hidden, however hostile
	write(t, dir, "\x1b[2J.png", data, time.Time{})
	for _, d := range []string{"sub.jpg", trashDir} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(dir, trashDir), "20260101T000000.000000000Z_b.jpg", data, time.Time{})
	for link, target := range map[string]string{
		"x.jpg":    "/etc/passwd",
		"up.jpg":   outside,
		"rel.jpg":  "../outside.jpg",
		"link.jpg": "a.jpg",
		// Hostile names are photo names now; symlinks still are not photos.
		"\x1b]0;pwned\x07.jpg": "/etc/passwd",
		"bad\xff.jpg":          "../outside.jpg",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(mustList(t, a)); !slices.Equal(got, []string{"a.jpg"}) {
		t.Errorf("List = %q, want only a.jpg", got)
	}
}

// hugeJPEG returns data with its frame header claiming w×h pixels.
func hugeJPEG(t *testing.T, data []byte, w, h uint16) []byte {
	t.Helper()
	data = slices.Clone(data)
	i := bytes.Index(data, []byte{0xFF, 0xC0}) // SOF0: length, precision, height, width
	if i < 0 || i+9 > len(data) {
		t.Fatal("no SOF0 marker")
	}
	data[i+5], data[i+6] = byte(h>>8), byte(h)
	data[i+7], data[i+8] = byte(w>>8), byte(w)
	return data
}

func TestListDimensions(t *testing.T) {
	a, dir := openTest(t)
	good := makeJPEG(t, 64, 48, 0)
	bigHead := []byte{0xFF, 0xD8}
	for range 40 { // 40 × 64 KiB of APP1 segments: past the head limit
		bigHead = append(bigHead, 0xFF, 0xE1, 0xFF, 0xFF)
		bigHead = append(bigHead, make([]byte, 0xFFFF-2)...)
	}
	bigHead = append(bigHead, good[2:]...)

	tests := []struct {
		name          string
		data          []byte
		width, height int
	}{
		{"wide.jpg", makeJPEG(t, 64, 16, 1), 64, 16},
		{"tall.jpeg", makeJPEG(t, 9, 33, 2), 9, 33},
		{"huge.jpg", hugeJPEG(t, good, 65000, 60000), 65000, 60000},
		{"truncated.jpg", good[:100], 0, 0},
		{"garbage.jpg", append([]byte{0xFF, 0xD8}, bytes.Repeat([]byte{0x42}, 5000)...), 0, 0},
		{"lying-length.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 1, 2, 3}, 0, 0},
		{"big-head.jpg", bigHead, 0, 0},
		{"empty.jpg", nil, 0, 0},
	}
	for _, tt := range tests {
		write(t, dir, tt.name, tt.data, time.Time{})
	}
	photos := mustList(t, a) // BenchmarkList10000 measures how long List takes
	byName := make(map[string]Photo)
	for _, p := range photos {
		byName[p.Name] = p
	}
	for _, tt := range tests {
		p, ok := byName[tt.name]
		switch {
		case !ok:
			t.Errorf("%s not listed", tt.name)
		case p.Width != tt.width || p.Height != tt.height:
			t.Errorf("%s: %d×%d, want %d×%d", tt.name, p.Width, p.Height, tt.width, tt.height)
		case p.Size != int64(len(tt.data)):
			t.Errorf("%s: size %d, want %d", tt.name, p.Size, len(tt.data))
		}
	}
}

func TestListCachesDimensions(t *testing.T) {
	a, dir := openTest(t)
	p, err := a.Save(makeJPEG(t, 16, 16, 0), when)
	if err != nil {
		t.Fatal(err)
	}
	check := func(stage string, w, h int) {
		t.Helper()
		photos := mustList(t, a)
		if len(photos) != 1 || photos[0].Width != w || photos[0].Height != h {
			t.Errorf("%s: List = %+v, want one %d×%d photo", stage, photos, w, h)
		}
	}
	check("first", 16, 16)

	// Same name, size and time: the cached dimensions stand, the file is
	// not read again.
	write(t, dir, p.Name, make([]byte, p.Size), p.ModTime)
	check("same size and time", 16, 16)

	// Another version of the file is read anew.
	write(t, dir, p.Name, makeJPEG(t, 32, 24, 1), time.Time{})
	check("new version", 32, 24)

	// Entries of files gone are dropped.
	if err := os.Remove(filepath.Join(dir, p.Name)); err != nil {
		t.Fatal(err)
	}
	photos := mustList(t, a)
	a.dimsMu.Lock()
	cached := len(a.dims)
	a.dimsMu.Unlock()
	if len(photos) != 0 || cached != 0 {
		t.Errorf("after removal: %d photos, %d cached dimensions; want 0, 0", len(photos), cached)
	}
}

func TestRead(t *testing.T) {
	a, dir := openTest(t)
	data := makeJPEG(t, 8, 8, 0)
	p, err := a.Save(data, when)
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.Read(p.Name)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("Read(%q) = %d bytes, %v; want the saved photo", p.Name, len(got), err)
	}

	write(t, filepath.Dir(dir), "outside.jpg", data, time.Time{})
	for link, target := range map[string]string{
		"x.jpg":    "/etc/passwd",
		"rel.jpg":  "../outside.jpg",
		"link.jpg": p.Name,
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "dir.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(dir, "big.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(MaxPhotoSize + 1); err != nil { // sparse
		t.Fatal(err)
	}
	big.Close()

	tests := []struct {
		name string
		want error // nil: any error
	}{
		{"../outside.jpg", ErrInvalidName},
		{"/etc/passwd", ErrInvalidName},
		{".trash", ErrInvalidName},
		{"missing.jpg", fs.ErrNotExist},
		{"big.jpg", ErrTooLarge},
		{"x.jpg", nil},
		{"rel.jpg", nil},
		{"link.jpg", nil},
		{"dir.jpg", nil},
	}
	for _, tt := range tests {
		data, err := a.Read(tt.name)
		if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("Read(%q) = %d bytes, %v; want error %v", tt.name, len(data), err, tt.want)
		}
	}
}

// BenchmarkList10000 lists an album of 10,000 small photos with the
// dimension cache warm. The first, cold List is reported as cold-ms.
func BenchmarkList10000(b *testing.B) {
	const n = 10000
	dir := b.TempDir()
	jpegs := [][]byte{makeJPEG(b, 32, 24, 0), makeJPEG(b, 24, 32, 1), makeJPEG(b, 16, 16, 2)}
	for i := range n {
		write(b, dir, photoName(when.Add(time.Duration(i)*time.Second), 1), jpegs[i%len(jpegs)], time.Time{})
	}
	a, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()

	start := time.Now()
	photos, err := a.List()
	if err != nil || len(photos) != n || photos[0].Width == 0 {
		b.Fatalf("List: %d photos, %v", len(photos), err)
	}
	cold := time.Since(start)

	b.ReportAllocs()
	for b.Loop() {
		if photos, err := a.List(); err != nil || len(photos) != n {
			b.Fatalf("List: %d photos, %v", len(photos), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(cold.Microseconds())/1000, "cold-ms") // after Loop, which resets metrics
}
