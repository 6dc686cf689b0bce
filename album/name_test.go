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

	// Hostile to a terminal, but harmless for file access: allowed, so that
	// such a photo can be listed and deleted. Showing it safely is up to
	// the caller.
	{"\x1b]0;title\x07.jpg", true}, // OSC: set the window title
	{"\x1b]0;pwned\x07.jpg", true},
	{"\x1b[2J\x1b[H.jpg", true}, // clear the screen, cursor home
	{"a\n.jpg", true},
	{"new\nline.jpg", true},
	{"a\r.jpg", true},
	{"a\t.jpg", true},
	{"a\x07.jpg", true},
	{"a\x7f.jpg", true},
	{"a\u009b2J.jpg", true},        // C1 CSI
	{"a\u202egpj.exe.jpg", true},   // bidi override
	{"a\u202eb.jpg", true},         // bidi override
	{"a\u200b.jpg", true},          // zero width space
	{"a\u2028.jpg", true},          // line separator
	{"\ufeff.jpg", true},           // byte order mark
	{"\xff\xfe.jpg", true},         // invalid UTF-8
	{"bad\xff\xfe.jpg", true},      // invalid UTF-8
	{"\xc0\xae\xc0\xae.jpg", true}, // overlong "..": bytes, not dots
	{"\xe6\x97.jpg", true},         // truncated UTF-8 sequence
	{"\x1b.JPEG", true},
	{" .jpg", true},
	{"-rf.jpg", true},
	{"~.jpg", true},
	{strings.Repeat("\xff", 251) + ".jpg", true},   // 255 bytes
	{strings.Repeat("\u202e", 83) + ".jpeg", true}, // 254 bytes

	{"", false},
	{".", false},
	{"..", false},
	{"a/b.jpg", false},
	{"/etc/x.jpg", false},
	{`a\b.jpg`, false},
	{"../a.jpg", false},
	{"a/../b.jpg", false},
	{"..\\a.jpg", false},
	{"a..jpg", false},
	{".hidden.jpg", false},
	{".jpg", false},
	{".tmp-abc.jpg", false},
	{".trash", false},
	{"a.jpg/", false},
	{"a\x00.jpg", false},
	{"\x00", false},
	{"a.jpg\x00", false},
	{"\x00.jpg", false},
	{".\x1b[2J.jpg", false},                       // hidden, however hostile
	{"\x1b/../x.jpg", false},                      // separator and ".."
	{"\x1b]0;x\x07/y.jpg", false},                 // separator
	{"\xff\\x.jpg", false},                        // separator
	{"\xff..jpg", false},                          // ".."
	{"\x1b\x00.jpg", false},                       // NUL
	{"\x1b[2J.png", false},                        // not a JPEG
	{"a.jpg\x1b", false},                          // not a JPEG
	{"a.jpg\n", false},                            // not a JPEG
	{"a.jp\u200bg", false},                        // not a JPEG
	{strings.Repeat("a", 252) + ".jpg", false},    // 256 bytes
	{strings.Repeat("é", 200) + ".jpg", false},    // 404 bytes
	{strings.Repeat("\xff", 252) + ".jpg", false}, // 256 bytes
	{strings.Repeat("\x1b", 300) + ".jpg", false}, // 304 bytes
	{"a.png", false},
	{"a.jpg.txt", false},
	{"a.jpgx", false},
	{"jpg", false},
	{"a", false},
}

// unsafeToShow reports whether s holds anything a terminal could act on:
// control or format characters, line or paragraph separators, or invalid
// UTF-8.
func unsafeToShow(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
	})
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
		if msg := err.Error(); unsafeToShow(msg) {
			t.Errorf("ValidName(%q): message %q is not safe to show", tt.name, msg)
		}
	}
}

// wantValid is ValidName's rule, written out independently.
func wantValid(name string) bool {
	lower := strings.ToLower(name)
	return name != "" &&
		len(name) <= maxNameLen &&
		!strings.ContainsAny(name, "/\\\x00") &&
		!strings.Contains(name, "..") &&
		name[0] != '.' &&
		(strings.HasSuffix(lower, ".jpg") || strings.HasSuffix(lower, ".jpeg"))
}

func FuzzValidName(f *testing.F) {
	for _, tt := range nameTests {
		f.Add(tt.name)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidName(name)
		if want := wantValid(name); (err == nil) != want {
			t.Fatalf("ValidName(%q) = %v, want valid: %v", name, err, want)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidName) || unsafeToShow(err.Error()) {
				t.Fatalf("ValidName(%q) = %q: not ErrInvalidName or not safe to show", name, err)
			}
			return
		}
		lower := strings.ToLower(name)
		switch {
		case filepath.Base(name) != name || !filepath.IsLocal(name):
			t.Errorf("accepted %q, which is not a plain base name", name)
		case strings.Contains(name, ".."):
			t.Errorf("accepted %q, which contains ..", name)
		case strings.ContainsAny(name, `/\`):
			t.Errorf("accepted %q, which contains a separator", name)
		case strings.IndexByte(name, 0) >= 0:
			t.Errorf("accepted %q, which contains a NUL byte", name)
		case strings.HasPrefix(name, "."):
			t.Errorf("accepted %q, which is hidden", name)
		case len(name) > maxNameLen:
			t.Errorf("accepted %q, longer than %d bytes", name, maxNameLen)
		case !strings.HasSuffix(lower, ".jpg") && !strings.HasSuffix(lower, ".jpeg"):
			t.Errorf("accepted %q, which does not end in .jpg or .jpeg", name)
		}
		checkTrashName(t, name, at)
	})
}

// checkTrashName checks that the trash name for the valid photo name,
// deleted at at, is a plain file name in the trash folder that parses back
// to at.
func checkTrashName(t *testing.T, name string, at time.Time) {
	t.Helper()
	trash := trashName(name, at)
	prefix := at.UTC().Format(trashLayout) + "_"
	rest, ok := strings.CutPrefix(trash, prefix)
	switch {
	case len(trash) > maxNameLen:
		t.Errorf("trashName(%q) = %q: longer than %d bytes", name, trash, maxNameLen)
	case !ok || rest == "" || !strings.HasPrefix(name, rest):
		t.Errorf("trashName(%q) = %q: not the time prefix and the start of the name", name, trash)
	case len(name) <= maxNameLen-len(prefix) && rest != name:
		t.Errorf("trashName(%q) = %q: shortened a name that fits", name, trash)
	case filepath.Base(trash) != trash || !filepath.IsLocal(trash) ||
		strings.ContainsAny(trash, "/\\\x00") || strings.Contains(trash, ".."):
		t.Errorf("trashName(%q) = %q: not a plain file name", name, trash)
	case filepath.Join(trashDir, trash) != trashDir+"/"+trash:
		t.Errorf("trashName(%q) = %q: leaves the trash folder", name, trash)
	case utf8.ValidString(name) && !utf8.ValidString(trash):
		t.Errorf("trashName(%q) = %q: made a valid UTF-8 name invalid", name, trash)
	}
	if got, ok := parseTrashName(trash); !ok || !got.Equal(at) {
		t.Errorf("parseTrashName(%q) = %v, %v; want %v", trash, got, ok, at)
	}
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
	names := []string{"a.jpg", strings.Repeat("é", 125) + ".jpg"} // 254 bytes, shortened in the trash
	for _, tt := range nameTests {
		if tt.ok {
			names = append(names, tt.name)
		}
	}
	names = append(names,
		// Long hostile names, shortened in the trash.
		strings.Repeat("\x1b]0;pwned\x07", 20)+".jpg",
		strings.Repeat("\xff", 240)+"\xe6\x97\xa5.jpg",
		strings.Repeat("a", 226)+"\xe6\x97\xa5\xe6\x97.jpg",
		strings.Repeat("\u202e", 83)+".jpg",
		strings.Repeat("x", 227)+"\u202e.jpg",
	)
	for _, name := range names {
		if err := ValidName(name); err != nil {
			t.Fatal(err)
		}
		checkTrashName(t, name, at)
		// Every time a Delete can record, including its nanosecond bumps,
		// survives the name.
		for _, at := range []time.Time{
			at.Add(time.Nanosecond),
			at.Add(999 * time.Nanosecond),
			time.Date(1999, 12, 31, 23, 59, 59, 999_999_999, time.FixedZone("x", 5*3600)),
		} {
			if got, ok := parseTrashName(trashName(name, at)); !ok || !got.Equal(at) {
				t.Errorf("parseTrashName(trashName(%q, %v)) = %v, %v", name, at, got, ok)
			}
		}
	}
	// Trash names not made by trashName are not taken for ones.
	for _, trash := range []string{
		"",
		"x.jpg",
		"\x1b]0;pwned\x07.jpg",
		"20260102T030405.000000006Z",
		"20260102T030405.000000006Z_",
		"20260102T030405.000000006Zx\x1b.jpg",
		"\x1b0260102T030405.000000006Z_a.jpg",
		"20260102T030405.000000006_a.jpg",
	} {
		if at, ok := parseTrashName(trash); ok {
			t.Errorf("parseTrashName(%q) = %v, true; want false", trash, at)
		}
	}
}
