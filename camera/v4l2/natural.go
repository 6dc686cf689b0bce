package v4l2

import (
	"cmp"
	"strings"
)

// naturalCompare orders strings with their runs of digits compared as
// numbers, so /dev/video2 comes before /dev/video10. It returns -1, 0 or
// +1 like strings.Compare.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da == 0 || db == 0 {
			if a[0] != b[0] {
				return cmp.Compare(a[0], b[0])
			}
			a, b = a[1:], b[1:]
			continue
		}
		na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
		if c := cmp.Compare(len(na), len(nb)); c != 0 { // more digits, bigger number
			return c
		}
		if c := strings.Compare(na, nb); c != 0 {
			return c
		}
		if c := cmp.Compare(da, db); c != 0 { // the same number: "1" before "01"
			return c
		}
		a, b = a[da:], b[db:]
	}
	return cmp.Compare(len(a), len(b))
}

// digits returns how many ASCII digits s starts with.
func digits(s string) int {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
