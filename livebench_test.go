package main

import (
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkLiveSessions: what SSH sessions sitting on the Live screen cost
// the server. It starts pistream (test camera, 640x480 at 30 fps), measures
// the server's CPU over a window with no session (the baseline: capture and
// JPEG encoding), then connects N real SSH sessions (PTY 100x30,
// TERM=xterm-256color, COLORTERM=truecolor) whose output a terminal
// emulator draws, and measures again over a window of the same length.
// b.N is the length of each window in seconds: -benchtime 10x measures
// 10 s without and 10 s with the sessions. It reports
//
//   - cpu_%_per_session: (CPU with N sessions − baseline CPU) / N, in % of
//     one core;
//   - updates/s: how often the picture on a session's screen changes, for
//     the session that saw the fewest changes (see liveUpdates);
//   - bytes/s: what a session receives, averaged over the sessions;
//   - cpu_%_baseline: the server's CPU without sessions.
//
// With b.N >= 5 it fails when a session costs more than 3 % of a core or a
// session sees fewer than 5 picture updates a second.
func BenchmarkLiveSessions(b *testing.B) {
	for _, n := range []int{1, 6} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) { benchLiveSessions(b, n) })
	}
}

func benchLiveSessions(b *testing.B, n int) {
	e := startTUI(b, nil, "--size", "640x480", "--fps", "30")
	window := time.Duration(b.N) * time.Second
	time.Sleep(2 * time.Second) // the camera and the encoder warm up
	b.ResetTimer()
	base := cpuOver(b, e.pid(), window)

	b.StopTimer()
	screens := make([]*screen, n)
	counters := make([]*liveUpdates, n)
	for i := range screens {
		s, err := e.connect(b, e.key, "COLORTERM", "truecolor")
		if err != nil {
			b.Fatalf("session %d: %v", i, err)
		}
		s.waitFor("Open in a browser")
		screens[i], counters[i] = s, countLiveUpdates(b, s)
	}
	time.Sleep(2 * time.Second) // every session settles on its steady work
	b.StartTimer()

	bytes0 := make([]int64, n)
	updates0 := make([]int, n)
	for i, s := range screens {
		bytes0[i], _ = s.raw.stats()
		updates0[i] = counters[i].count()
	}
	t0 := time.Now()
	busy := cpuOver(b, e.pid(), window)
	sec := time.Since(t0).Seconds()
	b.StopTimer()

	var rates []float64
	var bytes int64
	for i, s := range screens {
		rates = append(rates, float64(counters[i].count()-updates0[i])/sec)
		got, _ := s.raw.stats()
		bytes += got - bytes0[i]
		counters[i].check()
	}
	slices.Sort(rates)
	perSession := (busy - base).Seconds() / float64(n) / window.Seconds() * 100
	b.ReportMetric(perSession, "cpu_%_per_session")
	b.ReportMetric(rates[0], "updates/s")
	b.ReportMetric(float64(bytes)/float64(n)/sec, "bytes/s")
	b.ReportMetric(base.Seconds()/window.Seconds()*100, "cpu_%_baseline")
	// Also logged: a failing benchmark's metrics are not printed.
	b.Logf("%d sessions over %v: %.2f %% of a core per session (baseline %.1f %%), %.1f updates/s (slowest session), %.0f bytes/s per session",
		n, window, perSession, base.Seconds()/window.Seconds()*100, rates[0], float64(bytes)/float64(n)/sec)
	if b.N >= 5 {
		if perSession > 3 {
			b.Errorf("a Live session costs %.1f %% of a core with %d sessions, want <= 3 %%", perSession, n)
		}
		if rates[0] < 5 {
			b.Errorf("a Live session saw %.1f picture updates a second, want >= 5", rates[0])
		}
	}
	for _, s := range screens {
		s.press("q")
	}
}

// cpuOver is the CPU time process pid uses during the next d.
func cpuOver(t testing.TB, pid int, d time.Duration) time.Duration {
	t.Helper()
	c0 := cpuTime(t, pid)
	time.Sleep(d)
	return cpuTime(t, pid) - c0
}

// liveUpdates counts the updates of the picture a session's user sees: the
// states of the picture's area of the screen (characters and colours) that
// lasted at least settle. A state the next write replaces sooner, such as a
// frame drawn in two writes seen between them, is not counted.
type liveUpdates struct {
	t   testing.TB
	s   *screen
	box image.Rectangle // the picture's cells

	mu      sync.Mutex
	writes  int       // writes into the emulator seen
	cur     uint64    // hash of the area now
	since   time.Time // when it became cur
	counted uint64    // the last state counted
	n       int
}

const settle = 5 * time.Millisecond

// countLiveUpdates finds the picture on s's screen (the cells drawn with
// half-blocks) and counts its updates from now on. It fails the test when
// there is no picture to watch.
func countLiveUpdates(t testing.TB, s *screen) *liveUpdates {
	t.Helper()
	s.waitFor("▀")
	u := &liveUpdates{t: t, s: s}
	s.emuMu.Lock()
	defer s.emuMu.Unlock()
	u.box = halfBlockBox(s)
	if u.box.Dx() < 10 || u.box.Dy() < 5 {
		t.Fatalf("cannot measure updates: the picture covers only %v of the screen", u.box)
	}
	u.cur, u.since, u.counted = u.hash(), time.Now(), u.hash()
	s.afterWrite = u.written
	return u
}

// halfBlockBox is the smallest rectangle holding every half-block cell of
// s's screen. The caller holds emuMu.
func halfBlockBox(s *screen) image.Rectangle {
	var box image.Rectangle
	for y := 0; y < s.emu.Height(); y++ {
		for x := 0; x < s.emu.Width(); x++ {
			if c := s.emu.CellAt(x, y); c != nil && c.Content == "▀" {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

// hash sums the characters and colours of the picture's cells. The caller
// holds emuMu.
func (u *liveUpdates) hash() uint64 {
	h := fnv.New64a()
	var buf [16]byte
	put := func(c color.Color) {
		if c == nil {
			h.Write([]byte{0})
			return
		}
		r, g, b, a := c.RGBA()
		buf[0], buf[1], buf[2], buf[3] = byte(r>>8), byte(g>>8), byte(b>>8), byte(a>>8)
		h.Write(buf[:4])
	}
	for y := u.box.Min.Y; y < u.box.Max.Y; y++ {
		for x := u.box.Min.X; x < u.box.Max.X; x++ {
			c := u.s.emu.CellAt(x, y)
			if c == nil {
				h.Write([]byte{0})
				continue
			}
			h.Write([]byte(c.Content))
			put(c.Style.Fg)
			put(c.Style.Bg)
		}
	}
	return h.Sum64()
}

// written runs after each write into the emulator, under emuMu.
func (u *liveUpdates) written() {
	h, now := u.hash(), time.Now()
	u.mu.Lock()
	defer u.mu.Unlock()
	u.writes++
	if h == u.cur {
		return
	}
	if now.Sub(u.since) >= settle && u.cur != u.counted {
		u.n++
		u.counted = u.cur
	}
	u.cur, u.since = h, now
}

// count is the number of updates so far, the current state included once
// it has lasted settle.
func (u *liveUpdates) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := u.n
	if time.Since(u.since) >= settle && u.cur != u.counted {
		n++
	}
	return n
}

// check fails the test loudly when the count cannot be trusted: no output
// reached the emulator, or the picture is no longer where it was counted.
func (u *liveUpdates) check() {
	u.t.Helper()
	u.mu.Lock()
	writes := u.writes
	u.mu.Unlock()
	if writes == 0 {
		u.t.Fatal("cannot measure updates: the session sent nothing while measured")
	}
	u.s.emuMu.Lock()
	box := halfBlockBox(u.s)
	u.s.emuMu.Unlock()
	if box != u.box {
		u.t.Fatalf("cannot measure updates: the picture moved from %v to %v while measured", u.box, box)
	}
}
