package notes

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pistream/internal/termtext"
)

// openTemp opens a notes directory "notes" inside a fresh temporary
// directory holding files (name → content), and returns it with the path
// of the temporary directory.
func openTemp(t *testing.T, files map[string]string) (*Dir, string) {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "notes")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d, base
}

// validNameTests are shared by TestValidName and the fuzz seed corpus.
var validNameTests = []struct {
	name string
	ok   bool
}{
	{"todo.md", true},
	{"Todo List.MD", true},
	{"été 2024.Md", true},
	{"a.b.md", true},
	{"", false},
	{".md", false},
	{".hidden.md", false},
	{"..", false},
	{"../secret.md", false},
	{"a..md", false},
	{"dir/note.md", false},
	{`dir\note.md`, false},
	{"/etc/passwd.md", false},
	{"note.txt", false},
	{"note.md.txt", false},
	{"notemd", false},
	{"note.md ", false},
	{"bad\x00.md", false},
	{"bad\x1b[2J.md", true}, // listed; shown sanitised
	{"bad\n.md", true},      // listed; shown sanitised
	{"bad\t.md", true},      // listed; shown sanitised
	{"bad\x7f.md", true},    // listed; shown sanitised
	{"bad\u009b.md", true},  // listed; shown sanitised
	{"bad\xff.md", true},    // listed; shown sanitised
	{"gnp\u202e.md", true},  // listed; shown sanitised
	{strings.Repeat("a", 252) + ".md", true},
	{strings.Repeat("a", 253) + ".md", false},
}

func TestValidName(t *testing.T) {
	for _, tt := range validNameTests {
		err := ValidName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidName(%q) = %v, does not wrap ErrInvalidName", tt.name, err)
		}
		if err != nil && !shownAsIs(err.Error()) {
			t.Errorf("ValidName(%q) error %q is not safe to display", tt.name, err)
		}
	}
}

func FuzzValidName(f *testing.F) {
	for _, tt := range validNameTests {
		f.Add(tt.name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidName(name)
		if err != nil {
			if !shownAsIs(err.Error()) {
				t.Fatalf("error for %q is not safe to display: %q", name, err)
			}
			return
		}
		switch {
		case strings.ContainsAny(name, `/\`), strings.Contains(name, ".."), name[0] == '.':
			t.Fatalf("ValidName accepted path-like %q", name)
		case strings.ContainsRune(name, 0):
			t.Fatalf("ValidName accepted a NUL in %q", name)
		case !strings.EqualFold(filepath.Ext(name), ".md") || filepath.Base(name) != name:
			t.Fatalf("ValidName accepted %q", name)
		}
	})
}

func TestExtractTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"# Hello\nbody", "Hello"},
		{"intro\n\n# Later heading\n", "Later heading"},
		{"## Second level\n# First level\n", "First level"},
		{"#NoSpace\n# Real\n", "Real"},
		{"   # Indented three\n", "Indented three"},
		{"    # Indented code\n", ""},
		{"# Closed ##\n", "Closed"},
		{"# C# ##\n", "C#"},
		{"# Trailing#\n", "Trailing#"},
		{"#\n# \n#   #\n# Non-empty\n", "Non-empty"},
		{"#\tTab\n", "Tab"},
		{"\uFEFF# BOM\n", "BOM"},
		{"# CRLF\r\nbody\r\n", "CRLF"},
		{"```\n# in code\n```\n# After code\n", "After code"},
		{"~~~~\n# in code\n~~~\n# still code\n~~~~\n# After\n", "After"},
		{"no heading at all\n", ""},
		{"Setext\n======\n", ""},
	}
	for _, tt := range tests {
		if got := extractTitle(tt.in); got != tt.want {
			t.Errorf("extractTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOpenCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "notes")
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		t.Fatalf("Open did not create %s: %v", dir, err)
	}
	notes, err := d.List()
	if err != nil || len(notes) != 0 {
		t.Fatalf("List() = %v, %v; want empty", notes, err)
	}
}

func TestOpenError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{file, filepath.Join(file, "notes")} {
		d, err := Open(dir)
		if err == nil {
			d.Close()
			t.Fatalf("Open(%q) succeeded", dir)
		}
		if !strings.Contains(err.Error(), "open notes dir") {
			t.Errorf("Open(%q) error %q lacks context", dir, err)
		}
	}
}

func TestOpenUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("permissions do not apply to root")
	}
	dir := filepath.Join(t.TempDir(), "notes")
	if err := os.Mkdir(dir, 0o000); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err == nil {
		d.Close()
		t.Fatal("Open succeeded on an unreadable directory")
	}
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("Open error %v does not wrap os.ErrPermission", err)
	}
}

func TestList(t *testing.T) {
	d, base := openTemp(t, map[string]string{
		"zebra.md":          "# Aardvark\nfirst by title\n",
		"b.md":              "no heading\n",
		"C.MD":              "text\n# beta\n",
		"escape.md":         "# Evil \x1b]0;pwned\x07\x1b[2J title\u202e\n",
		"long.md":           strings.Repeat("x", titleScan) + "\n# Too late\n",
		".hidden.md":        "# Hidden\n",
		"notes.txt":         "# Not markdown\n",
		"bad\x1b[31m.md":    "# Bad name\n",
		"gnp\u202etxt.md":   "# Bidi name\n",
		"empty.md":          "",
		"subdir.md.md.temp": "",
	})
	dir := filepath.Join(base, "notes")
	must(t, os.Mkdir(filepath.Join(dir, "folder.md"), 0o755))
	must(t, os.WriteFile(filepath.Join(base, "secret.md"), []byte("# Secret\n"), 0o644))
	must(t, os.Symlink("../secret.md", filepath.Join(dir, "out.md")))
	must(t, os.Symlink(filepath.Join(dir, "b.md"), filepath.Join(dir, "absolute.md")))
	must(t, os.Symlink("zebra.md", filepath.Join(dir, "link.md")))
	must(t, os.Symlink("missing.md", filepath.Join(dir, "dangling.md")))

	notes, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range notes {
		got = append(got, n.Name+"="+n.Title)
		if !shownAsIs(n.Title) || !shownAsIs(termtext.SanitizeName(n.Name)) {
			t.Errorf("unsanitised note %q %q", n.Name, n.Title)
		}
		if n.ModTime.IsZero() {
			t.Errorf("%s: zero ModTime", n.Name)
		}
	}
	// Hostile names are listed too (the UI shows them through SanitizeName).
	want := []string{
		"link.md=Aardvark",
		"zebra.md=Aardvark",
		"b.md=b",
		"bad\x1b[31m.md=Bad name",
		"C.MD=beta",
		"gnp\u202etxt.md=Bidi name",
		"empty.md=empty",
		"escape.md=Evil ␛]0;pwned␇␛[2J title<U+202E>",
		"long.md=long",
	}
	if !slices.Equal(got, want) {
		t.Errorf("List() =\n%q\nwant\n%q", got, want)
	}
	if i := slices.IndexFunc(notes, func(n Note) bool { return n.Name == "b.md" }); notes[i].Size != int64(len("no heading\n")) {
		t.Errorf("b.md size = %d", notes[i].Size)
	}
}

func TestListLarge(t *testing.T) {
	d, _ := openTemp(t, map[string]string{
		"big.md": "# Big\n" + strings.Repeat("x", MaxSize),
	})
	notes, err := d.List()
	if err != nil || len(notes) != 1 {
		t.Fatalf("List() = %v, %v", notes, err)
	}
	if n := notes[0]; n.Title != "Big" || n.Size != MaxSize+6 {
		t.Errorf("List() = %+v, want the large note listed with its size", n)
	}
}

func TestRead(t *testing.T) {
	d, _ := openTemp(t, map[string]string{
		"a.md":     "# A\r\nplain \x1b[2J\x1b]0;pwned\x07 \u009b31m \xff\n",
		"max.md":   strings.Repeat("x", MaxSize),
		"large.md": strings.Repeat("x", MaxSize+1),
	})
	got, err := d.Read("a.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# A\nplain ␛[2J␛]0;pwned␇ <U+009B>31m \uFFFD\n"; got != want {
		t.Errorf("Read = %q, want %q", got, want)
	}
	if got, err := d.Read("max.md"); err != nil || len(got) != MaxSize {
		t.Errorf("Read(max.md) = %d bytes, %v; want %d bytes", len(got), err, MaxSize)
	}

	_, err = d.Read("large.md")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Read(large.md) error = %v, want ErrTooLarge", err)
	}
	for _, s := range []string{"large.md", "too large", "1048577"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

func TestReadRefused(t *testing.T) {
	d, base := openTemp(t, map[string]string{"ok.md": "ok"})
	dir := filepath.Join(base, "notes")
	must(t, os.WriteFile(filepath.Join(base, "secret.md"), []byte("secret"), 0o644))
	must(t, os.Symlink("../secret.md", filepath.Join(dir, "out.md")))
	must(t, os.Symlink(filepath.Join(base, "secret.md"), filepath.Join(dir, "abs.md")))
	must(t, os.Symlink("..", filepath.Join(dir, "up.md")))
	must(t, os.Mkdir(filepath.Join(dir, "folder.md"), 0o755))

	tests := []struct {
		name    string
		invalid bool // refused by ValidName
	}{
		{"../secret.md", true},
		{"out.md/../../secret.md", true},
		{".hidden.md", true},
		{"ok.txt", true},
		{"out.md", false},
		{"abs.md", false},
		{"up.md", false},
		{"folder.md", false},
		{"missing.md", false},
	}
	for _, tt := range tests {
		got, err := d.Read(tt.name)
		if err == nil {
			t.Errorf("Read(%q) = %q, want an error", tt.name, got)
			continue
		}
		if errors.Is(err, ErrInvalidName) != tt.invalid {
			t.Errorf("Read(%q) error = %v, want invalid=%v", tt.name, err, tt.invalid)
		}
		if !strings.HasPrefix(err.Error(), "read note") || strings.Contains(err.Error(), "secret\n") {
			t.Errorf("Read(%q) error = %q", tt.name, err)
		}
	}
}

func TestClosed(t *testing.T) {
	d, _ := openTemp(t, map[string]string{"a.md": "a"})
	must(t, d.Close())
	if _, err := d.List(); err == nil {
		t.Error("List after Close succeeded")
	}
	if _, err := d.Read("a.md"); err == nil {
		t.Error("Read after Close succeeded")
	}
	// Changed used to hand out a channel that was never closed; since the
	// album and the notes share one watcher, it returns nil after Close.
	if ch := d.Changed(); ch != nil {
		t.Error("Changed after Close returned a channel that may still close")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// shownAsIs reports whether s is safe to show on one line as it is.
func shownAsIs(s string) bool { return termtext.SanitizeName(s) == s }
