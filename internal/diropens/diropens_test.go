//go:build linux

package diropens

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCount(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.jpg"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	c, err := Watch(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tests := []struct {
		name string
		do   func() error
		want int64 // opens it adds
	}{
		{"nothing", func() error { return nil }, 0},
		{"a listing", func() error { _, err := os.ReadDir(dir); return err }, 1},
		{"three listings", func() error {
			for range 3 {
				if _, err := os.ReadDir(dir); err != nil {
					return err
				}
			}
			return nil
		}, 3},
		{"a file read", func() error { _, err := os.ReadFile(filepath.Join(dir, "a.jpg")); return err }, 0},
		{"a folder in it listed", func() error { _, err := os.ReadDir(filepath.Join(dir, "sub")); return err }, 0},
		{"a stat", func() error { _, err := os.Stat(dir); return err }, 0},
	}
	for _, tt := range tests {
		before, err := c.Count()
		if err != nil {
			t.Fatal(err)
		}
		if err := tt.do(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		after, err := c.Count()
		if err != nil {
			t.Fatal(err)
		}
		if after-before != tt.want {
			t.Errorf("%s: %d opens counted, want %d", tt.name, after-before, tt.want)
		}
	}
}
