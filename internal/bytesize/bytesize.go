// Package bytesize says a number of bytes the way a person reads it, the
// same in the TUI and on the web page: "812 B", "13 KB", "2.4 MB".
package bytesize

import "strconv"

// Format returns n bytes in B below 1 KB, in whole KB (rounded) below
// 1 MB, and in MB with one decimal from there, where KB is 1024 bytes and
// MB 1024 KB. A size that rounds to 1024 KB is said in MB.
func Format(n int64) string {
	const kb, mb = 1 << 10, 1 << 20
	switch {
	case n < kb:
		return strconv.FormatInt(n, 10) + " B"
	case n < mb-kb/2:
		return strconv.FormatInt((n+kb/2)/kb, 10) + " KB"
	default:
		return strconv.FormatFloat(float64(n)/mb, 'f', 1, 64) + " MB"
	}
}
