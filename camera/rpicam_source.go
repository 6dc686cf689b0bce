package camera

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gocv.io/x/gocv"

	"pistream/camera/rpicam"
)

// rpicamSource is the Raspberry Pi camera through rpicam-vid, run as a
// child process whose JPEGs are passed through. It sets the focus too
// (a Camera Module 3's lens; other modules have none to move).
type rpicamSource struct {
	stream *rpicam.Stream
	info   SourceInfo
}

// openRPicam starts rpicam-vid for "rpicam" or "rpicam:N". It mirrors and
// turns by 180 degrees itself; a quarter turn is left to software.
func openRPicam(spec string, a Asked) (Source, error) {
	bin, err := rpicam.Binary()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", spec, err)
	}
	n := 0
	if after, ok := strings.CutPrefix(spec, "rpicam:"); ok {
		if n, err = strconv.Atoi(after); err != nil || n < 0 {
			return nil, fmt.Errorf("open %s: want rpicam:N with N the camera's number (0, 1, …)", spec)
		}
	}
	o := rpicam.Options{Camera: n, Width: a.Width, Height: a.Height, FPS: a.FPS, Quality: a.Quality,
		Autofocus: autofocusModes[a.Focus.Mode], LensPosition: a.Focus.Dioptres}
	var done Transform
	if !a.Transform.quarter() {
		done = a.Transform
		o.Rotation, o.HFlip, o.VFlip = done.Rotate, done.HFlip, done.VFlip
	}
	logf := func(line string) {}
	if a.Log != nil {
		logf = func(line string) { a.Log.Debug(line, "from", spec) }
	}
	st, err := rpicam.Start(context.Background(), bin, o, logf)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", spec, err)
	}
	return &rpicamSource{stream: st, info: SourceInfo{Kind: string(KindRPicam), Done: done, Focus: true}}, nil
}

// autofocusModes are rpicam-vid's --autofocus-mode for each FocusMode
// ("": none passed).
var autofocusModes = map[FocusMode]string{FocusContinuous: "continuous", FocusFixed: "manual"}

func (r *rpicamSource) Read(*gocv.Mat) ([]byte, error) { return r.stream.Next() }
func (r *rpicamSource) ReadJPEG() ([]byte, error)      { return r.stream.Next() }

// Close kills the child's process group and reaps it. It may be called
// while Read waits, which then returns at once.
func (r *rpicamSource) Close() error     { return r.stream.Close() }
func (r *rpicamSource) Interrupt()       { r.stream.Close() }
func (r *rpicamSource) Info() SourceInfo { return r.info }

// rpicamCameras is the number of cameras rpicam-vid lists: 0 when it is not
// installed, lists none, or does not answer within rpicam.ListTimeout.
func rpicamCameras(ctx context.Context) int {
	cams, _ := rpicamList(ctx)
	return len(cams)
}

// rpicamList asks rpicam-vid for its cameras.
func rpicamList(ctx context.Context) ([]rpicam.Camera, error) {
	bin, err := rpicam.Binary()
	if err != nil {
		return nil, err
	}
	return rpicam.List(ctx, bin)
}
