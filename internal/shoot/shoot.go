// Package shoot takes a photo: a full-quality still of the camera's next
// frame saved into the album. It is the one path for the TUI's `s` key and
// the page's "Take photo" button, so both save the same photo the same way.
package shoot

import (
	"context"
	"fmt"
	"time"

	"charm.land/log/v2"

	"pistream/album"
	"pistream/camera"
)

// Wait is how long Take waits for the camera's next frame.
const Wait = 3 * time.Second

// Take waits up to Wait for a still from cam (encoded in the caller's
// goroutine, never in the capture loop), saves it into a and logs the
// outcome, one line. A full disk is said so in the error. It does not
// depend on the caller's context: a photo asked for is saved, or its
// failure logged, even if whoever asked has gone.
func Take(cam *camera.Camera, a *album.Album, logger *log.Logger) (album.Photo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	still, err := cam.Snapshot(ctx)
	if err != nil {
		logger.Warn("snapshot not taken", "err", err)
		return album.Photo{}, err
	}
	p, err := a.Save(still.JPEG, still.Time)
	if err != nil {
		if album.IsDiskFull(err) {
			err = fmt.Errorf("disk full: %w", err)
		}
		logger.Warn("snapshot not saved", "err", err)
		return album.Photo{}, err
	}
	logger.Info("snapshot saved", "photo", p.Name)
	return p, nil
}
