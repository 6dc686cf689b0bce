package album

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"pistream/internal/filename"
)

// ErrInvalidName is matched (errors.Is) by every error of ValidName.
var ErrInvalidName = errors.New("invalid photo name")

// maxNameLen is the longest file name most file systems take (NAME_MAX).
const maxNameLen = filename.MaxLen

// ValidName returns nil if name may name a photo: a plain, visible JPEG file
// name in the photo directory itself. It refuses, with an error matching
// ErrInvalidName that says why, a name that is empty or longer than 255
// bytes, contains a path separator ('/' or '\\'), ".." or a NUL byte,
// starts with a dot (hidden files, Save's temp files, the trash), or does
// not end in ".jpg" or ".jpeg" (any case). The error quotes the name with
// its control characters escaped, so its message is safe to show.
//
// Any other byte is allowed, as a file system takes it: control characters
// such as ESC, BEL, CR and LF, DEL, C1 controls, format characters such as
// bidi overrides, and invalid UTF-8. A photo copied into the directory under
// such a name is still listed and can be read and deleted. So a name that
// passes ValidName, and an error that carries one, must be sanitised before
// it is shown on a terminal.
func ValidName(name string) error {
	return filename.Check(name, ErrInvalidName, ".jpg", ".jpeg")
}

// nameLayout is the time part of the names Save gives photos. Names in this
// layout sort in time order.
const nameLayout = "2006-01-02_15-04-05.000"

// photoName returns the n-th candidate name (n ≥ 1) for a photo taken at t:
// "2006-01-02_15-04-05.000.jpg", then "…-2.jpg", "…-3.jpg" and so on.
func photoName(t time.Time, n int) string {
	name := t.Local().Format(nameLayout)
	if n > 1 {
		name += "-" + strconv.Itoa(n)
	}
	return name + ".jpg"
}

// parsePhotoName undoes photoName. It reports false for other names.
func parsePhotoName(name string) (t time.Time, n int, ok bool) {
	if len(name) < len(nameLayout) {
		return time.Time{}, 0, false
	}
	stamp, rest := name[:len(nameLayout)], name[len(nameLayout):]
	rest, found := strings.CutSuffix(rest, ".jpg")
	if !found {
		return time.Time{}, 0, false
	}
	n = 1
	if rest != "" {
		digits, found := strings.CutPrefix(rest, "-")
		var err error
		if n, err = strconv.Atoi(digits); !found || err != nil || n < 2 {
			return time.Time{}, 0, false
		}
	}
	t, err := time.ParseInLocation(nameLayout, stamp, time.Local)
	if err != nil {
		return time.Time{}, 0, false
	}
	return t, n, true
}
