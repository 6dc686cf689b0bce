package rpicam

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits of the splitter.
const (
	MaxFrame   = 32 << 20 // bytes of one JPEG
	MaxGarbage = 4 << 20  // bytes that are not part of a JPEG, between two frames
	readBuffer = 256 << 10
)

var (
	// ErrFrameTooLarge: a JPEG grew beyond MaxFrame without ending.
	ErrFrameTooLarge = errors.New("rpicam: JPEG too large")
	// ErrNoJPEG: MaxGarbage bytes went by without a complete JPEG.
	ErrNoJPEG = errors.New("rpicam: no JPEG in the output")
)

// scanState is where the splitter is in the byte stream.
type scanState uint8

const (
	stSearch  scanState = iota // before a frame: looking for SOI (FF D8)
	stMarker                   // in a frame, where a marker (FF xx) must come
	stSkip                     // in a marker segment: skipping its payload
	stEntropy                  // in entropy-coded data after SOS: looking for a marker
)

// splitter cuts a stream of concatenated JPEGs into frames. It follows the
// JPEG structure rather than searching for FF D9: marker segments (APPn, COM,
// DQT, DHT, SOF, SOS headers) are skipped by their length, so an EXIF
// thumbnail's own FF D8 … FF D9 inside APP1 doesn't end the frame; in the
// entropy-coded data, FF 00 (stuffing) and FF D0..D7 (restart markers) are
// data, and any other marker ends the scan (EOI ends the frame; DHT and SOS
// of progressive JPEGs are segments again).
//
// Bytes outside a frame, and frames broken off by a new SOI or by a byte that
// can't start a marker, are discarded; more than maxGarbage of them in a row
// is an error. So is a frame longer than maxFrame.
type splitter struct {
	r          *bufio.Reader
	maxFrame   int
	maxGarbage int

	st      scanState
	after   scanState // the state after the segment being skipped
	skip    int       // payload bytes left of the segment being skipped
	inFrame bool
	frame   []byte // the current frame's bytes before the buffered chunk
	garbage int    // bytes discarded since the last frame
	last    int    // size of the last frame, to size the next one's buffer
	err     error  // sticky: once set, next returns it
}

func newSplitter(r io.Reader) *splitter {
	return &splitter{
		r:          bufio.NewReaderSize(r, readBuffer),
		maxFrame:   MaxFrame,
		maxGarbage: MaxGarbage,
		last:       64 << 10,
	}
}

// next returns the next complete JPEG, in a slice of its own. At the end of
// the input it returns io.EOF, or an error wrapping io.ErrUnexpectedEOF if
// the input ended inside a frame; a read error is returned as it is. Errors
// are sticky.
func (s *splitter) next() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	need := 1 // bytes scan needs buffered to make progress
	for {
		if _, err := s.r.Peek(need); err != nil {
			s.err = s.endErr(err)
			return nil, s.err
		}
		b, _ := s.r.Peek(s.r.Buffered())
		n, nd, done, err := s.scan(b)
		_, _ = s.r.Discard(n) // n <= len(b): can't fail
		if err != nil {
			s.err = err
			return nil, err
		}
		if done {
			f := s.frame
			s.frame, s.inFrame, s.garbage, s.last = nil, false, 0, len(f)
			return f, nil
		}
		need = max(nd, 1)
	}
}

// endErr turns the error that ended the input into next's error.
func (s *splitter) endErr(err error) error {
	if !errors.Is(err, io.EOF) {
		return err
	}
	if s.inFrame {
		n := len(s.frame) + s.r.Buffered()
		return fmt.Errorf("rpicam: output ended inside a JPEG, %d bytes cut off: %w", n, io.ErrUnexpectedEOF)
	}
	return io.EOF
}

// scan parses the buffered bytes b from the current state. It returns how
// many it consumed (the current frame's share of them is appended to
// s.frame), and either done (the frame is complete), or need > 0 (the bytes
// from n on are the start of a marker that needs need bytes to be read), or
// neither (all of b was consumed).
//
// The loop runs once per marker or per chunk, never per byte: the search for
// FF is bytes.IndexByte, and frame bytes are appended once per call.
func (s *splitter) scan(b []byte) (n, need int, done bool, err error) {
	i := 0
	start := -1 // where the current frame's bytes in b begin, if in a frame
	if s.inFrame {
		start = 0
	}
	for i < len(b) {
		switch s.st {
		case stSearch:
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 {
				s.garbage += len(b) - i
				i = len(b)
				break
			}
			s.garbage += j
			i += j
			if i+1 == len(b) {
				return i, 2, false, s.checkGarbage()
			}
			if b[i+1] != 0xD8 {
				s.garbage++
				i++
				break
			}
			start = s.begin(i)
			i += 2
			s.st = stMarker

		case stMarker:
			if b[i] != 0xFF { // not a JPEG after all, or a broken one
				s.drop(i - start)
				start = -1
				s.st = stSearch
				break
			}
			if i+1 == len(b) {
				s.keep(b[start:i])
				return i, 2, false, nil
			}
			switch m := b[i+1]; {
			case m == 0xFF: // fill byte before a marker
				i++
			case m == 0xD9: // EOI
				i += 2
				s.finish(b[start:i])
				if len(s.frame) > s.maxFrame {
					return i, 0, false, fmt.Errorf("%w: %d bytes, more than %d", ErrFrameTooLarge, len(s.frame), s.maxFrame)
				}
				s.st = stSearch
				return i, 0, true, nil
			case m == 0xD8: // SOI: this frame was cut off, a new one starts
				s.drop(i - start)
				start = s.begin(i)
				i += 2
			case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // TEM, RSTn: no payload
				i += 2
			case m == 0x00: // not a marker
				s.drop(i - start)
				start = -1
				s.st = stSearch
			default: // a segment: FF xx, 2-byte length including itself, payload
				if i+4 > len(b) {
					s.keep(b[start:i])
					return i, 4, false, nil
				}
				l := int(b[i+2])<<8 | int(b[i+3])
				if l < 2 {
					s.drop(i - start)
					start = -1
					s.st = stSearch
					break
				}
				i += 4
				s.skip = l - 2
				s.after = stMarker
				if m == 0xDA { // SOS: entropy-coded data follows its header
					s.after = stEntropy
				}
				s.st = stSkip
				if s.skip == 0 {
					s.st = s.after
				}
			}

		case stSkip:
			k := min(s.skip, len(b)-i)
			i += k
			s.skip -= k
			if s.skip == 0 {
				s.st = s.after
			}

		case stEntropy:
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 {
				i = len(b)
				break
			}
			i += j
			for i+1 < len(b) && b[i+1] == 0xFF { // fill bytes: the last FF counts
				i++
			}
			if i+1 == len(b) {
				s.keep(b[start:i])
				return i, 2, false, nil
			}
			if m := b[i+1]; m == 0x00 || (m >= 0xD0 && m <= 0xD7) {
				i += 2 // stuffed FF (after fill bytes, as libjpeg reads it) or restart marker: still data
				break
			}
			s.st = stMarker // EOI, or a segment between scans
		}
		if start >= 0 && len(s.frame)+i-start > s.maxFrame {
			s.keep(b[start:i])
			return i, 0, false, fmt.Errorf("%w: over %d bytes without an end", ErrFrameTooLarge, s.maxFrame)
		}
		if err := s.checkGarbage(); err != nil {
			return i, 0, false, err
		}
	}
	if start >= 0 {
		s.keep(b[start:i])
	}
	return i, 0, false, nil
}

// begin starts a frame at b[i] and returns i.
func (s *splitter) begin(i int) int {
	s.inFrame = true
	return i
}

// keep appends bytes of the current frame, which goes on after them: its
// buffer is sized for a frame like the last.
func (s *splitter) keep(p []byte) {
	if s.frame == nil {
		s.frame = make([]byte, 0, max(len(p), s.last+s.last/8+4096))
	}
	s.frame = append(s.frame, p...)
}

// finish appends the last bytes of the current frame. A frame that came in
// one read is copied once into a buffer of its size, which is not zeroed
// first: most frames, at a third less memory and work than a buffer sized
// ahead.
func (s *splitter) finish(p []byte) {
	if s.frame == nil {
		s.frame = append([]byte(nil), p...)
		return
	}
	s.frame = append(s.frame, p...)
}

// drop discards the current frame, of which n bytes are in the chunk being
// scanned; its buffer is reused for the next.
func (s *splitter) drop(n int) {
	s.garbage += len(s.frame) + n
	s.frame = s.frame[:0]
	s.inFrame = false
}

func (s *splitter) checkGarbage() error {
	if s.garbage > s.maxGarbage {
		return fmt.Errorf("%w: %d bytes without a complete JPEG", ErrNoJPEG, s.garbage)
	}
	return nil
}
