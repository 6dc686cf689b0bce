//go:build linux

package v4l2

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The C920's controls as AllControls lists them: in CID order, without the
// control classes and the disabled one, each with its value.
var wantC920Controls = []Control{
	{Name: "brightness", ID: cidBrightness, Type: TypeInt, Max: 255, Step: 1, Default: 128, Value: 128, HasValue: true},
	{Name: "white_balance_automatic", ID: cidAutoWhiteBalance, Type: TypeBool, Max: 1, Step: 1, Default: 1, Value: 1, HasValue: true},
	{Name: "power_line_frequency", ID: cidPowerLineFreq, Type: TypeMenu, Max: 2, Step: 1, Default: 2, Value: 2, HasValue: true},
	{Name: "white_balance_temperature", ID: cidWhiteBalanceTemp, Type: TypeInt, Min: 2000, Max: 6500, Step: 1, Default: 4000, Value: 4000, HasValue: true, Inactive: true},
	{Name: "auto_exposure", ID: cidExposureAuto, Type: TypeMenu, Max: 3, Step: 1, Default: 3, Value: 3, HasValue: true},
	{Name: "exposure_time_absolute", ID: cidExposureAbsolute, Type: TypeInt, Min: 3, Max: 2047, Step: 1, Default: 250, Value: 250, HasValue: true, Inactive: true},
	{Name: "focus_absolute", ID: cidFocusAbsolute, Type: TypeInt, Max: 250, Step: 5, HasValue: true, Inactive: true},
	{Name: "focus_automatic_continuous", ID: cidFocusAuto, Type: TypeBool, Max: 1, Step: 1, Default: 1, Value: 1, HasValue: true},
	{Name: "zoom_absolute", ID: cidZoomAbsolute, Type: TypeInt, Min: 100, Max: 500, Step: 1, Default: 100, Value: 100, HasValue: true},
	{Name: "camera_orientation", ID: cidCameraOrientation, Type: TypeMenu, Max: 2, Step: 1, HasValue: true, ReadOnly: true},
}

func TestControlName(t *testing.T) {
	for _, tc := range []struct{ driver, want string }{
		{"Focus, Automatic Continuous", "focus_automatic_continuous"},
		{"Focus (absolute)", "focus_absolute"},
		{"White Balance Temperature, Auto", "white_balance_temperature_auto"},
		{"Exposure Time, Absolute", "exposure_time_absolute"},
		{"Brightness", "brightness"},
		{"  Pan (Absolute)  ", "pan_absolute"},
		{"H264 I-Frame Period", "h264_i_frame_period"},
		{"Gain, Über", "gain_ber"}, // v4l2-ctl keeps ASCII letters and digits only
		{"--", ""},
		{"", ""},
	} {
		if got := ControlName(tc.driver); got != tc.want {
			t.Errorf("ControlName(%q) = %q, want %q", tc.driver, got, tc.want)
		}
	}
}

func TestEnumControls(t *testing.T) {
	for _, tc := range []struct {
		name string
		dev  *fakeDevice
		want []Control
	}{
		{name: "C920", dev: c920(), want: wantC920Controls},
		{name: "driver without V4L2_CTRL_FLAG_NEXT_CTRL: none listed, no error", dev: with(c920(), func(d *fakeDevice) { d.noNextCtrl = true })},
		{name: "a value that cannot be read is left unknown", dev: with(c920(), func(d *fakeDevice) {
			d.ctrls = map[uint32]*fakeCtrl{cidBrightness: {name: "Brightness", typ: TypeInt, max: 255, step: 1, value: 7, getErr: unix.EIO}}
		}), want: []Control{{Name: "brightness", ID: cidBrightness, Type: TypeInt, Max: 255, Step: 1}}},
		{name: "a button and an int64 have no value read", dev: with(c920(), func(d *fakeDevice) {
			d.ctrls = map[uint32]*fakeCtrl{
				0x00980911: {name: "Auto White Balance, Reset", typ: TypeButton, max: 0, step: 0, flags: ctrlFlagWriteOnly},
				0x009a0930: {name: "Big Number", typ: TypeInt64, max: 1 << 30, step: 1},
			}
		}), want: []Control{
			{Name: "auto_white_balance_reset", ID: 0x00980911, Type: TypeButton, Max: 1, Step: 1},
			{Name: "big_number", ID: 0x009a0930, Type: TypeInt64, Max: 1 << 30, Step: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := &fakeKernel{nodes: map[string]*fakeDevice{"/dev/video0": tc.dev}}
			all, err := allControls(k, "/dev/video0")
			if err != nil {
				t.Errorf("allControls: %v", err)
			}
			if !reflect.DeepEqual(all, tc.want) {
				t.Errorf("controls:\ngot  %+v\nwant %+v", all, tc.want)
			}
			if k.openFDs != 0 {
				t.Errorf("%d descriptors left open", k.openFDs)
			}
		})
	}
}

// Opening a camera reads no control's value and lists no controls
// (Describe), and setting controls reads none either: on a webcam each is
// a USB transfer. Only AllControls (--list-cameras) reads them.
func TestOnlyListingReadsControls(t *testing.T) {
	k := &fakeKernel{nodes: map[string]*fakeDevice{"/dev/video0": c920()}}
	d, err := describe(k, "/dev/video0")
	if err != nil {
		t.Fatal(err)
	}
	if d.All != nil || k.reads != 0 || k.queries > 2 {
		t.Errorf("describe listed %d controls with %d queries and %d reads, want none (the flips' 2 queries at most)", len(d.All), k.queries, k.reads)
	}
	if _, errs := setControls(k, "/dev/video0", Settings{{Name: "focus_automatic_continuous", Value: 0}}); len(errs) > 0 {
		t.Fatal(errs)
	}
	if k.reads != 0 {
		t.Errorf("setting a control read %d values, want 0", k.reads)
	}
	if _, err := allControls(k, "/dev/video0"); err != nil || k.reads == 0 {
		t.Errorf("allControls: %v after %d reads, want the values read", err, k.reads)
	}
}

// A query that fails part way keeps what was listed until then, and says
// why.
func TestEnumControlsFailsPartWay(t *testing.T) {
	k := &fakeKernel{nodes: map[string]*fakeDevice{"/dev/video0": c920()}}
	n, err := k.open("/dev/video0")
	if err != nil {
		t.Fatal(err)
	}
	defer n.close()
	got, err := enumControls(&failAfter{node: n, queries: 3, err: unix.EIO}, true)
	if !errors.Is(err, unix.EIO) || !reflect.DeepEqual(got, wantC920Controls[:2]) {
		t.Errorf("enumControls = %+v, %v; want the first two and EIO", got, err)
	}
}

// failAfter fails VIDIOC_QUERYCTRL after so many queries.
type failAfter struct {
	node
	queries int
	err     error
}

func (f *failAfter) ioctl(req uintptr, arg unsafe.Pointer) error {
	if req == vidiocQueryctrl {
		if f.queries--; f.queries < 0 {
			return f.err
		}
	}
	return f.node.ioctl(req, arg)
}

func TestSetControls(t *testing.T) {
	const p = "/dev/video0"
	for _, tc := range []struct {
		name     string
		dev      *fakeDevice
		want     string
		wantSet  string   // what SetControls says it set
		wantSets []string // the VIDIOC_S_CTRL calls, in order
		wantErrs []error  // what each error wraps, in order
		errText  []string // in each error, in order
	}{
		{name: "auto off before absolute, in the order given", dev: c920(),
			want:     "focus_automatic_continuous=0,focus_absolute=30,white_balance_automatic=0,white_balance_temperature=4500",
			wantSet:  "focus_automatic_continuous=0,focus_absolute=30,white_balance_automatic=0,white_balance_temperature=4500",
			wantSets: []string{p + " focus_automatic_continuous=0", p + " focus_absolute=30", p + " white_balance_automatic=0", p + " white_balance_temperature=4500"}},
		{name: "reverse order is kept too", dev: c920(), want: "focus_absolute=30,focus_automatic_continuous=0",
			wantSet: "focus_absolute=30,focus_automatic_continuous=0", wantSets: []string{p + " focus_absolute=30", p + " focus_automatic_continuous=0"}},
		{name: "the value the driver kept: rounded to the step", dev: c920(), want: "focus_absolute=32",
			wantSet: "focus_absolute=30", wantSets: []string{p + " focus_absolute=30"}},
		{name: "unknown name: warned with the device's names, the rest set", dev: c920(), want: "focus_auto=0,focus_absolute=30",
			wantSet: "focus_absolute=30", wantSets: []string{p + " focus_absolute=30"},
			wantErrs: []error{ErrNoControl}, errText: []string{p + ": focus_auto=0: no such control; the device has brightness, white_balance_automatic, power_line_frequency, white_balance_temperature, auto_exposure, exposure_time_absolute, focus_absolute, focus_automatic_continuous, zoom_absolute, camera_orientation"}},
		{name: "read-only", dev: c920(), want: "camera_orientation=1,brightness=100",
			wantSet: "brightness=100", wantSets: []string{p + " brightness=100"},
			wantErrs: []error{ErrReadOnly}, errText: []string{p + ": camera_orientation=1: menu control read-only"}},
		{name: "out of range", dev: c920(), want: "focus_absolute=300,zoom_absolute=99,brightness=-1,focus_automatic_continuous=2,power_line_frequency=1",
			wantSet: "power_line_frequency=1", wantSets: []string{p + " power_line_frequency=1"},
			wantErrs: []error{ErrOutOfRange, ErrOutOfRange, ErrOutOfRange, ErrOutOfRange},
			errText:  []string{"focus_absolute=300: out of range: min=0 max=250", "zoom_absolute=99: out of range: min=100 max=500", "brightness=-1: out of range: min=0 max=255", "focus_automatic_continuous=2: out of range: min=0 max=1"}},
		{name: "busy: the driver's error", dev: with(c920(), func(d *fakeDevice) { d.ctrls[cidFocusAuto].setErr = unix.EBUSY }),
			want: "focus_automatic_continuous=0,focus_absolute=30", wantSet: "focus_absolute=30", wantSets: []string{p + " focus_absolute=30"},
			wantErrs: []error{unix.EBUSY}, errText: []string{p + ": focus_automatic_continuous=0: VIDIOC_S_CTRL: device or resource busy"}},
		{name: "an int64 control is not supported", want: "big_number=5,brightness=1",
			dev: with(c920(), func(d *fakeDevice) {
				d.ctrls[0x009a0930] = &fakeCtrl{name: "Big Number", typ: TypeInt64, max: 1 << 30, step: 1}
			}),
			wantSet: "brightness=1", wantSets: []string{p + " brightness=1"},
			wantErrs: []error{ErrUnsupportedType}, errText: []string{"big_number=5: int64 control not supported"}},
		{name: "a compound control is listed, and not supported", want: "roi=1,brightness=1",
			dev: with(c920(), func(d *fakeDevice) {
				d.ctrls[0x009a1901] = &fakeCtrl{name: "ROI", typ: TypeU8, max: 255, step: 1}
			}),
			wantSet: "brightness=1", wantSets: []string{p + " brightness=1"},
			wantErrs: []error{ErrUnsupportedType}, errText: []string{"roi=1: u8 control not supported"}},
		{name: "a driver that lists none: each name unknown", dev: with(c920(), func(d *fakeDevice) { d.noNextCtrl = true }),
			want: "brightness=1", wantErrs: []error{ErrNoControl}, errText: []string{"brightness=1: no such control; the device lists none"}},
		{name: "busy device", dev: &fakeDevice{openErr: unix.EBUSY}, want: "brightness=1", wantErrs: []error{unix.EBUSY}, errText: []string{"open " + p}},
		{name: "nothing asked: the device is not opened", dev: &fakeDevice{openErr: unix.EBUSY}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := ParseSettings(tc.want)
			if err != nil {
				t.Fatal(err)
			}
			k := &fakeKernel{nodes: map[string]*fakeDevice{p: tc.dev}}
			set, errs := setControls(k, p, want)
			if set.String() != tc.wantSet {
				t.Errorf("set %q, want %q", set, tc.wantSet)
			}
			if !reflect.DeepEqual(k.setCtrl, tc.wantSets) {
				t.Errorf("VIDIOC_S_CTRL calls %q, want %q", k.setCtrl, tc.wantSets)
			}
			if len(errs) != len(tc.wantErrs) {
				t.Fatalf("errors %q, want %d", errs, len(tc.wantErrs))
			}
			for i, err := range errs {
				if !errors.Is(err, tc.wantErrs[i]) || !strings.Contains(err.Error(), tc.errText[i]) || !strings.Contains(err.Error(), p) {
					t.Errorf("error %d: %q, want one wrapping %q, naming %s, saying %q", i, err, tc.wantErrs[i], p, tc.errText[i])
				}
			}
			if n := k.openNow(); n != 0 {
				t.Errorf("%d descriptors left open", n)
			}
		})
	}
}
