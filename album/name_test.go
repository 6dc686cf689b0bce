package album

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

var nameTests = []struct {
	name string
	ok   bool
}{
	{"a.jpg", true},
	{"2026-03-14_15-09-26.535.jpg", true},
	{"2026-03-14_15-09-26.535-2.jpg", true},
	{"IMG_0001.JPG", true},
	{"holiday photo.jpeg", true},
	{"x.JpEg", true},
	{"a.b.jpg", true},
	{"日本の写真.jpg", true},
	{strings.Repeat("a", 251) + ".jpg", true}, // 255 bytes

	{"", false},
	{".", false},
	{"..", false},
	{"a/b.jpg", false},
	{"/etc/x.jpg", false},
	{`a\b.jpg`, false},
	{"../a.jpg", false},
	{"a/../b.jpg", false},
	{"a..jpg", false},
	{".hidden.jpg", false},
	{".jpg", false},
	{".tmp-abc.jpg", false},
	{"a.jpg/", false},
	{"\x1b]0;title\x07.jpg", false},
	{"a\x00.jpg", false},
	{"a\n.jpg", false},
	{"a\r.jpg", false},
	{"a\t.jpg", false},
	{"a\x7f.jpg", false},
	{"a\u009b2J.jpg", false},                   // C1 CSI
	{"a\u202egpj.exe.jpg", false},              // bidi override
	{"a\u200b.jpg", false},                     // zero width space
	{"a\u2028.jpg", false},                     // line separator
	{"\xff\xfe.jpg", false},                    // invalid UTF-8
	{strings.Repeat("a", 252) + ".jpg", false}, // 256 bytes
	{strings.Repeat("é", 200) + ".jpg", false}, // 404 bytes
	{"a.png", false},
	{"a.jpg.txt", false},
	{"a.jpgx", false},
	{"jpg", false},
	{"a", false},
}

func TestValidName(t *testing.T) {
	for _, tt := range nameTests {
		err := ValidName(tt.name)
		if tt.ok {
			if err != nil {
				t.Errorf("ValidName(%q) = %v, want nil", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidName(%q) = %v, want an error matching ErrInvalidName", tt.name, err)
			continue
		}
		// The message is meant to be shown: it must not carry the raw name's
		// control characters.
		if msg := err.Error(); strings.ContainsFunc(msg, isControl) || !utf8.ValidString(msg) {
			t.Errorf("ValidName(%q): message %q is not safe to show", tt.name, msg)
		}
	}
}

func FuzzValidName(f *testing.F) {
	for _, tt := range nameTests {
		f.Add(tt.name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidName(name) != nil {
			return
		}
		switch {
		case filepath.Base(name) != name || !filepath.IsLocal(name):
			t.Errorf("accepted %q, which is not a plain base name", name)
		case strings.Contains(name, ".."):
			t.Errorf("accepted %q, which contains ..", name)
		case strings.ContainsAny(name, `/\`):
			t.Errorf("accepted %q, which contains a separator", name)
		case strings.ContainsFunc(name, unicode.IsControl):
			t.Errorf("accepted %q, which contains a control character", name)
		case strings.HasPrefix(name, "."):
			t.Errorf("accepted %q, which is hidden", name)
		case len(name) > maxNameLen || !utf8.ValidString(name):
			t.Errorf("accepted %q, too long or not UTF-8", name)
		}
	})
}

func TestPhotoNameRoundTrip(t *testing.T) {
	for _, n := range []int{1, 2, 10, 123} {
		name := photoName(when, n)
		if err := ValidName(name); err != nil {
			t.Fatal(err)
		}
		got, gotN, ok := parsePhotoName(name)
		if !ok || !got.Equal(when) || gotN != n {
			t.Errorf("parsePhotoName(%q) = %v, %d, %v; want %v, %d, true", name, got, gotN, ok, when, n)
		}
	}
	if got := photoName(when, 1); got != "2026-03-14_15-09-26.535.jpg" {
		t.Errorf("photoName = %q", got)
	}
	for _, name := range []string{"a.jpg", "2026-03-14_15-09-26.535-1.jpg", "2026-03-14_15-09-26.535-x.jpg", "2026-13-14_15-09-26.535.jpg"} {
		if _, _, ok := parsePhotoName(name); ok {
			t.Errorf("parsePhotoName(%q) accepted it", name)
		}
	}
}

func TestTrashNameRoundTrip(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, name := range []string{"a.jpg", strings.Repeat("é", 127) + ".jpg"} {
		trash := trashName(name, at)
		if len(trash) > maxNameLen || !utf8.ValidString(trash) {
			t.Errorf("trashName(%q) = %q: too long or not UTF-8", name, trash)
		}
		got, ok := parseTrashName(trash)
		if !ok || !got.Equal(at) {
			t.Errorf("parseTrashName(%q) = %v, %v; want %v", trash, got, ok, at)
		}
	}
}
