package camera

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"charm.land/log/v2"

	"pistream/camera/v4l2"
	"pistream/internal/syncbuffer"
)

// What was set on a device is one INFO line; each control that was not is
// a WARN line of its own, and the others are set all the same.
func TestSetDeviceControlsLogs(t *testing.T) {
	asked, err := v4l2.ParseSettings("focus_auto=0,focus_absolute=30")
	if err != nil {
		t.Fatal(err)
	}
	noSuch := &v4l2.ControlError{Path: "/dev/video0", Setting: asked[0], Names: []string{"brightness", "focus_absolute"}, Err: v4l2.ErrNoControl}
	for _, tc := range []struct {
		name  string
		asked v4l2.Settings
		set   v4l2.Settings
		errs  []error
		want  []string // the log's lines, in order, each as a part of it
	}{
		{name: "nothing asked: nothing set, nothing said"},
		{name: "all set", asked: asked, set: asked,
			want: []string{`INFO  camera: --v4l2-controls set device=/dev/video0 set="focus_auto=0,focus_absolute=30" asked="focus_auto=0,focus_absolute=30"`}},
		{name: "an unknown name warned with the device's names", asked: asked, set: asked[1:], errs: []error{noSuch},
			want: []string{
				`WARN  camera: --v4l2-controls: not set; the camera streams all the same device=/dev/video0 err="/dev/video0: focus_auto=0: no such control; the device has brightness, focus_absolute"`,
				`INFO  camera: --v4l2-controls set device=/dev/video0 set="focus_absolute=30"`,
			}},
		{name: "device gone", asked: asked, errs: []error{fmt.Errorf("open /dev/video0: %w", errors.New("no such device"))},
			want: []string{
				`WARN  camera: --v4l2-controls: not set; the camera streams all the same device=/dev/video0 err="open /dev/video0: no such device"`,
				`INFO  camera: --v4l2-controls set device=/dev/video0 set=none`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs, l := infoLog("camera")
			var calls int
			setDeviceControls("/dev/video0", tc.asked, l, func(path string, want v4l2.Settings) (v4l2.Settings, []error) {
				calls++
				if path != "/dev/video0" || want.String() != tc.asked.String() {
					t.Errorf("set(%q, %q), want (/dev/video0, %q)", path, want, tc.asked)
				}
				return tc.set, tc.errs
			})
			if want := min(len(tc.asked), 1); calls != want {
				t.Errorf("%d calls to set, want %d", calls, want)
			}
			lines := strings.Split(strings.TrimSuffix(logs.String(), "\n"), "\n")
			if logs.String() == "" {
				lines = nil
			}
			if len(lines) != len(tc.want) {
				t.Fatalf("log:\n%s\nwant %d lines", logs.String(), len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("log line %d:\n%s\nwant it to contain\n%s", i, lines[i], w)
				}
			}
		})
	}
}

// With another source than a V4L2 device, --v4l2-controls are not applied:
// the log says so once, and the camera streams all the same.
func TestV4L2ControlsNotApplied(t *testing.T) {
	for _, tc := range []struct {
		controls string
		warned   int
	}{{"", 0}, {"focus_automatic_continuous=0,focus_absolute=30", 1}} {
		t.Run(tc.controls, func(t *testing.T) {
			want, err := v4l2.ParseSettings(tc.controls)
			if err != nil {
				t.Fatal(err)
			}
			c, logs := startLogged(t, Config{Spec: "test", Settings: Settings{Width: 160, Height: 120, FPS: 30}, V4L2Controls: want})
			frames(t, c, 2, 160, 120)
			if n := strings.Count(logs.String(), "--v4l2-controls not applied"); n != tc.warned {
				t.Errorf("%d warnings in the log, want %d:\n%s", n, tc.warned, logs.String())
			}
		})
	}
}

// infoLog returns a logger at info level with prefix, writing to the
// buffer it returns.
func infoLog(prefix string) (*syncbuffer.Buffer, *log.Logger) {
	var logs syncbuffer.Buffer
	return &logs, log.NewWithOptions(&logs, log.Options{Level: log.InfoLevel, Prefix: prefix})
}

// startLogged is start with the camera's log at info level, kept for the
// test to read.
func startLogged(t *testing.T, cfg Config) (*Camera, *syncbuffer.Buffer) {
	t.Helper()
	logs, l := infoLog("")
	cfg.Logger = l
	return start(t, cfg), logs
}
