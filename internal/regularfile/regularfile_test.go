//go:build unix

package regularfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

var errBig = errors.New("test file too large")

func TestReadAll(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	files := map[string]string{"small": "hello", "exact": "12345678", "over": "123456789"}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mk := range []error{
		os.Mkdir(filepath.Join(dir, "sub"), 0o755),
		syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644),
		os.Symlink("small", filepath.Join(dir, "link")),
		os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "escape")),
	} {
		if mk != nil {
			t.Fatal(mk)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()

	tests := []struct {
		name   string
		want   string // content, for a read that succeeds
		errHas string // else a part of the error
		tooBig bool   // the error matches errBig
	}{
		{name: "small", want: "hello"},
		{name: "exact", want: "12345678"},
		{name: "link", want: "hello"},
		{name: "over", errHas: "over: test file too large (9 bytes, limit 8)", tooBig: true},
		{name: "sub", errHas: "sub: not a regular file (d"},
		{name: "fifo", errHas: "fifo: not a regular file (p"},
		{name: "escape", errHas: "escape"},
		{name: "missing", errHas: "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadAll(root, tt.name, 8, errBig)
			if tt.errHas == "" {
				if err != nil || !bytes.Equal(got, []byte(tt.want)) {
					t.Errorf("ReadAll = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("ReadAll = %q, %v; want an error with %q", got, err, tt.errHas)
			}
			if errors.Is(err, errBig) != tt.tooBig {
				t.Errorf("errors.Is(%v, errBig) = %v, want %v", err, !tt.tooBig, tt.tooBig)
			}
			if notReg := strings.Contains(tt.errHas, "not a regular file"); errors.Is(err, ErrNotRegular) != notReg {
				t.Errorf("errors.Is(%v, ErrNotRegular) = %v, want %v", err, !notReg, notReg)
			}
		})
	}
}
