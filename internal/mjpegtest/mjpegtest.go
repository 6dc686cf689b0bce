// Package mjpegtest reads a multipart/x-mixed-replace MJPEG feed part by
// part, as the tests and benchmarks of pistream's /stream do. Only tests
// import it.
package mjpegtest

import (
	"bufio"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// Part is one frame read from a /stream response.
type Part struct {
	JPEG []byte
	Time time.Time // from X-Timestamp
}

// PartReader reads the parts of a multipart/x-mixed-replace feed, each by
// its Content-Length, so a part is complete as soon as its bytes are in
// (a mime/multipart reader only ends a part when the next boundary arrives,
// one frame late).
type PartReader struct {
	r        *textproto.Reader
	br       *bufio.Reader
	boundary string
}

// NewPartReader reads parts separated by boundary from the body of a
// /stream response.
func NewPartReader(body io.Reader, boundary string) *PartReader {
	br := bufio.NewReaderSize(body, 64<<10)
	return &PartReader{r: textproto.NewReader(br), br: br, boundary: boundary}
}

// Next reads the next part. buf is reused for the JPEG when large enough.
func (p *PartReader) Next(buf []byte) (Part, error) {
	var line string
	var err error
	for line == "" { // skip the CRLF that ends the previous part
		if line, err = p.r.ReadLine(); err != nil {
			return Part{}, err
		}
	}
	if line != "--"+p.boundary {
		return Part{}, fmt.Errorf("want boundary, got %q", line)
	}
	h, err := p.r.ReadMIMEHeader()
	if err != nil {
		return Part{}, fmt.Errorf("part header: %w", err)
	}
	if ct := h.Get("Content-Type"); ct != "image/jpeg" {
		return Part{}, fmt.Errorf("part Content-Type %q", ct)
	}
	n, err := strconv.Atoi(h.Get("Content-Length"))
	if err != nil || n <= 0 {
		return Part{}, fmt.Errorf("part Content-Length %q", h.Get("Content-Length"))
	}
	ts, err := ParseTimestamp(h.Get("X-Timestamp"))
	if err != nil {
		return Part{}, err
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(p.br, buf); err != nil {
		return Part{}, fmt.Errorf("part body: %w", err)
	}
	return Part{JPEG: buf, Time: ts}, nil
}

// ParseTimestamp parses an X-Timestamp value (Unix seconds with a fraction).
func ParseTimestamp(s string) (time.Time, error) {
	sec, frac, _ := strings.Cut(s, ".")
	secs, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("X-Timestamp %q: %w", s, err)
	}
	var ns int64
	if frac != "" {
		frac = (frac + "000000000")[:9]
		if ns, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return time.Time{}, fmt.Errorf("X-Timestamp %q: %w", s, err)
		}
	}
	return time.Unix(secs, ns), nil
}
