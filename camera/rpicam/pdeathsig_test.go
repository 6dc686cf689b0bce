package rpicam

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

func init() { helpers["pdeathsig"] = streamUntilKilled }

// streamUntilKilled is a helper process: it starts the fake rpicam-vid named
// by RPICAM_TEST_BIN and reads from it until killed.
func streamUntilKilled() int {
	o := Options{Width: 64, Height: 48, FPS: 10, Quality: 50}
	s, err := Start(context.Background(), os.Getenv("RPICAM_TEST_BIN"), o, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for {
		if _, err := s.Next(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
}

// A pistream killed with SIGKILL leaves no rpicam-vid holding the camera.
func TestPdeathsig(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux only")
	}
	bin := fakeBin(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	var stderr bytes.Buffer
	helper := exec.Command(os.Args[0], "-test.run=^$")
	// A stalled fake: one that writes would die of SIGPIPE anyway.
	helper.Env = append(os.Environ(), helperEnv+"=pdeathsig", "RPICAM_TEST_BIN="+bin,
		"FAKE_RPICAM_PID="+pidFile, "FAKE_RPICAM_STALL_AFTER=1")
	helper.Stderr = &stderr
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	pid := readPid(t, pidFile)
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) }) // if the test fails
	if _, pgrp, _ := procStat(pid); pgrp != pid {
		t.Fatalf("the fake (pid %d) is in process group %d, not in its own", pid, pgrp)
	}
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	waitFor(t, "the fake to die with its parent", func() bool { return !alive(pid) })
	if stderr.Len() > 0 {
		t.Logf("helper's stderr: %s", stderr.Bytes())
	}
}
