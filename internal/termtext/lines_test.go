package termtext

import (
	"slices"
	"strings"
	"testing"
)

func TestReadLines(t *testing.T) {
	long := strings.Repeat("x", MaxLine+10)
	tests := []struct {
		name, in string
		want     []string
	}{
		{"lines", "a\nb\r\nc", []string{"a", "b", "c"}},
		{"blank lines skipped", "a\n\n  \t\r\nb\n", []string{"a", "b"}},
		{"a long line in pieces", long + "\n", []string{long[:MaxLine], long[MaxLine:]}},
		{"raw", "\x1b[31mred\x1b[0m\n", []string{"\x1b[31mred\x1b[0m"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			ReadLines(strings.NewReader(tt.in), func(l string) { got = append(got, l) })
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
