package camera

import (
	"errors"
	"fmt"

	"gocv.io/x/gocv"

	"pistream/internal/jpegmark"
)

// jpegSize checks that b is a complete JPEG and reads its size from the
// frame header, without decoding it.
func jpegSize(b []byte) (w, h int, err error) {
	if err := jpegmark.Check(b); err != nil {
		return 0, 0, err
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 0, 0, fmt.Errorf("jpeg: no marker at byte %d", i)
		}
		m := b[i+1]
		if m == 0xFF { // fill byte
			i++
			continue
		}
		if m == 0xD8 || m >= 0xD0 && m <= 0xD7 || m == 0x01 { // no length
			i += 2
			continue
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return 0, 0, fmt.Errorf("jpeg: segment %X of %d bytes runs past the end", m, n)
		}
		// SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			if n < 7 {
				return 0, 0, errors.New("jpeg: short frame header")
			}
			h = int(b[i+5])<<8 | int(b[i+6])
			w = int(b[i+7])<<8 | int(b[i+8])
			if w == 0 || h == 0 {
				return 0, 0, fmt.Errorf("jpeg: size %dx%d", w, h)
			}
			return w, h, nil
		}
		if m == 0xDA { // start of scan before any frame header
			break
		}
		i += 2 + n
	}
	return 0, 0, errors.New("jpeg: no frame header")
}

// maxDecodePixels bounds the memory a decode may take: a picture of
// 65535×65535 (a "JPEG bomb") is decoded at 1/8 scale at most, or refused.
const maxDecodePixels = 40 << 20

// DecodeReduced decodes a w×h JPEG at the smallest of full, 1/2, 1/4 or 1/8
// scale that still gives at least needW×needH pixels (libjpeg scales while
// decoding: far cheaper than decoding in full and resizing). The caller
// closes the result.
func DecodeReduced(data []byte, w, h, needW, needH int) (gocv.Mat, error) {
	scales := []int{8, 4, 2, 1}
	if w/8*(h/8) > maxDecodePixels {
		return gocv.Mat{}, fmt.Errorf("image of %dx%d is too large to decode", w, h)
	}
	// The smallest scale that gives enough pixels, unless a larger one
	// would not fit in memory.
	pick := scales[0]
	for _, div := range scales[1:] {
		if w/pick >= needW && h/pick >= needH || w/div*(h/div) > maxDecodePixels {
			break
		}
		pick = div
	}
	return decodeJPEG(data, pick)
}

// decodeJPEG decodes data at 1/div scale (1, 2, 4 or 8) into BGR pixels.
func decodeJPEG(data []byte, div int) (gocv.Mat, error) {
	flag := map[int]gocv.IMReadFlag{1: gocv.IMReadColor, 2: gocv.IMReadReducedColor2, 4: gocv.IMReadReducedColor4, 8: gocv.IMReadReducedColor8}[div]
	img, err := gocv.IMDecode(data, flag)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("decode jpeg: %w", err)
	}
	if img.Empty() {
		img.Close()
		return gocv.Mat{}, errors.New("decode jpeg: not a complete image")
	}
	return img, nil
}

// EncodeJPEG encodes img as a JPEG of the given quality (1-100), in a
// slice of its own.
func EncodeJPEG(img gocv.Mat, quality int) ([]byte, error) {
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, quality})
	if err != nil {
		return nil, err
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...), nil
}
