//go:build linux

package v4l2

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

var (
	wantC920 = Device{
		Path: "/dev/video0", Name: "HD Pro Webcam C920", Driver: "uvcvideo", Bus: "usb-0000:01:00.0-1.2",
		Formats: []Format{
			{FourCC: "YUYV", Description: "YUYV 4:2:2", Sizes: []Size{{640, 480}, {160, 90}, {320, 240}, {1280, 720}, {1920, 1080}}},
			{FourCC: "MJPG", Description: "Motion-JPEG", Compressed: true, Sizes: []Size{{640, 480}, {800, 600}, {1280, 720}, {1920, 1080}}},
		},
	}
	wantUnicam = Device{
		Path: "/dev/video0", Name: "unicam", Driver: "unicam", Bus: "platform:fe801000.csi",
		Formats: []Format{
			{FourCC: "pRAA", Description: "10-bit Bayer RGRG/GBGB Packed", Sizes: []Size{{3280, 2464}, {1920, 1080}, {1640, 1232}, {640, 480}}},
			{FourCC: "RG10", Description: "10-bit Bayer RGRG/GBGB", Sizes: []Size{{3280, 2464}, {1920, 1080}, {1640, 1232}, {640, 480}}},
		},
		Controls: Controls{HFlip: true, VFlip: true},
	}
	wantMMAL = Device{
		Path: "/dev/video0", Name: "mmal service 16.1", Driver: "bm2835 mmal", Bus: "platform:bcm2835-v4l2-0",
		Formats: []Format{
			{FourCC: "YU12", Description: "Planar YUV 4:2:0", Sizes: []Size{{32, 32}, {3280, 2464}}, Stepwise: true},
			{FourCC: "JPEG", Description: "JFIF JPEG", Compressed: true, Sizes: []Size{{32, 32}, {3280, 2464}}, Stepwise: true},
			{FourCC: "H264", Description: "H.264", Compressed: true, Sizes: []Size{{32, 32}, {3280, 2464}}, Stepwise: true},
		},
		Controls: Controls{HFlip: true, VFlip: true},
	}
)

// at returns d at another path.
func at(path string, d Device) Device {
	d.Path = path
	return d
}

// with returns a fake device changed by f.
func with(d *fakeDevice, f func(*fakeDevice)) *fakeDevice {
	f(d)
	return d
}

func TestList(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes map[string]*fakeDevice
		want  []Device // Err: the errno that Device.Err must wrap
	}{
		{
			name:  "USB webcam: the video node, not its metadata node",
			nodes: map[string]*fakeDevice{"/dev/video0": c920(), "/dev/video1": c920Meta()},
			want:  []Device{wantC920},
		},
		{
			name: "Pi camera on unicam, beside its embedded-data node and the codec nodes",
			nodes: map[string]*fakeDevice{
				"/dev/video0": unicam(), "/dev/video1": unicamEmbedded(),
				"/dev/video10": codec("bcm2835-codec-decode"), "/dev/video11": codec("bcm2835-codec-encode"), "/dev/video12": codec("bcm2835-codec-isp"),
			},
			want: []Device{wantUnicam},
		},
		{
			name:  "legacy Pi camera driver: stepwise sizes",
			nodes: map[string]*fakeDevice{"/dev/video0": mmal()},
			want:  []Device{wantMMAL},
		},
		{
			name:  "busy and forbidden devices are listed with why",
			nodes: map[string]*fakeDevice{"/dev/video0": {openErr: unix.EBUSY}, "/dev/video1": {openErr: unix.EACCES}},
			want:  []Device{{Path: "/dev/video0", Err: unix.EBUSY}, {Path: "/dev/video1", Err: unix.EACCES}},
		},
		{
			name: "natural order",
			nodes: map[string]*fakeDevice{
				"/dev/video10": c920(), "/dev/video2": mmal(), "/dev/video1": {openErr: unix.EBUSY}, "/dev/video0": c920Meta(),
				"/dev/video11": c920Meta(), "/dev/video3": unicam(),
			},
			want: []Device{{Path: "/dev/video1", Err: unix.EBUSY}, at("/dev/video2", wantMMAL), at("/dev/video3", wantUnicam), at("/dev/video10", wantC920)},
		},
		{
			name:  "no devices",
			nodes: map[string]*fakeDevice{},
		},
		{
			name:  "a device unplugged between listing and opening is left out",
			nodes: map[string]*fakeDevice{"/dev/video0": nil, "/dev/video1": unicam()},
			want:  []Device{at("/dev/video1", wantUnicam)},
		},
		{
			name:  "the /dev/video symlink and other names are not scanned",
			nodes: map[string]*fakeDevice{"/dev/video": c920(), "/dev/video0": c920(), "/dev/video-x": c920(), "/dev/video0p": c920()},
			want:  []Device{wantC920},
		},
		{
			name:  "a failing enumeration keeps what came before",
			nodes: map[string]*fakeDevice{"/dev/video0": with(c920(), func(d *fakeDevice) { d.enumFmtErr, d.enumFmtErrAt = unix.EIO, 1 })},
			want:  []Device{{Path: "/dev/video0", Name: wantC920.Name, Driver: wantC920.Driver, Bus: wantC920.Bus, Formats: wantC920.Formats[:1], Err: unix.EIO}},
		},
		{
			name: "a device unplugged while it is enumerated is left out",
			nodes: map[string]*fakeDevice{
				"/dev/video0": with(c920(), func(d *fakeDevice) { d.enumFmtErr, d.enumFmtErrAt = unix.ENODEV, 1 }),
				"/dev/video1": unicam(),
			},
			want: []Device{at("/dev/video1", wantUnicam)},
		},
		{
			name:  "not a V4L2 device",
			nodes: map[string]*fakeDevice{"/dev/video0": {notV4L2: true}},
			want:  []Device{{Path: "/dev/video0", Err: unix.ENOTTY}},
		},
		{
			name:  "driver without VIDIOC_ENUM_FRAMESIZES: sizes unknown",
			nodes: map[string]*fakeDevice{"/dev/video0": with(c920(), func(d *fakeDevice) { d.noFramesizesIoctls = true })},
			want: []Device{{Path: "/dev/video0", Name: wantC920.Name, Driver: wantC920.Driver, Bus: wantC920.Bus, Formats: []Format{
				{FourCC: "YUYV", Description: "YUYV 4:2:2"}, {FourCC: "MJPG", Description: "Motion-JPEG", Compressed: true},
			}}},
		},
		{
			name:  "old driver without device caps",
			nodes: map[string]*fakeDevice{"/dev/video0": with(c920(), func(d *fakeDevice) { d.caps, d.deviceCaps = capVideoCapture|capStreaming, 0 })},
			want:  []Device{wantC920},
		},
		{
			name: "disabled and read-only flips count as absent",
			nodes: map[string]*fakeDevice{"/dev/video0": with(unicam(), func(d *fakeDevice) {
				d.ctrls = map[uint32]*fakeCtrl{cidHFlip: {flags: ctrlFlagDisabled}, cidVFlip: {flags: ctrlFlagReadOnly}}
			})},
			want: []Device{func() Device { d := wantUnicam; d.Controls = Controls{}; return d }()},
		},
		{
			name:  "a grabbed flip is still there",
			nodes: map[string]*fakeDevice{"/dev/video0": with(unicam(), func(d *fakeDevice) { d.ctrls[cidHFlip].flags = 0x0002 })},
			want:  []Device{wantUnicam},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := &fakeKernel{nodes: tc.nodes}
			got, err := list(k)
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			checkDevices(t, got, tc.want)
			if n := k.openNow(); n != 0 {
				t.Errorf("%d descriptors left open", n)
			}
		})
	}
}

// checkDevices compares devices; want's Err is what got's must wrap, and
// got's must name the device's path.
func checkDevices(t *testing.T, got, want []Device) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d devices, want %d:\n%v", len(got), len(want), got)
	}
	for i := range got {
		g, w := got[i], want[i]
		switch {
		case w.Err == nil && g.Err != nil:
			t.Errorf("%s: Err = %v, want none", g.Path, g.Err)
		case w.Err != nil && !errors.Is(g.Err, w.Err):
			t.Errorf("%s: Err = %v, want one wrapping %q", g.Path, g.Err, w.Err)
		case g.Err != nil && !strings.Contains(g.Err.Error(), g.Path):
			t.Errorf("Err %q does not name %s", g.Err, g.Path)
		}
		g.Err, w.Err = nil, nil
		g.All, g.AllErr = nil, nil // TestEnumControls's
		if !reflect.DeepEqual(g, w) {
			t.Errorf("device %d:\ngot  %#v\nwant %#v", i, g, w)
		}
	}
}

func TestListError(t *testing.T) {
	k := &fakeKernel{nodesErr: unix.EIO}
	if _, err := list(k); !errors.Is(err, unix.EIO) {
		t.Errorf("list = %v, want an error wrapping EIO", err)
	}
}

func TestDescribe(t *testing.T) {
	nodes := map[string]*fakeDevice{
		"/dev/video0":  c920(),
		"/dev/video1":  c920Meta(),
		"/dev/video2":  {openErr: unix.EBUSY},
		"/dev/video3":  {openErr: unix.EACCES},
		"/dev/video10": codec("bcm2835-codec-decode"),
		"/dev/video20": with(unicam(), func(d *fakeDevice) { d.card = "Evil\x1b]0;owned\x07Cam" }),
	}
	for _, tc := range []struct {
		path    string
		want    Device // without Path and Err
		wantErr []error
		errText string
	}{
		{path: "/dev/video0", want: wantC920},
		{path: "/dev/video1", want: Device{Name: wantC920.Name, Driver: "uvcvideo", Bus: wantC920.Bus}, wantErr: []error{ErrNotCapture},
			errText: "/dev/video1: not a video capture device: metadata only"},
		{path: "/dev/video2", wantErr: []error{unix.EBUSY}, errText: "open /dev/video2: device or resource busy"},
		{path: "/dev/video3", wantErr: []error{unix.EACCES, fs.ErrPermission}, errText: "open /dev/video3: permission denied"},
		{path: "/dev/video10", want: Device{Name: "bcm2835-codec-decode", Driver: "bcm2835-codec", Bus: "platform:bcm2835-codec"}, wantErr: []error{ErrNotCapture},
			errText: "/dev/video10: not a video capture device: memory-to-memory device"},
		{path: "/dev/video99", wantErr: []error{fs.ErrNotExist}, errText: "open /dev/video99: no such file or directory"},
		{path: "/dev/video20", want: func() Device { d := wantUnicam; d.Name = "Evil?]0;owned?Cam"; return d }()},
	} {
		t.Run(tc.path, func(t *testing.T) {
			k := &fakeKernel{nodes: nodes}
			got, err := describe(k, tc.path)
			if got.Err != err {
				t.Errorf("Device.Err = %v, want the returned error %v", got.Err, err)
			}
			for _, w := range tc.wantErr {
				if !errors.Is(err, w) {
					t.Errorf("error %v does not wrap %q", err, w)
				}
			}
			switch {
			case tc.wantErr == nil && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.errText != "" && (err == nil || err.Error() != tc.errText):
				t.Errorf("error %q, want %q", err, tc.errText)
			}
			tc.want.Path, got.Err = tc.path, nil
			got.All, got.AllErr = nil, nil // TestEnumControls's
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
			if n := k.openNow(); n != 0 {
				t.Errorf("%d descriptors left open", n)
			}
		})
	}
}
