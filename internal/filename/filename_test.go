package filename

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var errTest = errors.New("invalid test name")

var checkTests = []struct {
	name string
	exts []string
	why  string // "" for valid
}{
	{"a.jpg", []string{".jpg", ".jpeg"}, ""},
	{"A.JPEG", []string{".jpg", ".jpeg"}, ""},
	{"todo.Md", []string{".md"}, ""},
	{"a.b.md", []string{".md"}, ""},
	{"\x1b]0;title\x07.md", []string{".md"}, ""},
	{"bad\xff.md", []string{".md"}, ""},
	{"gnp\u202e.md", []string{".md"}, ""},
	{strings.Repeat("a", 252) + ".md", []string{".md"}, ""},
	{"", []string{".md"}, "empty"},
	{"dir/a.md", []string{".md"}, "contains a path separator"},
	{`dir\a.md`, []string{".md"}, "contains a path separator"},
	{"../a.md", []string{".md"}, "contains a path separator"},
	{"a..md", []string{".md"}, `contains ".."`},
	{"..", []string{".md"}, `contains ".."`},
	{"a\x00.md", []string{".md"}, "contains a NUL byte"},
	{".hidden.md", []string{".md"}, "starts with a dot"},
	{".md", []string{".md"}, "starts with a dot"},
	{"a.png", []string{".jpg", ".jpeg"}, "does not end in .jpg or .jpeg"},
	{"a.md ", []string{".md"}, "does not end in .md"},
	{"a.jpg\x1b", []string{".jpg"}, "does not end in .jpg"},
	{strings.Repeat("a", 253) + ".md", []string{".md"}, "(256 bytes): longer than 255 bytes"},
}

// unsafeToShow reports whether s holds anything a terminal could act on.
func unsafeToShow(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
	})
}

func TestCheck(t *testing.T) {
	for _, tt := range checkTests {
		err := Check(tt.name, errTest, tt.exts...)
		if tt.why == "" {
			if err != nil {
				t.Errorf("Check(%q, %q) = %v, want nil", tt.name, tt.exts, err)
			}
			continue
		}
		switch {
		case !errors.Is(err, errTest):
			t.Errorf("Check(%q, %q) = %v, want an error matching the given one", tt.name, tt.exts, err)
		case !strings.HasSuffix(err.Error(), tt.why):
			t.Errorf("Check(%q, %q) = %q, want it to end in %q", tt.name, tt.exts, err, tt.why)
		case unsafeToShow(err.Error()):
			t.Errorf("Check(%q, %q): message %q is not safe to show", tt.name, tt.exts, err)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, tt := range checkTests {
		f.Add(tt.name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := Check(name, errTest, ".md")
		want := name != "" && len(name) <= MaxLen &&
			!strings.ContainsAny(name, "/\\\x00") && !strings.Contains(name, "..") &&
			name[0] != '.' && strings.HasSuffix(strings.ToLower(name), ".md")
		if (err == nil) != want {
			t.Fatalf("Check(%q) = %v, want valid: %v", name, err, want)
		}
		if err != nil {
			if !errors.Is(err, errTest) || unsafeToShow(err.Error()) {
				t.Fatalf("Check(%q) = %q: not the given error or not safe to show", name, err)
			}
			return
		}
		if filepath.Base(name) != name || !filepath.IsLocal(name) {
			t.Fatalf("accepted %q, which is not a plain base name", name)
		}
	})
}
