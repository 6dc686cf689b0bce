package rpicam

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

// testJPEG encodes a w x h picture, noisy enough to carry plenty of FF 00
// stuffing, seeded so that different seeds give different bytes.
func testJPEG(t testing.TB, w, h, quality int, seed uint64) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(seed, 1))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(r.IntN(256)), uint8(y * 255 / h), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// segment returns marker FF m with payload p and its length.
func segment(m byte, p []byte) []byte {
	s := []byte{0xFF, m}
	s = binary.BigEndian.AppendUint16(s, uint16(2+len(p)))
	return append(s, p...)
}

// withSegments inserts segments right after the SOI of j.
func withSegments(j []byte, segs ...[]byte) []byte {
	out := append([]byte(nil), j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

// withEXIF gives j an APP1 EXIF segment whose IFD1 holds thumb, a complete
// JPEG with its own SOI and EOI, as cameras write them.
func withEXIF(j, thumb []byte) []byte {
	le := binary.LittleEndian
	tiff := le.AppendUint32([]byte("II*\x00"), 8)
	tiff = le.AppendUint16(tiff, 0)
	tiff = le.AppendUint32(tiff, 14)
	tiff = le.AppendUint16(tiff, 2)
	tiff = le.AppendUint32(append(tiff, 0x01, 0x02, 4, 0), 1)
	tiff = le.AppendUint32(tiff, 14+2+2*12+4)
	tiff = le.AppendUint32(append(tiff, 0x02, 0x02, 4, 0), 1)
	tiff = le.AppendUint32(tiff, uint32(len(thumb)))
	tiff = le.AppendUint32(tiff, 0)
	tiff = append(tiff, thumb...)
	return withSegments(j, segment(0xE1, append([]byte("Exif\x00\x00"), tiff...)))
}

// structuralJPEG is not decodable but has what image/jpeg never writes:
// fill bytes before markers, a restart marker and stuffed bytes in the
// entropy-coded data, two scans with a DHT between them (as progressive JPEGs
// have), a TEM marker, and FF D9 and FF D8 inside a COM segment.
func structuralJPEG() []byte {
	j := []byte{0xFF, 0xD8}
	j = append(j, segment(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))...)
	j = append(j, segment(0xFE, []byte("a comment with \xff\xd9 and \xff\xd8 in it"))...)
	j = append(j, 0xFF, 0xFF, 0xFF) // fill bytes
	j = append(j, segment(0xDB, make([]byte, 65))...)
	j = append(j, 0xFF, 0x01) // TEM
	j = append(j, segment(0xC2, []byte{8, 0, 16, 0, 16, 1, 1, 0x11, 0})...)
	j = append(j, segment(0xDA, []byte{1, 1, 0, 0, 63, 0})...)
	j = append(j, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0x00, 0xFF, 0xD7, 0x78, 0xFF, 0xFF, 0x00, 0x9A) // scan 1
	j = append(j, segment(0xC4, make([]byte, 20))...)
	j = append(j, segment(0xDA, []byte{1, 1, 0, 0, 63, 0})...)
	j = append(j, 0xBC, 0xFF, 0x00, 0xDE, 0xFF, 0xFF, 0xD1, 0xF0) // scan 2
	return append(j, 0xFF, 0xD9)
}
