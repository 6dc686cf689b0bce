package camera

import (
	"context"
	"errors"
)

// rpicamCameras is the number of cameras rpicam-vid lists, 0 when it is
// not installed.
func rpicamCameras(ctx context.Context) int { return 0 }

func openRPicam(spec string, s Settings, t Transform) (Source, error) {
	return nil, errors.New("rpicam: not available")
}
