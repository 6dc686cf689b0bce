package main

// End-to-end tests of hostile notes: real SSH sessions open a note built
// to be expensive to render, and the test watches the server's renders
// and memory.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileNote is issue 9's note: 200,000 "[", under the 1 MiB limit.
var hostileNote = strings.Repeat("[", 200_000)

// fillNote repeats unit up to the 1 MiB limit of a note.
func fillNote(unit string) string { return strings.Repeat(unit, (1<<20)/len(unit)) }

// costlyNotes are notes built to take glamour the most memory (see
// BenchmarkPathological in pistream/notes for more), each with a text
// that shows on screen once it is rendered.
var costlyNotes = []struct{ name, md, shows string }{
	{"200,000 [", hostileNote, "[[[[[[[[[[[[[[[[[[[["},
	{"1 MiB of paragraphs", fillNote("x\n\n"), "x"},
	{"1 MiB of headings", fillNote("# x\n"), "x"},
	{"unclosed code spans", fillNote("`a"), "\u00a0a\u00a0a\u00a0a"}, // glamour spaces code spans with no-break spaces
	{"emphasis runs", fillNote("*a_b*c_d**e_f*g**h*i_j**"), "e_f"},
}

// noteRun is what opening the hostile note in n sessions at once cost.
type noteRun struct {
	renders int           // "note rendered" lines in the server's log
	peakMB  float64       // peak RSS above the RSS before the sessions opened it
	took    time.Duration // until every session showed it
}

// openNote starts pistream with the note md, opens n SSH sessions, has
// them all open the note at once and waits (60 s at most) until every one
// shows the text shows.
func openNote(t testing.TB, n int, md, shows string) noteRun {
	t.Helper()
	e := startTUI(t, map[string]string{"hostile.md": md}, "--log-level", "debug")
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
	opened := func(txt string) bool { // the note, not the list, nor "rendering…"
		return strings.Contains(txt, shows) && !strings.Contains(txt, "1 note") && !strings.Contains(txt, "rendering…")
	}
	for i, s := range screens {
		waitSeen(t, fmt.Sprintf("session %d to show the note", i), func() (bool, string) {
			txt := s.text()
			return opened(txt), txt
		})
	}
	took := time.Since(start)
	peak := statusKB(t, pid, "VmHWM")
	return noteRun{
		renders: len(renderedWidths(t, e)),
		peakMB:  float64(peak-before) / 1024,
		took:    took,
	}
}

// Eight sessions opening the same hostile note at once render it once.
func TestHostileNoteRendersOnce(t *testing.T) {
	r := openNote(t, 8, costlyNotes[0].md, costlyNotes[0].shows)
	t.Logf("8 sessions: %d renders, peak RSS +%.1f MB, %v until all showed it", r.renders, r.peakMB, r.took.Round(time.Millisecond))
	if r.renders != 1 {
		t.Errorf("8 sessions opening the note rendered it %d times, want 1", r.renders)
	}
}

// noteMemoryTarget is the most the server's RSS may grow while 8 sessions
// open a costly note (issue 9: it grew by 650 MB).
const noteMemoryTarget = 100 // MB

// BenchmarkCostlyNotes opens each of costlyNotes in 8 SSH sessions at
// once, b.N times (a fresh pistream each), and reports the server's peak
// RSS above what it was before, the renders it logged and the time until
// every session showed the note. It fails past noteMemoryTarget (not
// under the race detector, which multiplies memory).
func BenchmarkCostlyNotes(b *testing.B) {
	for _, note := range costlyNotes {
		b.Run(strings.ReplaceAll(note.name, " ", "_"), func(b *testing.B) {
			var worst noteRun
			var took time.Duration
			for b.Loop() {
				r := openNote(b, 8, note.md, note.shows)
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
		})
	}
}

// renderedRE finds the width of each rendering in the debug log, and how
// many renderings ran when it started (itself included).
var renderedRE = regexp.MustCompile(`note rendered .*width=(\d+) .*running=(\d+) `)

// renderedWidths are the widths of the renderings the server logged. It
// fails t if one started while another ran: pistream renders one note at
// a time.
func renderedWidths(t testing.TB, e *tuiEnv) []int {
	t.Helper()
	var ws []int
	for _, m := range renderedRE.FindAllStringSubmatch(e.log.String(), -1) {
		w, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatalf("log: %v", err)
		}
		if m[2] != "1" {
			t.Errorf("a rendering for width %d started while %s ran", w, m[2])
		}
		ws = append(ws, w)
	}
	return ws
}

// A session that resizes 20 times while the hostile note renders does not
// render it for every size: stale sizes are given up while queued. It
// renders one at a time, and ends showing the note at the last width.
func TestHostileNoteResizes(t *testing.T) {
	e := startTUI(t, map[string]string{"hostile.md": hostileNote}, "--log-level", "debug")
	s := e.open(t)
	s.press("3")
	s.waitFor("hostile.md")
	s.press("\r")
	pad := 100 - widestRow(s.waitFor("[[[[[[[[[[[[[[[[[[[[")) // glamour's margins
	first := renderedWidths(t, e)
	if len(first) != 1 {
		t.Fatalf("opening the note rendered it at widths %v, want one", first)
	}
	margin := 100 - first[0] // the terminal's columns the note's body does not get
	s.emuMu.Lock()
	s.emu.Resize(80, 30) // the terminal first, then what it tells the server
	s.emuMu.Unlock()
	for cols := 99; cols >= 80; cols-- { // a user dragging the window's edge
		if err := s.sess.WindowChange(30, cols); err != nil {
			t.Fatalf("window change: %v", err)
		}
	}
	want := 80 - margin
	var ws []int
	waitSeen(t, fmt.Sprintf("a rendering for width %d", want), func() (bool, string) {
		ws = renderedWidths(t, e)[1:]
		return len(ws) > 0 && ws[len(ws)-1] == want, fmt.Sprintf("rendered at %v", ws)
	})
	// Those whose turn came while they were the newest: the one rendering
	// when the resizes began, the last, and those the server had not seen
	// overtaken yet when the one before ended.
	if len(ws) >= 20 {
		t.Errorf("20 resizes rendered the note at widths %v: the stale ones were not given up", ws)
	}
	t.Logf("rendered at width %d, then %v after 20 resizes", first[0], ws)
	// The screen shows the note at the last width.
	waitSeen(t, fmt.Sprintf("the screen's widest row to hold %d '['", 80-pad), func() (bool, string) {
		txt := s.text()
		return widestRow(txt) == 80-pad, fmt.Sprintf("%d '[':\n%s", widestRow(txt), txt)
	})
}

// widestRow is the most '[' a row of the screen's text holds.
func widestRow(txt string) int {
	widest := 0
	for line := range strings.Lines(txt) {
		widest = max(widest, strings.Count(line, "["))
	}
	return widest
}
