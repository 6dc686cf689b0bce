package v4l2

import (
	"slices"
	"testing"
)

func TestNaturalCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"/dev/video2", "/dev/video10", -1},
		{"/dev/video10", "/dev/video2", +1},
		{"/dev/video10", "/dev/video10", 0},
		{"/dev/video9", "/dev/video10", -1},
		{"/dev/video1", "/dev/video01", -1},
		{"/dev/video007", "/dev/video8", -1},
		{"/dev/video", "/dev/video0", -1},
		{"/dev/video1a", "/dev/video1b", -1},
		{"/dev/video2x10", "/dev/video2x9", +1},
		{"/dev/video99999999999999999999", "/dev/video100000000000000000000", -1},
		{"", "", 0},
		{"a", "", +1},
	} {
		if got := naturalCompare(tc.a, tc.b); got != tc.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestNaturalSort(t *testing.T) {
	got := []string{"/dev/video10", "/dev/video1", "/dev/video21", "/dev/video2", "/dev/video0", "/dev/video13", "/dev/video3"}
	want := []string{"/dev/video0", "/dev/video1", "/dev/video2", "/dev/video3", "/dev/video10", "/dev/video13", "/dev/video21"}
	slices.SortFunc(got, naturalCompare)
	if !slices.Equal(got, want) {
		t.Errorf("sorted %q, want %q", got, want)
	}
}
