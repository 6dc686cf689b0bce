package rpicam

import (
	"fmt"
	"testing"
)

// pipeReader serves data over and over, at most 64 KiB per Read, as a pipe
// from rpicam-vid does.
type pipeReader struct {
	data []byte
	off  int
}

func (p *pipeReader) Read(b []byte) (int, error) {
	n := copy(b[:min(len(b), 64<<10)], p.data[p.off:])
	p.off = (p.off + n) % len(p.data)
	return n, nil
}

// BenchmarkSplit measures the splitter on ~60 KB JPEGs (a noisy 320x240 at
// quality 90, as rpicam-vid writes for 640x480 scenes), one op per frame.
func BenchmarkSplit(b *testing.B) {
	var plain, exif []byte
	for i := range 8 { // 8 different frames
		j := testJPEG(b, 320, 240, 90, uint64(i))
		plain = append(plain, j...)
		exif = append(exif, withEXIF(j, testJPEG(b, 160, 120, 75, 100+uint64(i)))...)
	}
	for _, bc := range []struct {
		name string
		data []byte
	}{{"plain", plain}, {"EXIF thumbnail", exif}} {
		b.Run(fmt.Sprintf("%s/%dKB", bc.name, len(bc.data)/8/1000), func(b *testing.B) {
			s := newSplitter(&pipeReader{data: bc.data})
			b.SetBytes(int64(len(bc.data) / 8))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.next(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
		})
	}
}
