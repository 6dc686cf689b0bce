package dirroot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// has reports whether root holds the file name.
func has(root *os.Root, name string) bool {
	_, err := root.Stat(name)
	return err == nil
}

func TestGet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir")
	r := New(path)
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	if _, _, err := r.Get(false); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get(false) of a missing directory = %v, want fs.ErrNotExist", err)
	}
	first, reopened, err := r.Get(true)
	if err != nil || !reopened {
		t.Fatalf("Get(true) = %v, %v; want a new root", reopened, err)
	}
	if err := os.WriteFile(filepath.Join(path, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		what         string
		change       func() error
		create       bool
		wantReopened bool
		wantErr      error
		wantA        bool // the root returned holds "a"
	}{
		{"unchanged", func() error { return nil }, false, false, nil, true},
		{"removed", func() error { return os.RemoveAll(path) }, false, false, fs.ErrNotExist, false},
		{"removed, with create", func() error { return nil }, true, true, nil, false},
		{"replaced by another directory", func() error {
			if err := os.Rename(path, path+".old"); err != nil {
				return err
			}
			if err := os.Mkdir(path, 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(path, "a"), nil, 0o644)
		}, false, true, nil, true},
	}
	for _, tt := range steps {
		if err := tt.change(); err != nil {
			t.Fatal(err)
		}
		root, reopened, err := r.Get(tt.create)
		if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("%s: Get = %v, want %v", tt.what, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if reopened != tt.wantReopened || has(root, "a") != tt.wantA {
			t.Errorf("%s: reopened %v, holds a: %v; want %v, %v", tt.what, reopened, has(root, "a"), tt.wantReopened, tt.wantA)
		}
	}
	if _, err := first.Stat("."); err != nil {
		t.Errorf("a replaced root was closed before Close: %v", err)
	}
}

func TestClose(t *testing.T) {
	r := New(t.TempDir())
	root, _, err := r.Get(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := root.Stat("."); err == nil {
		t.Error("root still open after Close")
	}
	if _, _, err := r.Get(true); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Get after Close = %v, want fs.ErrClosed", err)
	}
}
