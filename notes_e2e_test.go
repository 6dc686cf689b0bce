package main

// End-to-end tests of hostile notes: real SSH sessions open a note built
// to be expensive to render, and the test watches the server's renders
// and memory.

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileNote is issue 9's note: 200,000 "[", under the 1 MiB limit.
var hostileNote = strings.Repeat("[", 200_000)

// noteRun is what opening the hostile note in n sessions at once cost.
type noteRun struct {
	renders int           // "note rendered" lines in the server's log
	peakMB  float64       // peak RSS above the RSS before the sessions opened it
	took    time.Duration // until every session showed it
}

// openHostileNote starts pistream with the hostile note, opens n SSH
// sessions, has them all open the note at once and waits (60 s at most)
// until every one shows it rendered.
func openHostileNote(t testing.TB, n int) noteRun {
	t.Helper()
	e := startTUI(t, map[string]string{"hostile.md": hostileNote}, "--log-level", "debug")
	screens := make([]*screen, n)
	for i := range screens {
		screens[i] = e.open(t)
	}
	for _, s := range screens {
		s.press("3")
		s.waitFor("hostile.md")
	}
	pid := e.pid()
	resetPeakRSS(t, pid)
	before := statusKB(t, pid, "VmRSS")
	start := time.Now()
	var wg sync.WaitGroup
	for _, s := range screens {
		wg.Go(func() { s.press("\r") })
	}
	wg.Wait()
	const rendered = "[[[[[[[[[[[[[[[[[[[["
	for i, s := range screens {
		for deadline := time.Now().Add(60 * time.Second); !strings.Contains(s.text(), rendered); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("session %d did not show the note within 60 s:\n%s", i, s.text())
			}
		}
	}
	took := time.Since(start)
	peak := statusKB(t, pid, "VmHWM")
	return noteRun{
		renders: strings.Count(e.log.String(), "note rendered"),
		peakMB:  float64(peak-before) / 1024,
		took:    took,
	}
}

// Eight sessions opening the same hostile note at once render it once.
func TestHostileNoteRendersOnce(t *testing.T) {
	r := openHostileNote(t, 8)
	t.Logf("8 sessions: %d renders, peak RSS +%.1f MB, %v until all showed it", r.renders, r.peakMB, r.took.Round(time.Millisecond))
	if r.renders != 1 {
		t.Errorf("8 sessions opening the note rendered it %d times, want 1", r.renders)
	}
}

// noteMemoryTarget is the most the server's RSS may grow while 8 sessions
// open the hostile note (issue 9: it grew by 650 MB).
const noteMemoryTarget = 100 // MB

// BenchmarkHostileNote opens the hostile note in 8 SSH sessions at once,
// b.N times (a fresh pistream each), and reports the server's peak RSS
// above what it was before, the renders it logged and the time until
// every session showed the note. It fails past noteMemoryTarget (not
// under the race detector, which multiplies memory).
func BenchmarkHostileNote(b *testing.B) {
	var worst noteRun
	var took time.Duration
	for b.Loop() {
		r := openHostileNote(b, 8)
		worst.peakMB = max(worst.peakMB, r.peakMB)
		worst.renders = max(worst.renders, r.renders)
		took += r.took
	}
	b.ReportMetric(worst.peakMB, "peak-MB")
	b.ReportMetric(worst.peakMB/noteMemoryTarget, "of-target")
	b.ReportMetric(float64(worst.renders), "renders")
	b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "ms/open")
	if worst.peakMB > noteMemoryTarget && !raceEnabled {
		b.Errorf("the peak RSS grew by %.1f MB, more than the target %d MB", worst.peakMB, noteMemoryTarget)
	}
}
