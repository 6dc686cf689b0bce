package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// openRoot opens a new temp directory as a root until the end of the test.
func openRoot(t *testing.T) (*os.Root, string) {
	t.Helper()
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root, dir
}

// names returns the sorted names in dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestCreate(t *testing.T) {
	root, dir := openRoot(t)
	tests := []struct {
		what    string
		name    string
		data    string
		wantErr error  // nil for success
		want    string // the file's content afterwards
	}{
		{"a new file", "token", "first\n", nil, "first\n"},
		{"an existing name", "token", "second\n", fs.ErrExist, "first\n"},
		{"another name", "other", "", nil, ""},
	}
	for _, tt := range tests {
		err := Create(root, tt.name, ".tmp-", []byte(tt.data), 0o600)
		if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("%s: Create = %v, want %v", tt.what, err, tt.wantErr)
		}
		got, err := os.ReadFile(filepath.Join(dir, tt.name))
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: file holds %q, %v; want %q", tt.what, got, err, tt.want)
		}
	}
	if got := names(t, dir); !slices.Equal(got, []string{"other", "token"}) {
		t.Errorf("directory holds %q, want no temp files", got)
	}
	fi, err := os.Stat(filepath.Join(dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode %v, want 0600", perm)
	}
}

// TestCreateConcurrent races writers for one name: exactly one wins, the
// file holds its data whole, and the others are told it exists.
func TestCreateConcurrent(t *testing.T) {
	root, dir := openRoot(t)
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = Create(root, "name", ".tmp-", bytes.Repeat([]byte{byte('a' + i)}, 4096), 0o644)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, fs.ErrExist):
			t.Errorf("writer %d: %v, want fs.ErrExist", i, err)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "name"))
	if err != nil {
		t.Fatal(err)
	}
	if winner < 0 || !bytes.Equal(got, bytes.Repeat([]byte{byte('a' + winner)}, 4096)) {
		t.Errorf("file is not the winner's data whole (winner %d)", winner)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"name"}) {
		t.Errorf("directory holds %q, want no temp files", got)
	}
}

func TestMove(t *testing.T) {
	root, dir := openRoot(t)
	for _, name := range []string{"from", "taken"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Move(root, "from", "taken"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Move onto an existing file = %v, want fs.ErrExist", err)
	}
	if err := Move(root, "from", "to"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"taken", "to"}) {
		t.Errorf("after Move, directory holds %q", got)
	}
	if err := Move(root, "missing", "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Move of a missing file = %v, want fs.ErrNotExist", err)
	}
	if err := Move(root, "to", "../out"); err == nil {
		t.Error("Move out of the root succeeded")
	}
}

func TestLinkUnsupported(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{errors.ErrUnsupported, true},
		{&os.LinkError{Op: "link", Old: "a", New: "b", Err: syscall.EPERM}, true},
		{fmt.Errorf("x: %w", syscall.EOPNOTSUPP), true},
		{syscall.EEXIST, false},
		{syscall.ENOSPC, false},
		{errors.New(strings.Repeat("unsupported", 2)), false},
	}
	for _, tt := range tests {
		if got := linkUnsupported(tt.err); got != tt.want {
			t.Errorf("linkUnsupported(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
