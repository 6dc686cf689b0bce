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
	must(t, os.WriteFile(filepath.Join(dir, "ok"), []byte("x"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "loose"), []byte("x"), 0o644))
	must(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling")))
	must(t, os.Symlink(filepath.Join(dir, "ok"), filepath.Join(dir, "link")))
	must(t, os.Mkdir(filepath.Join(dir, "dir"), 0o700))
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
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
}

// ReadSecret reads a plain file within its limit, and refuses, with an
// error naming the path, a symbolic link (even to a plain file), a FIFO
// (without blocking), a directory and a file over the limit.
func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "ok"), []byte("secret"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "big"), []byte("secret!"), 0o600))
	must(t, os.Symlink(filepath.Join(dir, "ok"), filepath.Join(dir, "link")))
	must(t, os.Mkdir(filepath.Join(dir, "dir"), 0o700))
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	for _, tc := range []struct {
		name string
		want string // content, for a read that succeeds
		is   error  // else what the error matches, if anything in particular
	}{
		{name: "ok", want: "secret"},
		{name: "big", is: ErrSecretTooLarge},
		{name: "link", is: syscall.ELOOP},
		{name: "fifo", is: ErrOdd},
		{name: "dir", is: ErrOdd},
		{name: "missing", is: os.ErrNotExist},
	} {
		path := filepath.Join(dir, tc.name)
		b, err := ReadSecret(path, 6)
		if tc.is == nil {
			if err != nil || string(b) != tc.want {
				t.Errorf("ReadSecret(%s) = %q, %v; want %q", tc.name, b, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, tc.is) || !contains(err.Error(), path) {
			t.Errorf("ReadSecret(%s) = %q, %v; want an error naming the path, matching %v", tc.name, b, err, tc.is)
		}
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

// must fails the test on err, made while setting it up.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
