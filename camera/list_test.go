package camera

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"pistream/camera/rpicam"
	"pistream/camera/v4l2"
)

// ListCameras's answer: finding nothing is no error; a place it could not
// look at is, on a line of its own, and the listing says it was not listed
// instead of "none".
func TestListCamerasWrite(t *testing.T) {
	imx708 := rpicam.Camera{Index: 0, Model: "imx708", Sensor: "4608x2592 10-bit RGGB", ID: "/base/soc/i2c0mux/i2c@1/imx708@1a"}
	c920 := v4l2.Device{Path: "/dev/video0", Name: "HD Pro Webcam C920", Driver: "uvcvideo", Bus: "usb-1.2",
		Formats: []v4l2.Format{{FourCC: "MJPG", Description: "Motion-JPEG", Compressed: true, Sizes: []v4l2.Size{{Width: 640, Height: 480}}}},
		All: []v4l2.Control{
			{Name: "focus_absolute", Type: v4l2.TypeInt, Max: 250, Step: 5, Value: 30, HasValue: true},
			{Name: "focus_automatic_continuous", Type: v4l2.TypeBool, Max: 1, Step: 1, Default: 1, HasValue: true},
		}}
	busy := v4l2.Device{Path: "/dev/video1", Err: fmt.Errorf("open /dev/video1: %w", fs.ErrPermission)}
	failed := errors.New("rpicam-vid --list-cameras: exit status 255; stderr: ERROR: *** failed to start camera manager ***")
	unreadable := fmt.Errorf("v4l2: listing /dev/video*: open /dev: %w", fs.ErrPermission)
	for _, tc := range []struct {
		name     string
		found    found
		want     []string // lines of the listing, in order
		wantErrs []string // lines of the error, in order; none for no error
		wraps    []error  // what the error wraps
	}{
		{
			name:  "cameras and devices",
			found: found{cams: []rpicam.Camera{imx708}, devs: []v4l2.Device{c920, busy}},
			want: []string{"Raspberry Pi cameras (rpicam-vid):", "  rpicam:0  imx708 [4608x2592 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx708@1a)",
				"            Camera Module 3: autofocus, continuous unless --focus holds it at a distance",
				"V4L2 devices:", "/dev/video0  HD Pro Webcam C920 (uvcvideo, usb-1.2)", "    controls (flips: none):",
				"      focus_absolute (int) min=0 max=250 step=5 default=0 value=30\n",
				"      focus_automatic_continuous (bool) default=1 value=0\n",
				"/dev/video1", "    error: open /dev/video1: permission denied"},
		},
		{
			name:  "nothing found",
			found: found{cams: []rpicam.Camera{}},
			want:  []string{"Raspberry Pi cameras (rpicam-vid): none", "V4L2 devices: none"},
		},
		{
			name:  "rpicam-vid not installed, no V4L2 off Linux",
			found: found{camsErr: fmt.Errorf("rpicam: not in PATH: %w", exec.ErrNotFound), devsErr: fmt.Errorf("v4l2: only on Linux: %w", errors.ErrUnsupported)},
			want:  []string{"Raspberry Pi cameras: rpicam-vid (or libcamera-vid) is not installed", "V4L2 devices: none (v4l2: only on Linux: unsupported operation)"},
		},
		{
			name:     "rpicam-vid failed",
			found:    found{camsErr: failed, devs: []v4l2.Device{c920}},
			want:     []string{"Raspberry Pi cameras: not listed (error on stderr)", "V4L2 devices:", "/dev/video0  HD Pro Webcam C920"},
			wantErrs: []string{"Raspberry Pi cameras: " + failed.Error()},
			wraps:    []error{failed},
		},
		{
			name:     "/dev unreadable",
			found:    found{cams: []rpicam.Camera{imx708}, devsErr: unreadable},
			want:     []string{"Raspberry Pi cameras (rpicam-vid):", "  rpicam:0  imx708", "V4L2 devices: not listed (error on stderr)"},
			wantErrs: []string{"V4L2 devices: " + unreadable.Error()},
			wraps:    []error{fs.ErrPermission},
		},
		{
			name:     "both failed",
			found:    found{camsErr: failed, devsErr: unreadable},
			want:     []string{"Raspberry Pi cameras: not listed (error on stderr)", "V4L2 devices: not listed (error on stderr)"},
			wantErrs: []string{"Raspberry Pi cameras: " + failed.Error(), "V4L2 devices: " + unreadable.Error()},
			wraps:    []error{failed, unreadable},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			err := tc.found.write(&b)
			out := b.String()
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("listing lacks %q after what came before:\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, none := range []string{"Raspberry Pi cameras (rpicam-vid): none", "V4L2 devices: none"} {
				if slices.Contains(strings.Split(out, "\n"), none) != slices.Contains(tc.want, none) {
					t.Errorf("listing has %q: %t, want %t:\n%s", none, !slices.Contains(tc.want, none), slices.Contains(tc.want, none), out)
				}
			}
			var errs []string
			if err != nil {
				errs = strings.Split(err.Error(), "\n")
			}
			if strings.Join(errs, "\n") != strings.Join(tc.wantErrs, "\n") {
				t.Errorf("error:\n%v\nwant:\n%s", err, strings.Join(tc.wantErrs, "\n"))
			}
			for _, e := range tc.wraps {
				if !errors.Is(err, e) {
					t.Errorf("error %v does not wrap %v", err, e)
				}
			}
		})
	}
}

// Each Raspberry Pi module is named under its sensor, with what --focus
// can do with it; a sensor pistream does not know gets no such line.
func TestListCamerasNamesModules(t *testing.T) {
	cams := []rpicam.Camera{
		{Index: 0, Model: "imx708_wide_noir", Sensor: "4608x2592 10-bit RGGB", ID: "a"},
		{Index: 1, Model: "imx219", Sensor: "3280x2464 8-bit RGGB", ID: "b"},
		{Index: 2, Model: "ov9281", Sensor: "1280x800 10-bit MONO", ID: "c"},
	}
	var b strings.Builder
	if err := (found{cams: cams}).write(&b); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Raspberry Pi cameras (rpicam-vid):",
		"  rpicam:0  imx708_wide_noir [4608x2592 10-bit RGGB] (a)",
		"            Camera Module 3: autofocus, continuous unless --focus holds it at a distance",
		"  rpicam:1  imx219 [3280x2464 8-bit RGGB] (b)",
		"            Camera Module 2: fixed focus",
		"  rpicam:2  ov9281 [1280x800 10-bit MONO] (c)",
		"",
	}
	if got := strings.Split(b.String(), "\n")[:len(want)]; !slices.Equal(got, want) {
		t.Errorf("listing:\n%s\nwant it to begin:\n%s", b.String(), strings.Join(want, "\n"))
	}
}
