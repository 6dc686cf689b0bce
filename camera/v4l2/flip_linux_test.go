//go:build linux

package v4l2

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSetFlip(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dev      *fakeDevice
		h, v     bool
		wantDone Controls
		wantSets []string
		wantErr  error
	}{
		{name: "webcam without flips: all in software", dev: c920(), h: true, v: true},
		{name: "both in hardware", dev: unicam(), h: true, v: true, wantDone: Controls{true, true},
			wantSets: []string{"/dev/video0 hflip=1", "/dev/video0 vflip=1"}},
		{name: "off is set too, undoing an earlier run", dev: unicam(), h: false, v: true, wantDone: Controls{true, true},
			wantSets: []string{"/dev/video0 hflip=0", "/dev/video0 vflip=1"}},
		{name: "nothing asked, both reset", dev: mmal(), wantDone: Controls{true, true},
			wantSets: []string{"/dev/video0 hflip=0", "/dev/video0 vflip=0"}},
		{name: "only vflip on the device", dev: with(unicam(), func(d *fakeDevice) { delete(d.ctrls, cidHFlip) }), h: true, v: true,
			wantDone: Controls{VFlip: true}, wantSets: []string{"/dev/video0 vflip=1"}},
		{name: "read-only and disabled controls are left alone", h: true, v: true,
			dev: with(unicam(), func(d *fakeDevice) {
				d.ctrls = map[uint32]*fakeCtrl{cidHFlip: {flags: ctrlFlagReadOnly}, cidVFlip: {flags: ctrlFlagDisabled}}
			})},
		{name: "hflip grabbed while another program streams", h: true, v: true,
			dev:      with(unicam(), func(d *fakeDevice) { d.ctrls[cidHFlip] = &fakeCtrl{flags: 0x0002, setErr: unix.EBUSY} }),
			wantDone: Controls{VFlip: true}, wantSets: []string{"/dev/video0 vflip=1"}, wantErr: unix.EBUSY},
		{name: "busy device", dev: &fakeDevice{openErr: unix.EBUSY}, h: true, wantErr: unix.EBUSY},
		{name: "not V4L2", dev: &fakeDevice{notV4L2: true}, h: true, v: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := &fakeKernel{nodes: map[string]*fakeDevice{"/dev/video0": tc.dev}}
			done, err := setFlip(k, "/dev/video0", tc.h, tc.v)
			if done != tc.wantDone {
				t.Errorf("done = %+v, want %+v", done, tc.wantDone)
			}
			switch {
			case tc.wantErr == nil && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("error %v, want one wrapping %q", err, tc.wantErr)
			case err != nil && !strings.Contains(err.Error(), "/dev/video0"):
				t.Errorf("error %q does not name the device", err)
			}
			if !reflect.DeepEqual(k.setCtrl, tc.wantSets) {
				t.Errorf("VIDIOC_S_CTRL calls %q, want %q", k.setCtrl, tc.wantSets)
			}
			if n := k.openNow(); n != 0 {
				t.Errorf("%d descriptors left open", n)
			}
		})
	}
}
