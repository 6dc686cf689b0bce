package clog

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"pistream/internal/syncbuffer"
	"pistream/internal/termtext"

	"charm.land/log/v2"
	"golang.org/x/sys/unix"
)

func TestLevel(t *testing.T) {
	for _, c := range []struct {
		line string
		def  log.Level
		want log.Level
	}{
		{"[ WARN:0@0.042] global ./modules/videoio/src/cap_images.cpp (253) open VIDEOIO(IMAGES): raised OpenCV exception: error: (-5:Bad argument) CAP_IMAGES: can't find starting number", log.DebugLevel, log.WarnLevel},
		{"[ERROR:0@1.2] global persistence.cpp (505) open Can't open file", log.DebugLevel, log.ErrorLevel},
		{"[ INFO:0@0.01] global plugin_loader.impl.hpp (67) init Loaded plugin", log.WarnLevel, log.InfoLevel},
		{"[DEBUG:0@0.01] global videoio_registry.cpp (197) VideoBackendRegistry", log.WarnLevel, log.DebugLevel},
		{"(pistream:1234): GStreamer-CRITICAL **: 10:22:59.123: gst_element_link: assertion failed", log.DebugLevel, log.ErrorLevel},
		{"(pistream:1234): GStreamer-WARNING **: 10:22:59.123: Trying to dispose element", log.DebugLevel, log.WarnLevel},
		{"0:00:00.012345678 12345 0x55d0c0 WARN                 v4l2src gstv4l2src.c:692:gst_v4l2src_query:<v4l2src0> Can't give latency", log.DebugLevel, log.WarnLevel},
		{"0:00:00.012345678 12345 0x55d0c0 ERROR   default gstutils.c:1: no element", log.DebugLevel, log.ErrorLevel},
		{"error: something went wrong", log.WarnLevel, log.WarnLevel},             // a message's words are not a level
		{"just text on stdout", log.DebugLevel, log.DebugLevel},                   // no level: the stream's
		{strings.Repeat("x", 70) + " ERROR late", log.DebugLevel, log.DebugLevel}, // past the head
	} {
		if got := Level(c.line, c.def); got != c.want {
			t.Errorf("Level(%.40q, %v) = %v, want %v", c.line, c.def, got, c.want)
		}
	}
}

// TestCapture writes to descriptors 1 and 2 as a C library does and finds
// every line in the log, nothing on the real descriptors, and the
// descriptors given back at Stop.
func TestCapture(t *testing.T) {
	var logged syncbuffer.Buffer
	logger := log.NewWithOptions(&logged, log.Options{Level: log.DebugLevel})

	// What descriptor 2 really is during the test: a file to look at.
	realErr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	restore := redirect(t, 2, realErr)
	defer restore()

	c, err := Start(logger)
	if err != nil {
		t.Fatal(err)
	}
	if c.Terminal == nil {
		t.Fatal("no terminal handed back")
	}
	// Raw writes to the descriptors, as C code makes them, and a line
	// longer than the reader's buffer, and one without its newline.
	long := strings.Repeat("y", termtext.MaxLine+10)
	for _, w := range []struct {
		fd   int
		text string
	}{
		{2, "[ WARN:0@0.7] global cap_gstreamer.cpp (1405) open OpenCV | GStreamer warning: Error opening bin\n"},
		{1, "plain output\n"},
		{2, long + "\n"},
		{2, "no newline at the end"},
	} {
		if _, err := writeFD(w.fd, w.text); err != nil {
			t.Fatalf("write fd %d: %v", w.fd, err)
		}
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(os.Stderr, "after stop\n") // descriptor 2 is given back

	got := logged.String()
	for _, want := range []string{
		"WARN  [ WARN:0@0.7] global cap_gstreamer.cpp",
		"DEBUG plain output from=stdout",
		"WARN  no newline at the end from=stderr",
		strings.Repeat("y", 100),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the log lacks %q; it holds:\n%s", want, strings.ReplaceAll(got, strings.Repeat("y", 100), ""))
		}
	}
	if n := strings.Count(got, "y"); n < termtext.MaxLine+10 {
		t.Errorf("the long line lost bytes: %d of %d", n, termtext.MaxLine+10)
	}
	onErr, _ := os.ReadFile(realErr.Name())
	if string(onErr) != "after stop\n" {
		t.Errorf("descriptor 2 got %q, want only what was written after Stop", onErr)
	}
}

func writeFD(fd int, s string) (int, error) {
	return unix.Write(fd, []byte(s))
}
