package jpegmark

import "testing"

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		b  []byte
		ok bool
	}{
		{[]byte{0xFF, 0xD8, 0xFF, 0xD9}, true},
		{[]byte{0xFF, 0xD8, 1, 2, 0xFF, 0xD9}, true},
		{[]byte{0xFF, 0xD8, 0xFF}, false},
		{[]byte{0xFF, 0xD8, 1, 2, 0xFF, 0xD9, 0}, false},
		{[]byte{0xD8, 0xFF, 1, 0xFF, 0xD9}, false},
		{nil, false},
	} {
		if err := Check(tc.b); (err == nil) != tc.ok {
			t.Errorf("Check(% X) = %v, want ok=%v", tc.b, err, tc.ok)
		}
	}
}
