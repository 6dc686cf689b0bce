// Package jpegmark checks that bytes are one complete JPEG by its markers:
// the start-of-image marker first and the end-of-image marker last. It is
// the check the camera, the album and the tests share; it decodes nothing.
package jpegmark

import (
	"bytes"
	"errors"
)

// ErrIncomplete says bytes are not one complete JPEG.
var ErrIncomplete = errors.New("not a complete JPEG (FF D8 … FF D9)")

// Check reports whether b starts with FF D8 and ends with FF D9.
func Check(b []byte) error {
	if len(b) < 4 || !bytes.HasPrefix(b, []byte{0xFF, 0xD8}) || !bytes.HasSuffix(b, []byte{0xFF, 0xD9}) {
		return ErrIncomplete
	}
	return nil
}
