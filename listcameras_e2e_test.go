package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// pistream --list-cameras with the fake rpicam-vid: finding no camera, or
// no rpicam-vid at all, is a normal answer (exit 0); rpicam-vid failing,
// hanging or printing no camera list is an error on stderr, with its own
// words, and exit status 1, the rest of the listing still printed.
func TestListCameras(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    []string // nil: no rpicam-vid on PATH
		status int
		stdout []string
		stderr []string
	}{
		{name: "one camera", env: []string{},
			stdout: []string{"Raspberry Pi cameras (rpicam-vid):", "  rpicam:0  imx708 [4608x2592 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx708@1a)", "V4L2 devices:"}},
		{name: "two cameras", env: []string{"FAKE_RPICAM_CAMERAS=2"},
			stdout: []string{"  rpicam:0  imx708", "  rpicam:1  imx219 [3280x2464 8-bit RGGB]"}},
		{name: "no camera", env: []string{"FAKE_RPICAM_NO_CAMERA=1"},
			stdout: []string{"Raspberry Pi cameras (rpicam-vid): none", "V4L2 devices:"}},
		{name: "no camera, said on stderr", env: []string{"FAKE_RPICAM_NO_CAMERA=stderr"},
			stdout: []string{"Raspberry Pi cameras (rpicam-vid): none"}},
		{name: "rpicam-vid not installed",
			stdout: []string{"Raspberry Pi cameras: rpicam-vid (or libcamera-vid) is not installed", "V4L2 devices:"}},
		{name: "rpicam-vid fails", env: []string{"FAKE_RPICAM_LIST_FAIL=1"}, status: 1,
			stdout: []string{"Raspberry Pi cameras: not listed (error on stderr)", "V4L2 devices:"},
			stderr: []string{"pistream: --list-cameras: Raspberry Pi cameras: rpicam-vid --list-cameras: exit status 255", "failed to start camera manager"}},
		{name: "rpicam-vid prints no camera list", env: []string{"FAKE_RPICAM_LIST_GARBAGE=1"}, status: 1,
			stdout: []string{"Raspberry Pi cameras: not listed (error on stderr)", "V4L2 devices:"},
			stderr: []string{"pistream: --list-cameras: Raspberry Pi cameras: rpicam-vid --list-cameras: no camera list in its output"}},
		{name: "rpicam-vid hangs", env: []string{"FAKE_RPICAM_LIST_HANG=1"}, status: 1,
			stdout: []string{"Raspberry Pi cameras: not listed (error on stderr)", "V4L2 devices:"},
			stderr: []string{"pistream: --list-cameras: Raspberry Pi cameras: rpicam-vid --list-cameras: context deadline exceeded"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(binPath, "--list-cameras")
			if tc.env != nil {
				cmd.Env = append(cmd.Environ(), newRPicamEnv(t, tc.env...).env...)
			} else {
				cmd.Env = append(cmd.Environ(), "PATH="+t.TempDir()) // nothing to find
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			status := 0
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			out, errOut := stdout.String(), stderr.String()
			if status != tc.status {
				t.Errorf("exit status %d, want %d", status, tc.status)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q", w)
				}
			}
			if none := "Raspberry Pi cameras (rpicam-vid): none"; tc.status != 0 && strings.Contains(out, none) {
				t.Errorf("stdout has %q: failing to look is not finding nothing", none)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			if len(tc.stderr) == 0 && errOut != "" {
				t.Errorf("stderr not empty")
			}
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
			}
		})
	}
}
