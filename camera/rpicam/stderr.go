package rpicam

import (
	"io"
	"pistream/internal/termtext"
	"strings"
	"sync"
)

const tailLines = 5 // stderr lines kept for the error when the child exits

// lineTail keeps the last few lines of a child's stderr.
type lineTail struct {
	mu    sync.Mutex
	lines []string
}

func (t *lineTail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == tailLines {
		copy(t.lines, t.lines[1:])
		t.lines = t.lines[:tailLines-1]
	}
	t.lines = append(t.lines, line)
}

func (t *lineTail) last() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.lines...)
}

// readLines reads r until it ends or fails, passing every non-empty line,
// without its line ending and trailing blanks and with control characters
// and escape sequences made visible (termtext.SanitizeName, so that a
// child's output never drives a terminal through the log), to each (if
// not nil) and to tail (if not nil).
func readLines(r io.Reader, each func(string), tail *lineTail) {
	termtext.ReadLines(r, func(raw string) {
		line := cleanLine(raw)
		if tail != nil {
			tail.add(line)
		}
		if each != nil {
			each(line)
		}
	})
}

// cleanLine trims a line's ending and trailing blanks and neutralises
// control characters and escape sequences (termtext.SanitizeName).
func cleanLine(s string) string {
	return termtext.SanitizeName(strings.TrimRight(s, "\r\n \t"))
}
