package rpicam

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ListTimeout bounds List when its context has no deadline.
const ListTimeout = 10 * time.Second

// Camera is one camera as rpicam-vid --list-cameras describes it, e.g.
//
//	0 : imx708 [4608x2592 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx708@1a)
type Camera struct {
	Index  int    // what Options.Camera takes: 0
	Model  string // the sensor's name: "imx708"
	Sensor string // its full resolution and format: "4608x2592 10-bit RGGB"
	ID     string // libcamera's id, the device-tree path: "/base/soc/i2c0mux/i2c@1/imx708@1a"
}

// List runs bin --list-cameras and returns the cameras it lists (rpicam-apps
// leave USB webcams out). No camera is an empty list, not an error. If ctx
// has no deadline, List gives up after ListTimeout; when it gives up, it
// kills the child's whole process group. An exit status other than 0 is an
// error, with the end of its stderr, unless cameras were listed.
func List(ctx context.Context, bin string) ([]Camera, error) {
	name := filepath.Base(bin)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ListTimeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, bin, "--list-cameras")
	cmd.SysProcAttr = sysProcAttr()
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second // a grandchild holding its pipes open
	var stdout, stderr capWriter
	stdout.max, stderr.max, stderr.tail = 1<<20, 8<<10, true
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	cams, none := parseList(stdout.String())
	if _, noneOnStderr := parseList(stderr.String()); noneOnStderr {
		none = true // in case a release prints it there
	}
	switch {
	case len(cams) > 0:
		return cams, nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s --list-cameras: %w%s", name, ctx.Err(), lastLines(stderr.String(), "; stderr: "))
	case runErr != nil:
		return nil, fmt.Errorf("%s --list-cameras: %w%s", name, runErr, lastLines(stderr.String(), "; stderr: "))
	case none:
		return []Camera{}, nil
	default:
		return nil, fmt.Errorf("%s --list-cameras: no camera list in its output%s", name, lastLines(stdout.String(), ": "))
	}
}

// cameraLine matches "0 : imx708 [4608x2592 10-bit RGGB] (/base/…)"; the id
// in parentheses is optional.
var cameraLine = regexp.MustCompile(`^\s*(\d+)\s*:\s*([^\s\[\]()]+)\s*\[([^\]]*)\]\s*(?:\(([^)]*)\))?`)

// parseList reads --list-cameras output: the cameras, and whether it said
// there are none. Other lines (the header, the modes, libcamera's log) are
// ignored.
func parseList(out string) (cams []Camera, none bool) {
	for line := range strings.Lines(out) {
		if strings.Contains(line, "No cameras available") {
			none = true
			continue
		}
		m := cameraLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		i, err := strconv.Atoi(m[1])
		if err != nil {
			continue // too many digits
		}
		cams = append(cams, Camera{
			Index:  i,
			Model:  m[2],
			Sensor: strings.TrimSpace(m[3]),
			ID:     strings.TrimSpace(m[4]),
		})
	}
	return cams, none
}

// lastLines returns prefix and the last few non-blank lines of s joined by
// " | ", or "" if there are none.
func lastLines(s, prefix string) string {
	var lines []string
	for l := range strings.Lines(s) {
		if l = cleanLine(l); strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return prefix + strings.Join(lines[max(0, len(lines)-tailLines):], " | ")
}

// capWriter keeps the first max bytes written to it, or with tail the last
// max bytes.
type capWriter struct {
	max  int
	tail bool
	b    []byte
}

func (w *capWriter) Write(p []byte) (int, error) {
	n := len(p)
	if w.tail {
		w.b = append(w.b, p...)
		if over := len(w.b) - w.max; over > 0 {
			w.b = append(w.b[:0], w.b[over:]...)
		}
		return n, nil
	}
	if room := w.max - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(room, len(p))]...)
	}
	return n, nil
}

func (w *capWriter) String() string { return string(w.b) }
