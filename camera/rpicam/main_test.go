package rpicam

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// helperEnv makes the test binary run the helper of that name from helpers
// instead of the tests, and exit with its status.
const helperEnv = "RPICAM_TEST_HELPER"

// helpers are the helper processes tests start from the test binary.
var helpers = map[string]func() int{}

var (
	fakeDir  string // removed after the tests
	fakeOnce sync.Once
	fakePath string
	fakeErr  error
)

func TestMain(m *testing.M) {
	if name := os.Getenv(helperEnv); name != "" {
		h, ok := helpers[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "no helper %q\n", name)
			os.Exit(2)
		}
		os.Exit(h())
	}
	dir, err := os.MkdirTemp("", "rpicam-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fakeDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fakeBin builds testdata/fake-rpicam-vid as rpicam-vid, once per test
// binary, and returns its path.
func fakeBin(t testing.TB) string {
	t.Helper()
	fakeOnce.Do(func() {
		fakePath = filepath.Join(fakeDir, "rpicam-vid")
		out, err := exec.Command("go", "build", "-o", fakePath, "./testdata/fake-rpicam-vid").CombinedOutput()
		if err != nil {
			fakeErr = fmt.Errorf("building the fake rpicam-vid: %v\n%s", err, out)
		}
	})
	if fakeErr != nil {
		t.Fatal(fakeErr)
	}
	return fakePath
}

// noLeaks fails the test if, after its cleanups, more goroutines run than
// before it, once the count has had time to settle. Call it first, so that
// its cleanup runs last.
func noLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline (meant to catch a hang, not to time anything).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readPid waits for a pid file written by the fake and returns the pid.
func readPid(t testing.TB, file string) int {
	t.Helper()
	var pid int
	waitFor(t, "the pid file "+file, func() bool {
		b, err := os.ReadFile(file)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil
	})
	return pid
}

// procStat returns the state letter and process group of pid from
// /proc/pid/stat, or ok false if there is no such process.
func procStat(pid int) (state byte, pgrp int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 3 {
		return 0, 0, false
	}
	pgrp, _ = strconv.Atoi(f[2])
	return f[0][0], pgrp, true
}

// alive reports whether pid is a process that is not a zombie.
func alive(pid int) bool {
	state, _, ok := procStat(pid)
	return ok && state != 'Z'
}

// groupAlive lists the processes of group pgid that are not zombies.
func groupAlive(t testing.TB, pgid int) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if state, pgrp, ok := procStat(pid); ok && pgrp == pgid && state != 'Z' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// reaped reports whether pid is gone entirely: not even a zombie.
func reaped(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// fileLines returns the lines of file, which must exist.
func fileLines(t testing.TB, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}
