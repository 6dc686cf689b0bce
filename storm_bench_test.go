package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"pistream/internal/jpegmark"
)

// BenchmarkSnapshotStorm: does a storm of snapshots slow the feed? It runs
// pistream (test camera, 640x480 at 30 fps) with 3 /stream viewers and
// throws at it
//
//   - http: 500 concurrent GET /snapshot, burst after burst, for b.N
//     seconds (-benchtime 5x: a 5 s storm);
//   - ssh: 8 real SSH sessions (PTY 100x30, on Live) each pressing s 50
//     times as fast as it can: 400 photos into a temporary album; the
//     viewers are measured for b.N seconds from the first press, or until
//     the last photo is saved if that is later.
//
// It reports min-fps, the lowest frame rate any viewer got in any whole
// second of the storm (viewers count the frames that reach them), the
// slowest viewer's mean over the storm, the frame rate before the storm,
// what was served (snapshots answered 200 with a complete JPEG, refusals
// with another status, photos saved) and the CPU of pistream and of the
// benchmark's own process (clients and viewers) in % of one core.
//
// It fails when a snapshot or a photo is lost: a request answered neither
// with a complete JPEG nor with an HTTP status saying why, a press that
// leaves no photo (or leaves a broken one) and no failure in the log; and,
// once b.N >= 3, when a viewer gets fewer than 27 frames in any second of
// the storm.
func BenchmarkSnapshotStorm(b *testing.B) {
	b.Run("http", benchSnapshotHTTP)
	b.Run("ssh", benchSnapshotSSH)
}

const (
	stormViewers   = 3
	stormMinFPS    = 27
	stormRequests  = 500 // concurrent GET /snapshot in a burst
	stormSessions  = 8
	stormPresses   = 50 // presses of s per session
	stormPhotoWait = 60 * time.Second
)

func benchSnapshotHTTP(b *testing.B) {
	p := start(b, "--size", "640x480", "--fps", "30")
	vs := stormViewersReady(b, p)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: stormRequests}}
	defer client.CloseIdleConnections()

	calm := stormCalmFPS(b, vs)
	storm := time.Duration(max(b.N, 1)) * time.Second
	var tally snapshotTally
	b.ResetTimer()
	m := measureStorm(b, p, vs, func() {
		for from := time.Now(); time.Since(from) < storm; {
			var wg sync.WaitGroup
			for range stormRequests {
				wg.Go(func() { tally.add(getSnapshot(client, p.url+"/snapshot")) })
			}
			wg.Wait()
		}
	})
	b.StopTimer()

	served, refused, lost := tally.served.Load(), tally.refused.Load(), tally.lost.Load()
	asked := served + refused + lost
	m.report(b, calm)
	b.ReportMetric(float64(asked), "snapshots_asked")
	b.ReportMetric(float64(served), "snapshots_served")
	b.ReportMetric(float64(refused), "snapshots_refused")
	b.ReportMetric(float64(served)/m.to.Sub(m.from).Seconds(), "snapshots/s")
	b.Logf("http storm: %d GET /snapshot (%d at once) over %v: %d served, %d refused (%s), %d lost; %s",
		asked, stormRequests, m.to.Sub(m.from).Round(time.Millisecond), served, refused, tally.statuses(), lost, m)
	if lost > 0 {
		b.Errorf("%d of %d snapshots lost (neither a JPEG nor an HTTP status), the first: %s", lost, asked, tally.firstLost())
	}
	m.check(b)
}

func benchSnapshotSSH(b *testing.B) {
	e := startTUI(b, nil, "--size", "640x480", "--fps", "30")
	screens := make([]*screen, stormSessions)
	for i := range screens {
		screens[i] = e.open(b)
	}
	vs := stormViewersReady(b, e.proc)
	photos := filepath.Join(e.dir, "photos")
	want := stormSessions * stormPresses

	calm := stormCalmFPS(b, vs)
	window := time.Duration(max(b.N, 1)) * time.Second
	var saved int
	b.ResetTimer()
	m := measureStorm(b, e.proc, vs, func() {
		from := time.Now()
		var wg sync.WaitGroup
		for _, s := range screens {
			wg.Go(func() {
				for range stormPresses {
					if _, err := io.WriteString(s.in, "s"); err != nil {
						b.Errorf("press s: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		saved = waitPhotos(b, e.proc, photos, want)
		time.Sleep(time.Until(from.Add(window)))
	})
	b.StopTimer()

	m.report(b, calm)
	b.ReportMetric(float64(want), "presses")
	b.ReportMetric(float64(saved), "photos_saved")
	b.Logf("ssh storm: %d sessions pressed s %d times each: %d photos saved; %s", stormSessions, stormPresses, saved, m)
	if saved != want {
		b.Errorf("%d presses of s saved %d photos, want %d", want, saved, want)
	}
	for _, name := range photosIn(b, photos) {
		data, err := os.ReadFile(filepath.Join(photos, name))
		if err == nil {
			err = jpegmark.Check(data)
		}
		if err != nil {
			b.Errorf("photo %s: %v", name, err)
		}
	}
	m.check(b)
}

// stormViewersReady connects the viewers and waits until each has its
// first second of frames.
func stormViewersReady(b *testing.B, p *proc) []*viewer {
	vs := watchAll(b, p, stormViewers)
	waitParts(b, vs, make([]int, len(vs)), 30)
	return vs
}

// stormCalmFPS is the viewers' lowest frame rate over the 2 s before the
// storm. It fails when that is already under the target: the machine is
// too busy for the storm's effect to be measured.
func stormCalmFPS(b *testing.B, vs []*viewer) float64 {
	from := time.Now()
	time.Sleep(2 * time.Second)
	low, _ := secondsFPS(b, vs, from, time.Now())
	if low < stormMinFPS {
		b.Fatalf("cannot measure: before the storm a viewer got %.0f frames in one second (want >= %d then too); the machine is too busy (load average %s)",
			low, stormMinFPS, loadAverage(b))
	}
	return low
}

// loadAverage is the machine's load average over the last minute.
func loadAverage(b *testing.B) string {
	b.Helper()
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		b.Fatalf("load average: %v", err)
	}
	return strings.Fields(string(data))[0]
}

// storm is what a storm cost: its window, the frame rates the viewers got
// in it and the CPU of pistream and of this process.
type storm struct {
	from, to      time.Time
	minFPS        float64 // lowest frame count of a viewer in a whole second of the window
	meanFPS       float64 // slowest viewer's mean over the window
	server, local float64 // CPU in % of one core over the window
	load          string  // the machine's load average after the storm
	captured      uint64  // frames the camera captured in the window
	dropped       uint64  // of which skipped because every encoder was busy
}

// measureStorm runs the storm and measures the viewers and the CPU while it
// lasts.
func measureStorm(b *testing.B, p *proc, vs []*viewer, run func()) storm {
	st0, cpu0, self0 := p.state(b), cpuTime(b, p.pid()), selfCPU(b)
	m := storm{from: time.Now()}
	run()
	m.to = time.Now()
	cpu, self := cpuTime(b, p.pid())-cpu0, selfCPU(b)-self0
	m.load = loadAverage(b)
	st := p.state(b)
	m.captured, m.dropped = st.Captured-st0.Captured, st.Dropped-st0.Dropped
	sec := m.to.Sub(m.from).Seconds()
	m.server, m.local = 100*cpu.Seconds()/sec, 100*self.Seconds()/sec
	m.minFPS, m.meanFPS = secondsFPS(b, vs, m.from, m.to)
	return m
}

func (m storm) String() string {
	return fmt.Sprintf("viewers: %.0f fps at least in any second, slowest mean %.1f fps; camera: %d frames captured, %d dropped; CPU: pistream %.0f %%, clients and viewers %.0f %% of a core; load average %s",
		m.minFPS, m.meanFPS, m.captured, m.dropped, m.server, m.local, m.load)
}

func (m storm) report(b *testing.B, calm float64) {
	b.Logf("before the storm: %.0f fps at least in any second", calm)
	b.ReportMetric(m.minFPS, "min-fps")
	b.ReportMetric(m.meanFPS, "mean-fps")
	b.ReportMetric(calm, "calm-fps")
	b.ReportMetric(m.server, "server_%cpu")
	b.ReportMetric(m.local, "clients_%cpu")
	b.ReportMetric(float64(m.dropped), "frames_dropped")
}

func (m storm) check(b *testing.B) {
	if b.N >= 3 && m.minFPS < stormMinFPS {
		b.Errorf("during the storm a viewer got %.0f frames in one second, want >= %d", m.minFPS, stormMinFPS)
	}
}

// secondsFPS returns the fewest frames any viewer got in a whole second of
// [from, to) (counted from from), and the slowest viewer's mean frame rate
// over it. It fails when the window holds no whole second or a viewer lost
// its stream.
func secondsFPS(b *testing.B, vs []*viewer, from, to time.Time) (low, mean float64) {
	b.Helper()
	secs := int(to.Sub(from) / time.Second)
	if secs < 1 {
		b.Fatalf("cannot measure frame rates over %v: less than a second", to.Sub(from))
	}
	low, mean = 1e9, 1e9
	for i, v := range vs {
		v.mu.Lock()
		err := v.err
		v.mu.Unlock()
		if err != nil {
			b.Fatalf("viewer %d: %v", i, err)
		}
		for k := range secs {
			at := from.Add(time.Duration(k) * time.Second)
			low = min(low, float64(v.count(at, at.Add(time.Second))))
		}
		mean = min(mean, float64(v.count(from, to))/to.Sub(from).Seconds())
	}
	return low, mean
}

// selfCPU is this process's user+system CPU time so far.
func selfCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// snapshotTally counts the answers to GET /snapshot.
type snapshotTally struct {
	served, refused, lost atomic.Int64
	mu                    sync.Mutex
	byStatus              map[int]int
	first                 string // the first loss
}

// add counts one answer: a complete JPEG (status 200), a refusal (another
// status with a message), or a loss (err: no answer, or a broken one).
func (t *snapshotTally) add(status int, err error) {
	switch {
	case err != nil:
		t.lost.Add(1)
		t.mu.Lock()
		if t.first == "" {
			t.first = err.Error()
		}
		t.mu.Unlock()
		return
	case status == http.StatusOK:
		t.served.Add(1)
	default:
		t.refused.Add(1)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byStatus == nil {
		t.byStatus = map[int]int{}
	}
	t.byStatus[status]++
}

func (t *snapshotTally) statuses() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var parts []string
	for code, n := range t.byStatus {
		if code != http.StatusOK {
			parts = append(parts, fmt.Sprintf("%d× %d", n, code))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func (t *snapshotTally) firstLost() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.first
}

// getSnapshot asks for a snapshot and checks the answer: a complete JPEG of
// its Content-Length with status 200, or another status with a message
// saying why. Anything else is an error: the snapshot was lost.
func getSnapshot(c *http.Client, url string) (status int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET /snapshot: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("GET /snapshot: %s, reading the body: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		if len(strings.TrimSpace(string(body))) == 0 {
			return 0, fmt.Errorf("GET /snapshot: %s without a message", resp.Status)
		}
		return resp.StatusCode, nil
	}
	if n, _ := strconv.Atoi(resp.Header.Get("Content-Length")); n != len(body) {
		return 0, fmt.Errorf("GET /snapshot: %d bytes, Content-Length %q", len(body), resp.Header.Get("Content-Length"))
	}
	if err := jpegmark.Check(body); err != nil {
		return 0, fmt.Errorf("GET /snapshot: %w", err)
	}
	return resp.StatusCode, nil
}

// waitPhotos waits until the presses of s have each left a photo in dir,
// or a failure in p's log, and returns the photos saved. It gives up after
// stormPhotoWait, failing, rather than count a photo still on its way as
// lost.
func waitPhotos(b *testing.B, p *proc, dir string, want int) int {
	b.Helper()
	deadline := time.Now().Add(stormPhotoWait)
	for {
		saved := len(photosIn(b, dir))
		log := p.log.String()
		failed := strings.Count(log, "snapshot not taken") + strings.Count(log, "snapshot not saved")
		if saved+failed >= want {
			if failed > 0 {
				b.Errorf("%d of %d snapshots failed (see the log)", failed, want)
			}
			return saved
		}
		if time.Now().After(deadline) {
			b.Fatalf("after %v, %d photos saved and %d failures logged for %d presses of s", stormPhotoWait, saved, failed, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
