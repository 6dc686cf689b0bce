// Command fake-rpicam-vid stands in for Raspberry Pi OS's rpicam-vid in the
// tests of pistream/camera/rpicam.
//
// It takes the flags pistream passes (-t/--timeout, -n/--nopreview, --codec
// mjpeg, --width, --height, --framerate, --quality/-q, -o/--output -,
// --camera, --rotation 0|180, --hflip, --vflip, --autofocus-mode
// default|manual|auto|continuous, --lens-position D|default,
// --list-cameras), in the forms
// "--width 640" and "--width=640". Anything else is refused like the real
// one: a message on stderr and exit status 2.
//
// It prints a libcamera-like banner on stderr, then writes real JPEGs
// (image/jpeg at --quality) of --width x --height to stdout at --framerate,
// paced in real time, until -t milliseconds have passed (0: forever). Every
// frame is encoded afresh and differs from the others: a bar moves across
// it and it shows its frame number.
//
// --list-cameras prints one imx708 (or two cameras, or none) the way
// rpicam-vid does.
//
// Environment:
//
//	FAKE_RPICAM_ARGS=file        on every start, append the arguments (os.Args[1:]) to file as one tab-separated line
//	FAKE_RPICAM_FRAMES=file      append the hex SHA-256 of every JPEG to file, one a line, before writing the JPEG
//	FAKE_RPICAM_PID=file         write the process id to file (atomically) once started
//	FAKE_RPICAM_EXIT_AFTER=N     after N frames, write "ERROR: *** camera stopped ***" to stderr and exit with status 1
//	FAKE_RPICAM_STALL_AFTER=N    after N frames, write nothing more but stay alive, like a hung camera
//	FAKE_RPICAM_EXIF=1           give every JPEG an EXIF APP1 segment holding a thumbnail JPEG (its own FF D8 … FF D9)
//	FAKE_RPICAM_IGNORE_TERM=1    ignore SIGTERM: only SIGKILL stops it
//	FAKE_RPICAM_CHILD=1          when streaming, start a child in its process group that holds stdout and stderr open and lives on
//	FAKE_RPICAM_NO_CAMERA=1      no camera: --list-cameras prints "No cameras available!", streaming fails
//	                             (=stderr: --list-cameras prints it on stderr instead)
//	FAKE_RPICAM_CAMERAS=2        two cameras (an imx708 and an imx219) instead of one
//	FAKE_RPICAM_LIST_HANG=1      --list-cameras hangs, with a child of its own in its process group
//	FAKE_RPICAM_LIST_FAIL=1      --list-cameras fails: libcamera errors on stderr, exit status 255
//	FAKE_RPICAM_LIST_GARBAGE=1   --list-cameras prints something that is no camera list, exit status 0
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	timeoutMS   int
	nopreview   bool
	codec       string
	width       int
	height      int
	framerate   int
	quality     int
	output      string
	camera      int
	rotation    int
	hflip       bool
	vflip       bool
	afMode      string
	lensPos     string
	listCameras bool
}

func main() {
	if os.Getenv("FAKE_RPICAM_SLEEPER") == "1" { // the child of a hanging --list-cameras
		sleepForever()
	}
	if os.Getenv("FAKE_RPICAM_IGNORE_TERM") == "1" {
		signal.Ignore(syscall.SIGTERM)
	}
	appendLine(os.Getenv("FAKE_RPICAM_ARGS"), strings.Join(os.Args[1:], "\t"))
	writePid(os.Getenv("FAKE_RPICAM_PID"))
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "ERROR: *** %v ***\n", err)
		os.Exit(2)
	}
	if o.listCameras {
		listCameras()
		return
	}
	banner(o)
	if err := stream(o); err != nil {
		fmt.Fprintf(os.Stderr, "ERROR: *** %v ***\n", err)
		os.Exit(255)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("rpicam-vid", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&o.timeoutMS, "t", 5000, "")
	fs.IntVar(&o.timeoutMS, "timeout", 5000, "")
	fs.BoolVar(&o.nopreview, "n", false, "")
	fs.BoolVar(&o.nopreview, "nopreview", false, "")
	fs.StringVar(&o.codec, "codec", "h264", "")
	fs.IntVar(&o.width, "width", 640, "")
	fs.IntVar(&o.height, "height", 480, "")
	fs.IntVar(&o.framerate, "framerate", 30, "")
	fs.IntVar(&o.quality, "quality", 50, "")
	fs.IntVar(&o.quality, "q", 50, "")
	fs.StringVar(&o.output, "o", "", "")
	fs.StringVar(&o.output, "output", "", "")
	fs.IntVar(&o.camera, "camera", 0, "")
	fs.IntVar(&o.rotation, "rotation", 0, "")
	fs.BoolVar(&o.hflip, "hflip", false, "")
	fs.BoolVar(&o.vflip, "vflip", false, "")
	fs.StringVar(&o.afMode, "autofocus-mode", "default", "")
	fs.StringVar(&o.lensPos, "lens-position", "", "")
	fs.BoolVar(&o.listCameras, "list-cameras", false, "")
	if err := fs.Parse(args); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
			return o, fmt.Errorf("unrecognised option '-%s'", name)
		}
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument '%s'", fs.Arg(0))
	case o.listCameras:
		return o, nil
	case o.codec != "mjpeg":
		return o, fmt.Errorf("this fake only encodes mjpeg, not %q", o.codec)
	case o.output != "-":
		return o, fmt.Errorf("this fake only writes to stdout (-o -), not %q", o.output)
	case o.width <= 0 || o.height <= 0 || o.framerate <= 0:
		return o, fmt.Errorf("bad size %dx%d or frame rate %d", o.width, o.height, o.framerate)
	case o.quality < 1 || o.quality > 100:
		return o, fmt.Errorf("bad quality %d", o.quality)
	case o.rotation != 0 && o.rotation != 180:
		return o, errors.New("transforms requiring transpose not supported")
	case o.afMode != "default" && o.afMode != "manual" && o.afMode != "auto" && o.afMode != "continuous":
		return o, fmt.Errorf("Invalid AfMode:%s", o.afMode)
	}
	if o.lensPos != "" && o.lensPos != "default" {
		if _, err := strconv.ParseFloat(o.lensPos, 32); err != nil {
			return o, fmt.Errorf("Invalid lens position: %s", o.lensPos)
		}
	}
	return o, nil
}

func listCameras() {
	switch {
	case os.Getenv("FAKE_RPICAM_LIST_HANG") == "1":
		// A child in our process group that keeps our stdout open: only
		// killing the whole group, and not waiting on the pipe, ends this.
		startSleeper()
		sleepForever()
	case os.Getenv("FAKE_RPICAM_LIST_FAIL") == "1":
		logLine("ERROR", "RPI", "pipeline_base.cpp:1121", "Failed to register camera imx708: -22")
		fmt.Fprintln(os.Stderr, "ERROR: *** failed to start camera manager ***")
		os.Exit(255)
	case os.Getenv("FAKE_RPICAM_LIST_GARBAGE") == "1":
		fmt.Println("Segmentation fault? no: just not a camera list")
		fmt.Println("0 1 2 3")
	case os.Getenv("FAKE_RPICAM_NO_CAMERA") == "1":
		fmt.Println("No cameras available!")
	case os.Getenv("FAKE_RPICAM_NO_CAMERA") == "stderr":
		fmt.Fprintln(os.Stderr, "No cameras available!")
	default:
		logLine("INFO", "Camera", "camera_manager.cpp:325", "libcamera v0.3.2+27-7330f29b (fake-rpicam-vid)")
		fmt.Print(`Available cameras
-----------------
0 : imx708 [4608x2592 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx708@1a)
    Modes: 'SRGGB10_CSI2P' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]
                             2304x1296 [56.03 fps - (0, 0)/4608x2592 crop]
                             4608x2592 [14.35 fps - (0, 0)/4608x2592 crop]
`)
		if os.Getenv("FAKE_RPICAM_CAMERAS") == "2" {
			fmt.Print(`
1 : imx219 [3280x2464 8-bit RGGB] (/base/soc/i2c0mux/i2c@0/imx219@10)
    Modes: 'SRGGB8' : 640x480 [206.65 fps - (1000, 752)/1280x960 crop]
                      3280x2464 [21.19 fps - (0, 0)/3280x2464 crop]
`)
		}
		fmt.Println()
	}
}

func banner(o options) {
	logLine("INFO", "Camera", "camera_manager.cpp:325", "libcamera v0.3.2+27-7330f29b (fake-rpicam-vid)")
	logLine("INFO", "RPI", "pisp.cpp:695", "libpisp version v1.0.7 (fake)")
	fmt.Fprintf(os.Stderr, "Mode selection for %d:%d:12:P\n", o.width, o.height)
	logLine("INFO", "Camera", "camera.cpp:1183", fmt.Sprintf("configuring streams: (0) %dx%d-YUV420", o.width, o.height))
}

func logLine(level, category, where, msg string) {
	t := time.Since(start)
	fmt.Fprintf(os.Stderr, "[0:00:%02d.%09d] [%d] %5s %s %s %s\n",
		int(t.Seconds()), t.Nanoseconds()%1e9, os.Getpid(), level, category, where, msg)
}

var start = time.Now()

func stream(o options) error {
	if os.Getenv("FAKE_RPICAM_NO_CAMERA") != "" {
		return errors.New("no cameras available")
	}
	ncam := 1
	if os.Getenv("FAKE_RPICAM_CAMERAS") == "2" {
		ncam = 2
	}
	if o.camera >= ncam {
		return fmt.Errorf("invalid camera index %d", o.camera)
	}
	exitAfter := envInt("FAKE_RPICAM_EXIT_AFTER")
	stallAfter := envInt("FAKE_RPICAM_STALL_AFTER")
	var exif []byte
	if os.Getenv("FAKE_RPICAM_EXIF") == "1" {
		exif = exifSegment()
	}
	hashes := os.Getenv("FAKE_RPICAM_FRAMES")
	if os.Getenv("FAKE_RPICAM_CHILD") == "1" {
		startSleeper()
	}

	var end <-chan time.Time
	if o.timeoutMS > 0 {
		end = time.After(time.Duration(o.timeoutMS) * time.Millisecond)
	}
	tick := time.NewTicker(time.Second / time.Duration(o.framerate))
	defer tick.Stop()
	img := image.NewYCbCr(image.Rect(0, 0, o.width, o.height), image.YCbCrSubsampleRatio420)
	var buf bytes.Buffer
	for n := 0; ; n++ {
		if n == exitAfter && exitAfter >= 0 {
			fmt.Fprintln(os.Stderr, "ERROR: *** camera stopped ***")
			os.Exit(1)
		}
		if n == stallAfter && stallAfter >= 0 {
			sleepForever()
		}
		draw(img, n, o)
		buf.Reset()
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: o.quality}); err != nil {
			return fmt.Errorf("encode: %v", err)
		}
		frame := buf.Bytes()
		if exif != nil {
			frame = append(append(append([]byte(nil), frame[:2]...), exif...), frame[2:]...)
		}
		sum := sha256.Sum256(frame)
		appendLine(hashes, hex.EncodeToString(sum[:]))
		if _, err := os.Stdout.Write(frame); err != nil {
			return errors.New("failed to write output bytes")
		}
		select {
		case <-end:
			return nil
		case <-tick.C:
		}
	}
}

// draw paints frame n: a grey gradient, a bright bar moving right, and n in
// large digits; rotated and flipped as asked.
func draw(img *image.YCbCr, n int, o options) {
	w, h := o.width, o.height
	bar := (n * max(1, w/30)) % w
	barW := max(1, w/16)
	for y := range h {
		row := img.Y[y*img.YStride : y*img.YStride+w]
		for x := range row {
			v := byte(40 + (x+y)*120/(w+h))
			if x >= bar && x < bar+barW {
				v = 235
			}
			row[x] = v
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	// The colour of the bar's column changes with n too.
	for y := range (h + 1) / 2 {
		for x := bar / 2; x < min((bar+barW+1)/2, (w+1)/2); x++ {
			img.Cb[y*img.CStride+x] = byte(60 + n*37%136)
		}
	}
	drawNumber(img, n, max(1, h/24))
	transform(img, o)
}

// A 3x5 font of the digits, one row of bits per byte.
var digits = [10][5]byte{
	{7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
	{7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
}

func drawNumber(img *image.YCbCr, n, scale int) {
	s := strconv.Itoa(n)
	x0, y0 := scale, scale
	b := img.Rect.Max
	for y := y0 - scale/2; y < min(b.Y, y0+6*scale); y++ { // a dark box behind
		for x := x0 - scale/2; x < min(b.X, x0+4*scale*len(s)); x++ {
			img.Y[y*img.YStride+x] = 16
		}
	}
	for k, c := range s {
		g := digits[c-'0']
		for row := range 5 {
			for col := range 3 {
				if g[row]&(4>>col) == 0 {
					continue
				}
				for dy := range scale {
					for dx := range scale {
						x, y := x0+(4*k+col)*scale+dx, y0+row*scale+dy
						if x < b.X && y < b.Y {
							img.Y[y*img.YStride+x] = 235
						}
					}
				}
			}
		}
	}
}

// transform applies --rotation 180 (= hflip and vflip), --hflip, --vflip to
// the luma plane, which is enough to make them visible.
func transform(img *image.YCbCr, o options) {
	h, v := o.hflip, o.vflip
	if o.rotation == 180 {
		h, v = !h, !v
	}
	w, ht := img.Rect.Dx(), img.Rect.Dy()
	if h {
		for y := range ht {
			row := img.Y[y*img.YStride : y*img.YStride+w]
			for i, j := 0, w-1; i < j; i, j = i+1, j-1 {
				row[i], row[j] = row[j], row[i]
			}
		}
	}
	if v {
		tmp := make([]byte, w)
		for i, j := 0, ht-1; i < j; i, j = i+1, j-1 {
			a, b := img.Y[i*img.YStride:i*img.YStride+w], img.Y[j*img.YStride:j*img.YStride+w]
			copy(tmp, a)
			copy(a, b)
			copy(b, tmp)
		}
	}
}

// exifSegment returns an APP1 segment holding a minimal EXIF block whose
// IFD1 points at a small thumbnail JPEG, as cameras write them.
func exifSegment() []byte {
	thumbImg := image.NewGray(image.Rect(0, 0, 16, 12))
	for i := range thumbImg.Pix {
		thumbImg.Pix[i] = byte(i * 7)
	}
	var thumb bytes.Buffer
	if err := jpeg.Encode(&thumb, thumbImg, &jpeg.Options{Quality: 50}); err != nil {
		panic(err)
	}
	le := binary.LittleEndian
	tiff := []byte("II*\x00")
	tiff = le.AppendUint32(tiff, 8)  // IFD0 at 8
	tiff = le.AppendUint16(tiff, 0)  // IFD0: no entries
	tiff = le.AppendUint32(tiff, 14) // IFD1 at 14
	tiff = le.AppendUint16(tiff, 2)  // IFD1: two entries
	const thumbAt = 14 + 2 + 2*12 + 4
	tiff = append(tiff, 0x01, 0x02, 4, 0) // JPEGInterchangeFormat, LONG
	tiff = le.AppendUint32(tiff, 1)
	tiff = le.AppendUint32(tiff, thumbAt)
	tiff = append(tiff, 0x02, 0x02, 4, 0) // JPEGInterchangeFormatLength, LONG
	tiff = le.AppendUint32(tiff, 1)
	tiff = le.AppendUint32(tiff, uint32(thumb.Len()))
	tiff = le.AppendUint32(tiff, 0) // no next IFD
	tiff = append(tiff, thumb.Bytes()...)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+len(payload)))
	return append(seg, payload...)
}

func envInt(name string) int {
	v := os.Getenv(name)
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "fake-rpicam-vid: bad %s=%q\n", name, v)
		os.Exit(3)
	}
	return n
}

func appendLine(file, line string) {
	if file == "" {
		return
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = f.WriteString(line + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake-rpicam-vid:", err)
		os.Exit(3)
	}
}

func writePid(file string) {
	if file == "" {
		return
	}
	tmp := file + ".tmp"
	err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake-rpicam-vid:", err)
		os.Exit(3)
	}
}

// startSleeper starts a child that inherits stdout and stderr and sleeps
// until killed.
func startSleeper() {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "FAKE_RPICAM_SLEEPER=1")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "ERROR:", err)
		os.Exit(1)
	}
}

func sleepForever() {
	for {
		time.Sleep(time.Hour)
	}
}
