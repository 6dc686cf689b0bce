package rpicam

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
)

// chunkReader returns 1 to 7 bytes of r at a time, in a fixed pattern.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	c.n++
	return c.r.Read(p[:min(len(p), 1+c.n*5%7)])
}

// splitAll splits r until an error and returns the frames and that error.
func splitAll(r io.Reader, maxFrame, maxGarbage int) ([][]byte, error) {
	s := newSplitter(r)
	if maxFrame > 0 {
		s.maxFrame = maxFrame
	}
	if maxGarbage > 0 {
		s.maxGarbage = maxGarbage
	}
	var frames [][]byte
	for {
		f, err := s.next()
		if err != nil {
			if err2 := must(s.next()); err2 != err {
				return frames, fmt.Errorf("not sticky: %v, then %v", err, err2)
			}
			return frames, err
		}
		frames = append(frames, f)
	}
}

func must(_ []byte, err error) error { return err }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestSplit(t *testing.T) {
	a, b, c := testJPEG(t, 64, 48, 90, 1), testJPEG(t, 64, 48, 90, 2), testJPEG(t, 32, 32, 50, 3)
	thumb := testJPEG(t, 16, 12, 50, 4)
	exif := withEXIF(b, thumb)
	odd := structuralJPEG()
	garbage := []byte("\x00\xff\xd9junk\xff\x00\xff\xff\xff\xd8\x00not a jpeg\xff")

	tests := []struct {
		name    string
		in      []byte
		want    [][]byte
		wantErr error
	}{
		{"empty", nil, nil, io.EOF},
		{"one", a, [][]byte{a}, io.EOF},
		{"concatenated", cat(a, b, c), [][]byte{a, b, c}, io.EOF},
		{"EXIF thumbnail inside APP1", cat(a, exif, c), [][]byte{a, exif, c}, io.EOF},
		{"fill bytes, restart markers, two scans, FF D9 in a comment", cat(odd, a, odd), [][]byte{odd, a, odd}, io.EOF},
		{"garbage before, between and after", cat(garbage, a, garbage, b, garbage), [][]byte{a, b}, io.EOF},
		{"only garbage", garbage, nil, io.EOF},
		{"a frame cut off by the next", cat(a, b[:len(b)-100], c), [][]byte{a, c}, io.EOF},
		{"trailing FF", cat(a, []byte{0xFF}), [][]byte{a}, io.EOF},
		{"truncated in the entropy data", cat(a, b[:len(b)-10]), [][]byte{a}, io.ErrUnexpectedEOF},
		{"truncated in a segment", cat(a, exif[:40]), [][]byte{a}, io.ErrUnexpectedEOF},
		{"truncated in a segment's length", cat(a, b[:5]), [][]byte{a}, io.ErrUnexpectedEOF},
		{"truncated after FF", cat(a, b[:len(b)-1]), [][]byte{a}, io.ErrUnexpectedEOF},
		{"only an SOI", cat(a, []byte{0xFF, 0xD8}), [][]byte{a}, io.ErrUnexpectedEOF},
	}
	readers := []struct {
		name string
		wrap func([]byte) io.Reader
	}{
		{"whole", func(p []byte) io.Reader { return bytes.NewReader(p) }},
		{"1 to 7 bytes", func(p []byte) io.Reader { return &chunkReader{r: bytes.NewReader(p)} }},
		{"1 byte", func(p []byte) io.Reader { return io.LimitReader(&oneByte{p}, int64(len(p))) }},
	}
	for _, tt := range tests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				in := bytes.Clone(tt.in)
				got, err := splitAll(rd.wrap(in), 0, 0)
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("error = %v, want %v", err, tt.wantErr)
				}
				clear(in) // the frames must not share the input's memory
				checkFrames(t, got, tt.want)
			})
		}
	}
}

// oneByte reads one byte at a time.
type oneByte struct{ p []byte }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(o.p) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = o.p[0]
	o.p = o.p[1:]
	return 1, nil
}

func checkFrames(t *testing.T, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d frames (sizes %v), want %d (sizes %v)", len(got), sizes(got), len(want), sizes(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("frame %d: got %d bytes, want %d, not the same", i, len(got[i]), len(want[i]))
		}
	}
}

func sizes(fs [][]byte) []int {
	var n []int
	for _, f := range fs {
		n = append(n, len(f))
	}
	return n
}

// Every frame survives the stream being split in two at every byte.
func TestSplitEveryBoundary(t *testing.T) {
	a, b := testJPEG(t, 16, 16, 75, 5), testJPEG(t, 16, 8, 75, 6)
	exif := withEXIF(a, testJPEG(t, 8, 8, 50, 7))
	odd := structuralJPEG()
	want := [][]byte{a, exif, odd, b}
	in := cat([]byte("xx\xff"), a, exif, []byte{0xFF, 0xFF, 0}, odd, b, []byte{0xFF})
	for k := range len(in) + 1 {
		got, err := splitAll(io.MultiReader(bytes.NewReader(in[:k]), bytes.NewReader(in[k:])), 0, 0)
		if err != io.EOF {
			t.Fatalf("split at %d: error %v, want io.EOF", k, err)
		}
		if len(got) != len(want) || !slices.EqualFunc(got, want, bytes.Equal) {
			t.Fatalf("split at %d: got frames of %v bytes, want %v", k, sizes(got), sizes(want))
		}
	}
}

func TestSplitLimits(t *testing.T) {
	a := testJPEG(t, 64, 48, 90, 8)
	t.Run("a frame of exactly the limit", func(t *testing.T) {
		got, err := splitAll(bytes.NewReader(cat(a, a)), len(a), 0)
		if err != io.EOF {
			t.Fatalf("error = %v, want io.EOF", err)
		}
		checkFrames(t, got, [][]byte{a, a})
	})
	t.Run("a frame one byte over", func(t *testing.T) {
		for _, rd := range []io.Reader{bytes.NewReader(cat(a, a)), &chunkReader{r: bytes.NewReader(cat(a, a))}} {
			got, err := splitAll(rd, len(a)-1, 0)
			if !errors.Is(err, ErrFrameTooLarge) || len(got) != 0 {
				t.Fatalf("got %d frames, error %v; want none and ErrFrameTooLarge", len(got), err)
			}
		}
	})
	t.Run("a frame that never ends", func(t *testing.T) {
		// SOI, SOS, then entropy-coded data forever.
		head := cat([]byte{0xFF, 0xD8}, segment(0xDA, []byte{1, 1, 0, 0, 63, 0}))
		r := &countReader{r: io.MultiReader(bytes.NewReader(head), endless(0x55))}
		_, err := splitAll(r, 1<<20, 0)
		if !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("error = %v, want ErrFrameTooLarge", err)
		}
		if r.n > 1<<20+2*readBuffer {
			t.Errorf("read %d bytes before giving up on a 1 MiB limit", r.n)
		}
	})
	t.Run("garbage that never ends", func(t *testing.T) {
		r := &countReader{r: endless(0xFF)}
		_, err := splitAll(r, 0, 1<<20)
		if !errors.Is(err, ErrNoJPEG) {
			t.Fatalf("error = %v, want ErrNoJPEG", err)
		}
		if r.n > 1<<20+2*readBuffer {
			t.Errorf("read %d bytes before giving up on a 1 MiB limit", r.n)
		}
	})
	t.Run("frames that always break count as garbage", func(t *testing.T) {
		broken := a[:len(a)-50]
		in := bytes.Repeat(broken, (1<<20)/len(broken)+2)
		_, err := splitAll(bytes.NewReader(in), 0, 1<<20)
		if !errors.Is(err, ErrNoJPEG) {
			t.Fatalf("error = %v, want ErrNoJPEG", err)
		}
	})
	t.Run("garbage below the limit between frames", func(t *testing.T) {
		junk := bytes.Repeat([]byte{0}, 1000)
		got, err := splitAll(bytes.NewReader(cat(junk, a, junk, a)), 0, 1000)
		if err != io.EOF {
			t.Fatalf("error = %v, want io.EOF", err)
		}
		checkFrames(t, got, [][]byte{a, a})
	})
}

// endless returns an endless stream of b.
func endless(b byte) io.Reader { return &repeater{b} }

type repeater struct{ b byte }

func (r *repeater) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.b
	}
	return len(p), nil
}

type countReader struct {
	r io.Reader
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func FuzzSplit(f *testing.F) {
	a := testJPEG(f, 16, 16, 75, 9)
	f.Add(a)
	f.Add(cat(a, a))
	f.Add(withEXIF(a, testJPEG(f, 8, 8, 50, 10)))
	f.Add(structuralJPEG())
	f.Add([]byte("\xff\xd8\xff\xd9"))
	f.Add([]byte("\xff\xd8\xff\xda\x00\x02\xff\xff\x00\xff\xd9"))
	f.Fuzz(func(t *testing.T, in []byte) {
		frames, err := splitAll(&chunkReader{r: bytes.NewReader(in)}, 4096, 4096)
		if err == nil {
			t.Fatal("no error at the end")
		}
		total := 0
		for _, fr := range frames {
			total += len(fr)
			if !bytes.HasPrefix(fr, []byte{0xFF, 0xD8}) || !bytes.HasSuffix(fr, []byte{0xFF, 0xD9}) {
				t.Fatalf("frame % x does not run from SOI to EOI", fr)
			}
			if len(fr) > 4096 || !bytes.Contains(in, fr) {
				t.Fatalf("frame of %d bytes is too large or not in the input", len(fr))
			}
		}
		if total > len(in) {
			t.Fatalf("%d bytes of frames from %d bytes", total, len(in))
		}
		// The same input whole gives the same frames.
		whole, _ := splitAll(bytes.NewReader(in), 4096, 4096)
		if !slices.EqualFunc(frames, whole, bytes.Equal) {
			t.Fatalf("chunked: %v, whole: %v", sizes(frames), sizes(whole))
		}
	})
}
