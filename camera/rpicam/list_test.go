package rpicam

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var (
	imx708 = Camera{Index: 0, Model: "imx708", Sensor: "4608x2592 10-bit RGGB", ID: "/base/soc/i2c0mux/i2c@1/imx708@1a"}
	imx219 = Camera{Index: 1, Model: "imx219", Sensor: "3280x2464 8-bit RGGB", ID: "/base/soc/i2c0mux/i2c@0/imx219@10"}
)

const oneCamera = `Available cameras
-----------------
0 : imx708 [4608x2592 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx708@1a)
    Modes: 'SRGGB10_CSI2P' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]
                             2304x1296 [56.03 fps - (0, 0)/4608x2592 crop]
                             4608x2592 [14.35 fps - (0, 0)/4608x2592 crop]
`

func TestParseList(t *testing.T) {
	tests := []struct {
		name     string
		out      string
		want     []Camera
		wantNone bool
	}{
		{"one camera", oneCamera, []Camera{imx708}, false},
		{"two cameras", oneCamera + `
1 : imx219 [3280x2464 8-bit RGGB] (/base/soc/i2c0mux/i2c@0/imx219@10)
    Modes: 'SRGGB8' : 640x480 [206.65 fps - (1000, 752)/1280x960 crop]
                      3280x2464 [21.19 fps - (0, 0)/3280x2464 crop]
`, []Camera{imx708, imx219}, false},
		{"none", "No cameras available!\n", nil, true},
		{"libcamera's log and blank lines around it",
			"[0:00:01.123456789] [1234]  INFO Camera camera_manager.cpp:325 libcamera v0.3.2\r\n\r\n" +
				strings.ReplaceAll(oneCamera, "\n", "\r\n") + "\n\n",
			[]Camera{imx708}, false},
		{"Pi 5 wide camera, no mode lines", "0 : imx708_wide [4608x2592 10-bit RGGB] (/base/axi/pcie@120000/rp1/i2c@88000/imx708@1a)\n",
			[]Camera{{0, "imx708_wide", "4608x2592 10-bit RGGB", "/base/axi/pcie@120000/rp1/i2c@88000/imx708@1a"}}, false},
		{"old format without bit depth or id", "Available cameras\n0 : ov5647 [2592x1944]\n",
			[]Camera{{0, "ov5647", "2592x1944", ""}}, false},
		{"no trailing newline", "0 : imx477 [4056x3040 12-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx477@1a)",
			[]Camera{{0, "imx477", "4056x3040 12-bit RGGB", "/base/soc/i2c0mux/i2c@1/imx477@1a"}}, false},
		{"garbage", "Segmentation fault\n0 1 2 3\n: [x] ()\n    Modes: 'SRGGB10' : 1536x864 [120.13 fps]\n", nil, false},
		{"empty", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, none := parseList(tt.out)
			if !reflect.DeepEqual(got, tt.want) || none != tt.wantNone {
				t.Errorf("parseList() = %+v, %v; want %+v, %v", got, none, tt.want, tt.wantNone)
			}
		})
	}
}

func TestList(t *testing.T) {
	bin := fakeBin(t)
	tests := []struct {
		name    string
		env     map[string]string
		want    []Camera
		wantErr []string // substrings of the error; nil for none
	}{
		{"one camera", nil, []Camera{imx708}, nil},
		{"two cameras", map[string]string{"FAKE_RPICAM_CAMERAS": "2"}, []Camera{imx708, imx219}, nil},
		{"no camera", map[string]string{"FAKE_RPICAM_NO_CAMERA": "1"}, []Camera{}, nil},
		{"no camera, said on stderr", map[string]string{"FAKE_RPICAM_NO_CAMERA": "stderr"}, []Camera{}, nil},
		{"failure", map[string]string{"FAKE_RPICAM_LIST_FAIL": "1"}, nil,
			[]string{"rpicam-vid --list-cameras", "exit status 255", "Failed to register camera imx708", "failed to start camera manager"}},
		{"garbage", map[string]string{"FAKE_RPICAM_LIST_GARBAGE": "1"}, nil,
			[]string{"no camera list", "not a camera list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			args := filepath.Join(t.TempDir(), "args")
			t.Setenv("FAKE_RPICAM_ARGS", args)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, err := List(context.Background(), bin)
			if tt.wantErr == nil {
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("List() = %+v, %v; want %+v", got, err, tt.want)
				}
			} else {
				if err == nil {
					t.Fatalf("List() = %+v, nil; want an error", got)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("List() error %q does not contain %q", err, s)
					}
				}
			}
			if a := fileLines(t, args); len(a) != 1 || a[0] != "--list-cameras" {
				t.Errorf("the fake was run with %q, want [\"--list-cameras\"]", a)
			}
		})
	}
}

// A --list-cameras that hangs, with a child that holds its stdout: List
// returns when its context is cancelled, and leaves no process behind.
func TestListHang(t *testing.T) {
	noLeaks(t)
	bin := fakeBin(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("FAKE_RPICAM_LIST_HANG", "1")
	t.Setenv("FAKE_RPICAM_PID", pidFile)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := List(ctx, bin)
		done <- err
	}()
	pid := readPid(t, pidFile)
	waitFor(t, "the fake's child", func() bool { return len(groupAlive(t, pid)) == 2 })
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("List() error = %v, want context.Canceled", err)
	}
	waitFor(t, "the fake's process group to die", func() bool { return len(groupAlive(t, pid)) == 0 })
	if !reaped(pid) {
		t.Errorf("the fake, pid %d, was not reaped", pid)
	}
}

func TestListMissingBinary(t *testing.T) {
	_, err := List(context.Background(), filepath.Join(t.TempDir(), "rpicam-vid"))
	if err == nil || !strings.Contains(err.Error(), "rpicam-vid --list-cameras") {
		t.Fatalf("List() error = %v, want one naming the command", err)
	}
}
