// Package filename checks the names of files that a directory's owner (the
// album, the notes) accepts from callers: plain, visible names of one kind,
// which cannot reach outside the directory whatever else they hold.
package filename

import (
	"fmt"
	"path/filepath"
	"strings"
)

// MaxLen is the longest file name most file systems take (NAME_MAX), in
// bytes.
const MaxLen = 255

// Check returns nil if name is a plain, visible file name ending in one of
// exts (such as ".jpg", compared in any case). Otherwise it returns an
// error matching invalid (errors.Is) that says why: the name is empty or
// longer than MaxLen bytes, contains a path separator ('/' or '\\'), ".."
// or a NUL byte, starts with a dot (hidden files, temp files, a trash), or
// has another extension. The message quotes the name with its control
// characters escaped, so it is safe to show; a name too long to be worth
// echoing is not quoted, its length is given instead.
//
// Any other byte is allowed, as a file system takes it: control
// characters, escape sequences, bidi overrides and invalid UTF-8. A file
// under such a name can still be listed, read and deleted, so a name that
// passes, and an error that carries one, must be sanitised before it is
// shown on a terminal.
func Check(name string, invalid error, exts ...string) error {
	if len(name) > MaxLen {
		return fmt.Errorf("%w (%d bytes): longer than %d bytes", invalid, len(name), MaxLen)
	}
	var why string
	switch {
	case name == "":
		why = "empty"
	case strings.ContainsAny(name, `/\`):
		why = "contains a path separator"
	case strings.Contains(name, ".."):
		why = `contains ".."`
	case strings.IndexByte(name, 0) >= 0:
		why = "contains a NUL byte"
	case name[0] == '.':
		why = "starts with a dot"
	case !hasExt(name, exts):
		why = "does not end in " + strings.Join(exts, " or ")
	default:
		return nil
	}
	// %q escapes control characters and invalid UTF-8.
	return fmt.Errorf("%w %q: %s", invalid, name, why)
}

// hasExt reports whether name's extension is one of exts, in any case.
func hasExt(name string, exts []string) bool {
	ext := filepath.Ext(name)
	for _, e := range exts {
		if strings.EqualFold(ext, e) {
			return true
		}
	}
	return false
}
