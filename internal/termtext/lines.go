package termtext

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// MaxLine is the longest line ReadLines passes on whole; a longer one
// comes in pieces of this size.
const MaxLine = 4 << 10

// ReadLines reads untrusted output (a child's or a C library's stderr)
// until it ends or fails, and passes each line that is not blank to each,
// without its line ending. The line is raw: sanitize it (SanitizeName)
// before it reaches a terminal or a log.
func ReadLines(r io.Reader, each func(line string)) {
	br := bufio.NewReaderSize(r, MaxLine)
	for {
		b, err := br.ReadSlice('\n')
		if line := strings.TrimRight(string(b), "\r\n"); strings.TrimSpace(line) != "" {
			each(line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}
