package main

// End-to-end tests of the Raspberry Pi camera path with a fake rpicam-vid
// (camera/rpicam/testdata/fake-rpicam-vid): a program that takes
// rpicam-vid's flags, writes real JPEGs at the asked rate, records its
// arguments, its pid and the hash of every frame, and can be told to exit
// or stall.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"pistream/httpstream"
)

var fakeRPicam struct {
	once sync.Once
	dir  string
	err  error
}

// fakeRPicamDir builds the fake rpicam-vid once and returns the directory
// holding it, to put first on PATH.
func fakeRPicamDir(t testing.TB) string {
	t.Helper()
	fakeRPicam.once.Do(func() {
		// Beside the pistream binary: TestMain removes that directory.
		dir := filepath.Join(filepath.Dir(binPath), "fake-rpicam")
		if err := os.Mkdir(dir, 0o755); err != nil {
			fakeRPicam.err = err
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "rpicam-vid"), "./camera/rpicam/testdata/fake-rpicam-vid").CombinedOutput()
		if err != nil {
			fakeRPicam.err = errors.New("build the fake rpicam-vid: " + err.Error() + ": " + string(out))
		}
		fakeRPicam.dir = dir
	})
	if fakeRPicam.err != nil {
		t.Fatal(fakeRPicam.err)
	}
	return fakeRPicam.dir
}

// rpicamEnv is a test's fake camera: its environment, and the files where
// it records arguments, frames and pid.
type rpicamEnv struct {
	env               []string
	args, frames, pid string
}

func newRPicamEnv(t testing.TB, extra ...string) *rpicamEnv {
	dir := t.TempDir()
	e := &rpicamEnv{
		args: filepath.Join(dir, "args"), frames: filepath.Join(dir, "frames"), pid: filepath.Join(dir, "pid"),
	}
	e.env = append([]string{
		"PATH=" + fakeRPicamDir(t) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"FAKE_RPICAM_ARGS=" + e.args, "FAKE_RPICAM_FRAMES=" + e.frames, "FAKE_RPICAM_PID=" + e.pid,
	}, extra...)
	return e
}

// childPid is the pid of the fake now running, waiting for one that is not
// old (0 for any).
func (e *rpicamEnv) childPid(t testing.TB, old int) int {
	t.Helper()
	var pid int
	waitSeen(t, fmt.Sprintf("an rpicam-vid child other than %d", old), func() (bool, string) {
		b, _ := os.ReadFile(e.pid)
		var err error
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid != old && alive(pid), fmt.Sprintf("pid file: %q", b)
	})
	return pid
}

// alive reports whether pid is a process that has not exited (a zombie
// counts as exited: its parent has yet to reap it).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && len(s) > i+2 {
		return s[i+2] != 'Z'
	}
	return true
}

// exists reports whether pid is a process at all, zombie or not.
func exists(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

// hashes reads the fake's record of the frames it wrote.
func (e *rpicamEnv) hashes(t testing.TB) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(e.frames)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, l := range strings.Fields(string(b)) {
		m[l] = true
	}
	return m
}

// With the fake rpicam-vid first on PATH, auto picks it; every part a
// viewer receives is byte for byte a JPEG the fake wrote; the rotation
// reaches its arguments; nothing is encoded.
func TestRPicamAutoPassesFramesThrough(t *testing.T) {
	e := newRPicamEnv(t)
	p := startWith(t, launch{env: e.env}, "--camera", "auto", "--size", "320x240", "--fps", "30", "--quality", "70", "--rotate", "180", "--hflip")
	st := p.state(t)
	if st.Opened != "rpicam" || st.Kind != "rpicam" || st.Rotation.By != "source" {
		t.Fatalf("/state: opened %q kind %q rotation by %q; want rpicam, rpicam, source", st.Opened, st.Kind, st.Rotation.By)
	}
	v := watchKeeping(t, p)
	waitParts(t, []*viewer{v}, []int{0}, 30)
	v.mu.Lock()
	parts := append([][]byte(nil), v.jpegs...)
	v.mu.Unlock()
	written := e.hashes(t)
	for i, part := range parts {
		sum := sha256.Sum256(part)
		if !written[hex.EncodeToString(sum[:])] {
			t.Fatalf("part %d (%d bytes) is not a frame the camera wrote", i, len(part))
		}
	}
	args, _ := os.ReadFile(e.args)
	for _, want := range []string{"-t\t0", "-n", "--codec\tmjpeg", "--width\t320", "--height\t240", "--framerate\t30", "--quality\t70", "-o\t-", "--rotation\t180", "--hflip"} {
		if !strings.Contains(string(args), want) {
			t.Errorf("rpicam-vid was run with %q, want %q among them", args, strings.ReplaceAll(want, "\t", " "))
		}
	}
	if st := p.state(t); st.Encoded != 0 || st.Decoded != 0 || st.PassedThrough < 30 {
		t.Errorf("/state: %d encoded, %d decoded, %d passed through; want 0, 0, ≥ 30", st.Encoded, st.Decoded, st.PassedThrough)
	}
}

// --focus reaches rpicam-vid's arguments as its lens controls, and /state
// says the camera does it; without it, rpicam-vid gets none and keeps its
// own (continuous autofocus on a Camera Module 3).
func TestRPicamFocus(t *testing.T) {
	for _, tt := range []struct {
		focus, asked string
		want         []string // among the arguments
		by           string
	}{
		{"", "default", nil, "none"},
		{"continuous", "continuous", []string{"--autofocus-mode\tcontinuous"}, "source"},
		{"infinity", "infinity", []string{"--autofocus-mode\tmanual\t--lens-position\t0"}, "source"},
		{"40cm", "40cm", []string{"--autofocus-mode\tmanual\t--lens-position\t2.5"}, "source"},
	} {
		t.Run(tt.asked, func(t *testing.T) {
			e := newRPicamEnv(t)
			p := startWith(t, launch{env: e.env}, "--camera", "rpicam", "--size", "320x240", "--focus", tt.focus)
			st := p.state(t)
			if st.Focus.Asked != tt.asked || st.Focus.By != tt.by {
				t.Errorf("/state focus %+v, want asked %q by %q", st.Focus, tt.asked, tt.by)
			}
			b, _ := os.ReadFile(e.args)
			args := string(b)
			for _, want := range tt.want {
				if !strings.Contains(args, want) {
					t.Errorf("rpicam-vid was run with %q, want %q among them", args, strings.ReplaceAll(want, "\t", " "))
				}
			}
			if tt.want == nil && (strings.Contains(args, "--autofocus-mode") || strings.Contains(args, "--lens-position")) {
				t.Errorf("rpicam-vid was run with %q, want no focus of pistream's", args)
			}
			waitParts(t, []*viewer{watch(t, p, 0)}, []int{0}, 3)
		})
	}
}

// Killing rpicam-vid: /state says reconnecting, a new child is started and
// frames resume on the same viewer connection; the dead child was reaped.
func TestRPicamChildKilledIsRestarted(t *testing.T) {
	e := newRPicamEnv(t)
	p := startWith(t, launch{env: e.env}, "--camera", "rpicam", "--size", "320x240")
	v := watch(t, p, 0)
	waitParts(t, []*viewer{v}, []int{0}, 10)
	first := e.childPid(t, 0)
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st := waitStateOf(t, p, "reconnecting", func(s httpstream.State) bool { return s.Camera == "reconnecting" || s.Reconnects >= 1 })
	if !strings.Contains(st.Error, "rpicam") {
		t.Errorf("/state error %q does not say the camera child failed", st.Error)
	}
	second := e.childPid(t, first)
	mark := marks([]*viewer{v})
	waitParts(t, []*viewer{v}, mark, 10)
	waitStateOf(t, p, "streaming again", func(s httpstream.State) bool { return s.Camera == "streaming" && s.Reconnects >= 1 })
	if exists(first) {
		t.Errorf("the killed rpicam-vid (pid %d) was not reaped", first)
	}
	if !alive(second) {
		t.Errorf("the new rpicam-vid (pid %d) is not running", second)
	}
}

// A child that stops writing trips the watchdog: it is killed and a new
// one started.
func TestRPicamStalledChildTripsWatchdog(t *testing.T) {
	e := newRPicamEnv(t, "FAKE_RPICAM_STALL_AFTER=40")
	p := startWith(t, launch{env: e.env}, "--camera", "rpicam", "--size", "320x240")
	first := e.childPid(t, 0)
	st := waitStateOf(t, p, "tripping the watchdog", func(s httpstream.State) bool { return strings.Contains(s.Error, "watchdog") })
	if st.Reconnects < 1 && st.Camera != "reconnecting" {
		t.Errorf("/state after the watchdog: %+v", st)
	}
	e.childPid(t, first)
	waitStateOf(t, p, "reaping the stalled child", func(httpstream.State) bool { return !exists(first) })
}

// SIGTERM to pistream leaves no rpicam-vid behind.
func TestRPicamStopLeavesNoChild(t *testing.T) {
	e := newRPicamEnv(t)
	p := startWith(t, launch{env: e.env}, "--camera", "rpicam", "--size", "320x240")
	watch(t, p, 0)
	child := e.childPid(t, 0)
	p.terminate(t)
	if alive(child) {
		t.Errorf("rpicam-vid (pid %d) still runs after pistream stopped", child)
	}
}

// With --idle-release, nobody watching for 10 s releases the camera: the
// child is killed and reaped; the next viewer starts a new one.
func TestRPicamIdleReleaseStopsChild(t *testing.T) {
	e := newRPicamEnv(t)
	p := startWith(t, launch{env: e.env}, "--camera", "rpicam", "--size", "320x240", "--idle-release")
	first := e.childPid(t, 0)
	waitStateOf(t, p, "idle", func(s httpstream.State) bool { return s.Camera == "idle" })
	waitStateOf(t, p, "reaping the released child", func(httpstream.State) bool { return !exists(first) })
	v := watch(t, p, 0)
	waitParts(t, []*viewer{v}, []int{0}, 5)
	if second := e.childPid(t, first); !alive(second) {
		t.Errorf("no rpicam-vid runs for the new viewer")
	}
}
