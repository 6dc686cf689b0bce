// Package termtext makes untrusted text safe to show on a terminal: file
// names, error messages that carry them, note contents. [Sanitize] and
// [SanitizeName] turn control characters, bidi overrides and invalid UTF-8
// into visible symbols; [OnlySGR] keeps a renderer's colour sequences and
// drops every other escape sequence; [SafeANSI] checks the result.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize neutralises everything in s that could drive a terminal, keeping
// the text readable:
//
//   - C0 controls other than '\n' and '\t' (including ESC) become the
//     matching Unicode control picture (ESC → "␛", NUL → "␀"), DEL becomes "␡";
//   - "\r\n" becomes "\n" and a lone '\r' becomes "␍";
//   - C1 controls (U+0080–U+009F) and the bidi embedding, override and
//     isolate characters (U+202A–U+202E, U+2066–U+2069) become "<U+XXXX>";
//   - invalid UTF-8 bytes become U+FFFD.
//
// The result is valid UTF-8 and contains no byte 0x00–0x08, 0x0B–0x1F or
// 0x7F and no C1 code point.
func Sanitize(s string) string {
	return sanitize(s, false)
}

// SanitizeName is [Sanitize] for a one-line label (a name, a title, an
// error message): '\n' and '\t' become
// visible too ("␊", "␉"), so the result is a single line.
func SanitizeName(s string) string {
	return sanitize(s, true)
}

// sanitize implements Sanitize and SanitizeName.
func sanitize(s string, oneLine bool) string {
	if clean(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r' && !oneLine && i < len(s) && s[i] == '\n':
			// Drop the '\r' of "\r\n"; the '\n' follows.
		case (r == '\n' || r == '\t') && !oneLine:
			b.WriteRune(r)
		case r < 0x20:
			b.WriteRune(0x2400 + r) // control pictures: ␀ … ␟
		case r == 0x7f:
			b.WriteRune('␡')
		case unsafeRune(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clean reports whether sanitize would return s unchanged.
func clean(s string, oneLine bool) bool {
	for i, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if oneLine {
				return false
			}
		case r < 0x20 || r == 0x7f || unsafeRune(r):
			return false
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return false // invalid UTF-8
		}
	}
	return true
}

// unsafeRune reports whether r is a C1 control or a bidi embedding, override
// or isolate character.
func unsafeRune(r rune) bool {
	return r >= 0x80 && r <= 0x9f ||
		r >= 0x202a && r <= 0x202e ||
		r >= 0x2066 && r <= 0x2069
}
