package camera

import (
	"math"
	"strings"
	"testing"
)

func TestParseFocus(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Focus
		str     string // its String, as /state and --print-config show it
		wantErr string // "" for valid
	}{
		{"", Focus{}, "default", ""},
		{"default", Focus{}, "default", ""},
		{"continuous", Focus{Mode: FocusContinuous}, "continuous", ""},
		{"Continuous", Focus{Mode: FocusContinuous}, "continuous", ""},
		{"infinity", Focus{Mode: FocusFixed}, "infinity", ""},
		{"inf", Focus{Mode: FocusFixed}, "infinity", ""},
		{"40cm", Focus{Mode: FocusFixed, Dioptres: 2.5}, "40cm", ""},
		{"1.5m", Focus{Mode: FocusFixed, Dioptres: 1 / 1.5}, "1.5m", ""},
		{"250mm", Focus{Mode: FocusFixed, Dioptres: 4}, "25cm", ""},
		{"2 m", Focus{Mode: FocusFixed, Dioptres: 0.5}, "2m", ""},
		{"1cm", Focus{Mode: FocusFixed, Dioptres: 100}, "1cm", ""},
		{"1m", Focus{Mode: FocusFixed, Dioptres: 1}, "1m", ""},
		{"5mm", Focus{}, "", "at least 1cm"},
		{"0m", Focus{}, "", "at least 1cm"},
		{"-1m", Focus{}, "", "at least 1cm"},
		{"40", Focus{}, "", "a distance such as 40cm"},
		{"auto", Focus{}, "", "want default, continuous, infinity"},
		{"NaNm", Focus{}, "", "want default, continuous"},
		{"infm", Focus{}, "", "want default, continuous"},
		{"m", Focus{}, "", "want default, continuous"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFocus(tt.in)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFocus(%q) = %+v, %v; want an error saying %q", tt.in, got, err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatalf("ParseFocus(%q): %v", tt.in, err)
			}
			if got.Mode != tt.want.Mode || math.Abs(got.Dioptres-tt.want.Dioptres) > 1e-9 {
				t.Errorf("ParseFocus(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("ParseFocus(%q).String() = %q, want %q", tt.in, s, tt.str)
			}
			if again, err := ParseFocus(got.String()); err != nil || again != got && math.Abs(again.Dioptres-got.Dioptres) > 1e-9 {
				t.Errorf("%q does not read back: %+v, %v", got.String(), again, err)
			}
		})
	}
}

// A camera that can't focus as asked says so in its status and once in
// the log, and streams all the same.
func TestFocusUnsupported(t *testing.T) {
	for _, tt := range []struct {
		focus string
		want  string
	}{{"", "none"}, {"40cm", "unsupported"}, {"continuous", "unsupported"}} {
		t.Run(tt.focus, func(t *testing.T) {
			f, err := ParseFocus(tt.focus)
			if err != nil {
				t.Fatal(err)
			}
			c, logs := startLogged(t, Config{Spec: "test", Settings: Settings{Width: 160, Height: 120, FPS: 30}, Focus: f})
			frames(t, c, 2, 160, 120)
			st := waitState(t, c, "streaming", func(s Status) bool { return s.State == StateStreaming && s.FocusBy != "" })
			if st.FocusBy != tt.want || st.Focus != f {
				t.Errorf("focus %v by %q, want %v by %q", st.Focus, st.FocusBy, f, tt.want)
			}
			warned := strings.Count(logs.String(), "--focus is for a Camera Module")
			if want := map[bool]int{true: 1, false: 0}[tt.want == "unsupported"]; warned != want {
				t.Errorf("%d focus warnings in the log, want %d:\n%s", warned, want, logs.String())
			}
		})
	}
}
