package shoot

import (
	"context"
	"strings"
	"testing"

	"charm.land/log/v2"

	"pistream/album"
	"pistream/camera"
	"pistream/internal/jpegmark"
)

// Take saves a complete JPEG of the camera's size into the album; with a
// camera that gives no frames it says the camera's state, saving nothing.
func TestTake(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		wantErr string // "" : a photo
	}{
		{"test", ""},
		{"/dev/nonexistent-camera", "snapshot: camera is"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			a, err := album.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			cam := camera.New(camera.Config{Spec: tc.spec, Settings: camera.Settings{Width: 320, Height: 240, FPS: 30}})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); cam.Run(ctx) }()
			defer func() { cancel(); <-done }()

			var logged strings.Builder
			p, err := Take(cam, a, log.New(&logged))
			photos, _ := a.List()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || len(photos) != 0 {
					t.Fatalf("Take = %+v, %v with %d photos; want %q and none", p, err, len(photos), tc.wantErr)
				}
				if !strings.Contains(logged.String(), "snapshot not taken") {
					t.Errorf("log %q", logged.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(photos) != 1 || photos[0].Name != p.Name || p.Width != 320 || p.Height != 240 {
				t.Fatalf("Take = %+v; album %+v", p, photos)
			}
			data, err := a.Read(p.Name)
			if err != nil || jpegmark.Check(data) != nil {
				t.Errorf("the photo is not a complete JPEG: %v", err)
			}
			if !strings.Contains(logged.String(), "snapshot saved") {
				t.Errorf("log %q", logged.String())
			}
		})
	}
}
