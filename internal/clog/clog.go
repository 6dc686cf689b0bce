// Package clog brings what C libraries print into pistream's log. OpenCV
// and GStreamer write their warnings straight to file descriptors 1 and 2,
// past Go's loggers: while the local TUI owns the terminal, [Start]
// points those descriptors at pipes whose lines go to the log, and
// [SetLevels] makes the libraries' own verbosity follow --log-level.
package clog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"charm.land/log/v2"
	"golang.org/x/sys/unix"

	"pistream/internal/termtext"
)

// SetLevels makes OpenCV and GStreamer print what lvl asks for: OpenCV's
// log level, and GStreamer's GST_DEBUG, which it reads when it starts
// (call SetLevels before the first camera is opened). A level the user
// chose (OPENCV_LOG_LEVEL, GST_DEBUG) is left alone.
func SetLevels(lvl log.Level) error {
	setOpenCVLevel(lvl)
	gst := "1" // errors
	if lvl <= log.DebugLevel {
		gst = "2" // warnings too
	}
	for _, kv := range [][2]string{
		{"GST_DEBUG", gst},
		{"GST_DEBUG_NO_COLOR", "1"}, // a log line has no colours
	} {
		if _, set := os.LookupEnv(kv[0]); set {
			continue
		}
		if err := os.Setenv(kv[0], kv[1]); err != nil {
			return fmt.Errorf("set %s: %w", kv[0], err)
		}
	}
	return nil
}

// A Capture holds file descriptors 1 and 2 pointed at the log; Stop gives
// them back.
type Capture struct {
	// Terminal is what descriptor 1 was, for the TUI to draw on.
	Terminal *os.File

	saved   [2]int      // copies of descriptors 1 and 2 as they were
	readers [2]*os.File // the pipes' read ends
	done    sync.WaitGroup
}

// Start points file descriptors 1 and 2 of the process at pipes and
// logs every line written to them through logger: a line that carries a
// level (OpenCV's "[ WARN:0@0.7]", GStreamer's "GStreamer-WARNING" or
// "ERROR" column) at that level, else standard output's at debug and
// standard error's at warn. Go's os.Stdout and os.Stderr write there too.
func Start(logger *log.Logger) (_ *Capture, err error) {
	c := &Capture{saved: [2]int{-1, -1}}
	defer func() {
		if err != nil {
			c.restore()
		}
	}()
	for i, fd := range []int{1, 2} {
		if c.saved[i], err = unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3); err != nil {
			return nil, fmt.Errorf("capture fd %d: dup: %w", fd, err)
		}
		var p [2]int
		if err = unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return nil, fmt.Errorf("capture fd %d: pipe: %w", fd, err)
		}
		// The read end goes through Go's poller (Stop sets it a deadline);
		// the write end stays blocking: C code does not retry EAGAIN.
		if err = unix.SetNonblock(p[0], true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return nil, fmt.Errorf("capture fd %d: %w", fd, err)
		}
		c.readers[i] = os.NewFile(uintptr(p[0]), fmt.Sprintf("fd %d pipe", fd))
		err = unix.Dup3(p[1], fd, 0)
		unix.Close(p[1])
		if err != nil {
			return nil, fmt.Errorf("capture fd %d: dup3: %w", fd, err)
		}
	}
	c.Terminal = os.NewFile(uintptr(c.saved[0]), "/dev/tty")
	for i, name := range []string{"stdout", "stderr"} {
		def := log.DebugLevel
		if i == 1 {
			def = log.WarnLevel
		}
		c.done.Go(func() { logLines(c.readers[i], logger.With("from", name), def) })
	}
	return c, nil
}

// Stop points descriptors 1 and 2 back where they were, logs what is left
// in the pipes (waiting at most a second for a child process that still
// holds one) and returns once the readers have ended.
func (c *Capture) Stop() error {
	err := c.restore()
	for _, r := range c.readers {
		if r != nil {
			r.SetReadDeadline(time.Now().Add(time.Second))
		}
	}
	c.done.Wait()
	for _, r := range c.readers {
		if r != nil {
			r.Close()
		}
	}
	return err
}

// restore puts the saved descriptors back on 1 and 2.
func (c *Capture) restore() error {
	var errs []error
	for i, fd := range []int{1, 2} {
		if c.saved[i] < 0 {
			continue
		}
		if err := unix.Dup3(c.saved[i], fd, 0); err != nil {
			errs = append(errs, fmt.Errorf("restore fd %d: %w", fd, err))
		}
		if i == 1 || c.Terminal == nil { // Terminal owns saved[0]
			unix.Close(c.saved[i])
		}
		c.saved[i] = -1
	}
	return errors.Join(errs...)
}

// logLines logs each line read from r until it ends (a line longer than
// termtext.MaxLine in pieces).
func logLines(r io.Reader, logger *log.Logger, def log.Level) {
	termtext.ReadLines(r, func(text string) {
		logger.Log(Level(text, def), termtext.SanitizeName(text))
	})
}

// levelMarks are the level names libraries put near the start of a line.
var levelMarks = []struct {
	mark  string
	level log.Level
}{
	{"FATAL", log.ErrorLevel},
	{"CRITICAL", log.ErrorLevel},
	{"ERROR", log.ErrorLevel},
	{"WARN", log.WarnLevel},
	{"INFO", log.InfoLevel},
	{"FIXME", log.DebugLevel},
	{"DEBUG", log.DebugLevel},
	{"VERB", log.DebugLevel},
	{"LOG", log.DebugLevel},
	{"TRACE", log.DebugLevel},
}

// Level is the level of a library's line: that of the level name found
// first in its first 64 bytes, else def. Only upper-case names count: a message's words
// ("error: …") do not.
func Level(line string, def log.Level) log.Level {
	head := line[:min(len(line), 64)]
	level, at := def, len(head)
	for _, m := range levelMarks {
		if i := strings.Index(head, m.mark); i >= 0 && i < at {
			level, at = m.level, i
		}
	}
	return level
}
