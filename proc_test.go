package main

// What the tests read of a running pistream in /proc: memory, descriptors,
// CPU time. Each helper fails the test when it cannot measure, rather than
// return a number that would let a check pass.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// privateDirtyKB is the process's anonymous memory: Private_Dirty from
// smaps_rollup (OpenCV's mapped libraries make RSS meaningless here).
func privateDirtyKB(t testing.TB, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		t.Fatalf("smaps_rollup: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "Private_Dirty:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no Private_Dirty in smaps_rollup")
	return 0
}

// openFDs counts the process's open file descriptors.
func openFDs(t testing.TB, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("fds: %v", err)
	}
	return len(ents)
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime(t testing.TB, pid int) time.Duration {
	t.Helper()
	// Nanoseconds on the CPU of each thread (schedstat), where the kernel
	// keeps them: /proc/PID/stat counts in 10 ms ticks, too coarse to
	// compare a few hundred microseconds a frame.
	if tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid)); err == nil {
		var sum time.Duration
		ok := len(tasks) > 0
		for _, task := range tasks {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, task.Name()))
			f := strings.Fields(string(b))
			if err != nil || len(f) < 1 {
				ok = false
				break
			}
			ns, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				ok = false
				break
			}
			sum += time.Duration(ns)
		}
		if ok {
			return sum
		}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64) // fields 14 and 15 of stat
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const clkTck = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clkTck
}

// vmRSSKB is the process's resident set size, VmRSS in /proc/PID/status.
func vmRSSKB(t testing.TB, pid int) int { return statusKB(t, pid, "VmRSS") }

// statusKB is a field of /proc/PID/status in kB, such as VmRSS or VmHWM.
func statusKB(t testing.TB, pid int, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("status: %s: %v", field, err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// resetPeakRSS makes the process's peak resident set (VmHWM) its present
// one, so that VmHWM read later is the peak since now.
func resetPeakRSS(t testing.TB, pid int) {
	t.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		t.Fatalf("reset the peak RSS: %v", err)
	}
	if hwm, rss := statusKB(t, pid, "VmHWM"), statusKB(t, pid, "VmRSS"); hwm > rss+1024 {
		t.Fatalf("the peak RSS was not reset: VmHWM %d kB, VmRSS %d kB", hwm, rss)
	}
}
