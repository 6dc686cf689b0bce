package bytesize

import "testing"

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1 KB"},
		{1535, "1 KB"},
		{1536, "2 KB"}, // rounded, not truncated
		{12*1024 + 900, "13 KB"},
		{1<<20 - 513, "1023 KB"},
		{1<<20 - 512, "1.0 MB"}, // not "1024 KB"
		{1 << 20, "1.0 MB"},
		{2_516_582, "2.4 MB"},
		{5 << 30, "5120.0 MB"},
	} {
		if got := Format(tc.n); got != tc.want {
			t.Errorf("Format(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
