package main

// End-to-end tests of the local TUI: pistream started in a terminal (a
// PTY), whose screen a terminal emulator reads.

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pistream/internal/syncbuffer"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// localTUI is pistream running in a terminal of 100x30.
type localTUI struct {
	*screen
	proc *proc
	dir  string // state, photos and notes live here
}

// startLocal starts pistream in a PTY with its local TUI, HTTP on a free
// port and SSH off; args are added last. It is stopped with SIGTERM when
// the test ends.
func startLocal(t testing.TB, args ...string) *localTUI {
	t.Helper()
	dir := t.TempDir()
	port := strconv.Itoa(freePort(t))
	all := append([]string{
		"--config", "", "--http", "127.0.0.1:" + port, "--ssh", "", "--http-auth", "none",
		"--state", filepath.Join(dir, "state"), "--photos", filepath.Join(dir, "photos"), "--notes", filepath.Join(dir, "notes"),
	}, args...)
	p := &proc{url: "http://127.0.0.1:" + port, done: make(chan struct{}), log: &syncbuffer.Buffer{}}
	p.cmd = exec.Command(binPath, all...)
	p.cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", "TERM=xterm-256color")
	tty, err := pty.StartWithSize(p.cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatalf("start pistream in a pty: %v", err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	s := &screen{t: t, emu: vt.NewSafeEmulator(100, 30), raw: &countingWriter{}, in: tty}
	s.copied.Go(func() { io.Copy(io.MultiWriter(emuWriter{s}, s.raw), tty) })
	go io.Copy(tty, s.emu) // the terminal's answers to queries
	t.Cleanup(func() {
		p.stop()
		tty.Close()
		s.copied.Wait()
	})
	return &localTUI{screen: s, proc: p, dir: dir}
}

// logFile is the local TUI's log, pistream.log in the state directory.
func (l *localTUI) logFile() string {
	data, _ := os.ReadFile(filepath.Join(l.dir, "state", "pistream.log"))
	return string(data)
}

// TestLocalTUIKeepsLibraryOutputOff: a camera that fails makes OpenCV and
// GStreamer print warnings at every reopen; while the local TUI owns the
// terminal they go to the log, never onto the screen.
func TestLocalTUIKeepsLibraryOutputOff(t *testing.T) {
	l := startLocal(t, "--camera", "/missing.avi")
	l.waitFor("Open in a browser")
	// Three reopens, as the log or the terminal shows them.
	waitSeen(t, "3 reopens' library output, in the log or on the terminal", func() (bool, string) {
		_, raw := l.raw.stats()
		log := l.logFile()
		return strings.Count(log, "CAP_IMAGES") >= 3 || strings.Count(raw, "CAP_IMAGES") >= 3, "the log:\n" + log
	})
	_, raw := l.raw.stats()
	for _, noise := range []string{"CAP_IMAGES", "[ WARN:", "cap_gstreamer", "GST_PIPELINE"} {
		if strings.Contains(raw, noise) {
			t.Errorf("the terminal got the libraries' %q; the screen:\n%s", noise, l.text())
		}
	}
	log := l.logFile()
	for _, want := range []string{"WARN  [ WARN:", "CAP_IMAGES", "from=stderr"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}

// TestOpenCVLogLevel: OpenCV's own level follows --log-level: at error its
// warnings are not printed, its errors are.
func TestOpenCVLogLevel(t *testing.T) {
	for _, c := range []struct {
		level    string
		warnings bool
	}{
		{"error", false},
		{"info", true},
	} {
		t.Run(c.level, func(t *testing.T) {
			dir := t.TempDir()
			p := spawn(t, "", launch{}, binPath, "--config", "", "--headless", "--camera", "/missing.avi",
				"--http", "", "--ssh", "", "--log-level", c.level,
				"--state", filepath.Join(dir, "state"), "--photos", filepath.Join(dir, "photos"), "--notes", filepath.Join(dir, "notes"))
			waitSeen(t, "OpenCV to print 3 errors", func() (bool, string) {
				log := p.log.String()
				return strings.Count(log, "[ERROR:") >= 3, log
			})
			if got := strings.Contains(p.log.String(), "[ WARN:"); got != c.warnings {
				t.Errorf("--log-level %s: OpenCV's warnings printed: %v, want %v:\n%s", c.level, got, c.warnings, p.log.String())
			}
		})
	}
}
