package v4l2

import (
	"strings"
	"testing"
)

func TestParseSettings(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    string // Settings.String of the result
		wantErr string // in the error; "" for none
	}{
		{in: "", want: ""},
		{in: "  ", want: ""},
		{in: "focus_automatic_continuous=0,focus_absolute=30", want: "focus_automatic_continuous=0,focus_absolute=30"},
		{in: " focus_absolute = 30 , zoom_absolute=-1", want: "focus_absolute=30,zoom_absolute=-1"},
		{in: "exposure_time_absolute=+250", want: "exposure_time_absolute=250"},
		{in: "focus_absolute=30,", wantErr: `an empty control in "focus_absolute=30,"`},
		{in: "focus_absolute", wantErr: `"focus_absolute": want name=value`},
		{in: "Focus_Absolute=30", wantErr: `"Focus_Absolute": a control name is made of a-z, 0-9 and _`},
		{in: "focus absolute=30", wantErr: `"focus absolute": a control name`},
		{in: "=30", wantErr: `"": a control name`},
		{in: "focus_absolute=thirty", wantErr: "focus_absolute=thirty: the value is not an integer"},
		{in: "focus_absolute=", wantErr: "focus_absolute=: the value is not an integer"},
		{in: "focus_absolute=1.5", wantErr: "focus_absolute=1.5: the value is not an integer"},
		{in: "focus_absolute=3000000000", wantErr: "focus_absolute=3000000000: the value is beyond a 32-bit integer"},
		{in: "focus_absolute=30,brightness=1,focus_absolute=40", wantErr: `"focus_absolute" is given twice`},
	} {
		got, err := ParseSettings(tc.in)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ParseSettings(%q): %v", tc.in, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ParseSettings(%q) error %v, want one saying %q", tc.in, err, tc.wantErr)
		case tc.wantErr == "" && got.String() != tc.want:
			t.Errorf("ParseSettings(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
