package v4l2

import "testing"

func TestHasAndJPEG(t *testing.T) {
	mjpg := Format{FourCC: "MJPG", Compressed: true, Sizes: []Size{{1920, 1080}}}
	jpeg := Format{FourCC: "JPEG", Compressed: true}
	yuyv := Format{FourCC: "YUYV"}
	for _, tc := range []struct {
		name     string
		formats  []Format
		has      map[string]bool
		wantJPEG string // FourCC of JPEG(), "" for none
	}{
		{"webcam with MJPG", []Format{yuyv, mjpg}, map[string]bool{"MJPG": true, "YUYV": true, "mjpg": false, "JPEG": false}, "MJPG"},
		{"JPEG only", []Format{yuyv, jpeg}, map[string]bool{"JPEG": true, "MJPG": false}, "JPEG"},
		{"both: MJPG first", []Format{jpeg, yuyv, mjpg}, map[string]bool{"JPEG": true, "MJPG": true}, "MJPG"},
		{"raw Bayer only", []Format{{FourCC: "pRAA"}}, map[string]bool{"pRAA": true, "MJPG": false}, ""},
		{"no formats", nil, map[string]bool{"MJPG": false, "": false}, ""},
	} {
		d := Device{Path: "/dev/video0", Formats: tc.formats}
		for fourcc, want := range tc.has {
			if got := d.Has(fourcc); got != want {
				t.Errorf("%s: Has(%q) = %v, want %v", tc.name, fourcc, got, want)
			}
		}
		f, ok := d.JPEG()
		if ok != (tc.wantJPEG != "") || f.FourCC != tc.wantJPEG {
			t.Errorf("%s: JPEG() = %q, %v, want %q", tc.name, f.FourCC, ok, tc.wantJPEG)
		}
		if tc.wantJPEG == "MJPG" && len(f.Sizes) != 1 {
			t.Errorf("%s: JPEG() lost the sizes: %+v", tc.name, f)
		}
	}
}
