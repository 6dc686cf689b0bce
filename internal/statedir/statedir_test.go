package statedir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCheckSecret(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "ok"), []byte("x"), 0o600))
	must(os.WriteFile(filepath.Join(dir, "loose"), []byte("x"), 0o644))
	must(os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling")))
	must(os.Symlink(filepath.Join(dir, "ok"), filepath.Join(dir, "link")))
	must(os.Mkdir(filepath.Join(dir, "dir"), 0o700))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	for _, tc := range []struct {
		name      string
		exists    bool
		tightened os.FileMode
		odd       bool
	}{
		{"missing", false, 0, false},
		{"ok", true, 0, false},
		{"loose", true, 0o644, false},
		{"dangling", true, 0, true},
		{"link", true, 0, true},
		{"dir", true, 0, true},
		{"fifo", true, 0, true},
	} {
		path := filepath.Join(dir, tc.name)
		exists, tightened, err := CheckSecret(path)
		if exists != tc.exists || tightened != tc.tightened || errors.Is(err, ErrOdd) != tc.odd || (err != nil) != tc.odd {
			t.Errorf("%s: exists %v tightened %04o err %v", tc.name, exists, tightened, err)
		}
		if err != nil && !contains(err.Error(), path) {
			t.Errorf("%s: error %q does not name the path", tc.name, err)
		}
	}
	if fi, _ := os.Stat(filepath.Join(dir, "loose")); fi.Mode().Perm() != 0o600 {
		t.Errorf("loose is %04o after the check, want 0600", fi.Mode().Perm())
	}
	if _, err := ReadSecret(filepath.Join(dir, "link"), 100); err == nil {
		t.Error("ReadSecret followed a symbolic link")
	}
	if b, err := ReadSecret(filepath.Join(dir, "ok"), 100); err != nil || string(b) != "x" {
		t.Errorf("ReadSecret(ok) = %q, %v", b, err)
	}
}

func TestPrepare(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "state")
	if m, err := Prepare(dir); err != nil || m != 0 {
		t.Fatalf("Prepare(new) = %04o, %v", m, err)
	}
	os.Chmod(dir, 0o755)
	if m, err := Prepare(dir); err != nil || m != 0o755 {
		t.Fatalf("Prepare(0755) = %04o, %v; want it tightened from 0755", m, err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("state is %04o, want 0700", fi.Mode().Perm())
	}
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Prepare(file); err == nil || !contains(err.Error(), file) {
		t.Errorf("Prepare(a file) = %v, want an error naming it", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
