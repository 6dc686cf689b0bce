package rpicam

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestBinary(t *testing.T) {
	tests := []struct {
		name  string
		files []string // executables in PATH
		want  string   // base name found, "" for an error
	}{
		{"rpicam-vid", []string{"rpicam-vid"}, "rpicam-vid"},
		{"rpicam-vid before libcamera-vid", []string{"libcamera-vid", "rpicam-vid"}, "rpicam-vid"},
		{"libcamera-vid on older releases", []string{"libcamera-vid"}, "libcamera-vid"},
		{"neither", []string{"rpicam-still", "libcamera-hello"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", dir)
			got, err := Binary()
			if tt.want == "" {
				if err == nil || !errors.Is(err, exec.ErrNotFound) {
					t.Fatalf("Binary() = %q, %v; want an error wrapping exec.ErrNotFound", got, err)
				}
				return
			}
			if err != nil || got != filepath.Join(dir, tt.want) {
				t.Fatalf("Binary() = %q, %v; want %q", got, err, filepath.Join(dir, tt.want))
			}
		})
	}
}
