package rpicam

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"pistream/internal/termtext"
	"sync"
)

const (
	maxLine   = 4 << 10 // a longer stderr line is passed on in pieces
	tailLines = 5       // stderr lines kept for the error when the child exits
)

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
// without its line ending and with control characters made visible, to
// each (if not nil) and to tail (if not nil).
func readLines(r io.Reader, each func(string), tail *lineTail) {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		b, err := br.ReadSlice('\n')
		if len(b) > 0 {
			if line := cleanLine(b); line != "" {
				if tail != nil {
					tail.add(line)
				}
				if each != nil {
					each(line)
				}
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// cleanLine trims a line and neutralises control characters and escape
// sequences (termtext.SanitizeName), so that a child's output never
// drives a terminal through the log.
func cleanLine(b []byte) string {
	return termtext.SanitizeName(string(bytes.TrimRight(b, "\r\n \t")))
}
