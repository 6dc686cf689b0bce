package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	stormViewers  = 3
	stormMinFPS   = 27
	stormRequests = 500 // concurrent GET /snapshot in a burst
	stormSessions = 8
	stormPresses  = 50 // presses of s per session
)

func benchSnapshotHTTP(b *testing.B) {
	p := start(b, "--size", "640x480", "--fps", "30")
	vs := stormViewersReady(b, p)

	calm := stormCalmFPS(b, vs)
	storm := time.Duration(max(b.N, 1)) * time.Second
	var (
		tally  stormResult
		client time.Duration // the client process's CPU
	)
	b.ResetTimer()
	m := measureStorm(b, p, vs, func() { tally, client = runStormClient(b, p.url+"/snapshot", storm) })
	b.StopTimer()

	asked := tally.Served + tally.Refused + tally.Lost
	m.report(b, calm)
	b.ReportMetric(float64(asked), "snapshots_asked")
	b.ReportMetric(float64(tally.Served), "snapshots_served")
	b.ReportMetric(float64(tally.Refused), "snapshots_refused")
	b.ReportMetric(float64(tally.Served)/m.to.Sub(m.from).Seconds(), "snapshots/s")
	b.ReportMetric(100*client.Seconds()/m.to.Sub(m.from).Seconds(), "storm_client_%cpu")
	b.Logf("http storm: %d GET /snapshot (%d at once) over %v: %d served, %d refused (%s), %d lost; %s; the storm's client %.0f %% of a core",
		asked, stormRequests, m.to.Sub(m.from).Round(time.Millisecond), tally.Served, tally.Refused, tally.statuses(), tally.Lost, m,
		100*client.Seconds()/m.to.Sub(m.from).Seconds())
	if tally.Lost > 0 {
		b.Errorf("%d of %d snapshots lost (neither a JPEG nor an HTTP status), the first: %s", tally.Lost, asked, tally.FirstLost)
	}
	m.check(b)
}

// The storm of GET /snapshot comes from a process of its own, as it would
// from another machine: in this process, 500 client goroutines would hold
// up the viewers' reading, and the viewers would count that against
// pistream. The process is this test binary again, running
// TestSnapshotStormClient with these variables set.
const (
	stormURLEnv = "PISTREAM_STORM_URL" // what to ask for
	stormForEnv = "PISTREAM_STORM_FOR" // how long: bursts start until then
)

// stormResultPrefix starts the line on which the client process reports
// its tally, as JSON.
const stormResultPrefix = "storm result: "

// runStormClient runs the client process for d and returns its tally and
// its CPU time.
func runStormClient(b *testing.B, url string, d time.Duration) (stormResult, time.Duration) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestSnapshotStormClient$", "-test.count", "1")
	cmd.Env = append(os.Environ(), stormURLEnv+"="+url, stormForEnv+"="+d.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("the storm's client: %v\n%s", err, out)
	}
	var t stormResult
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, stormResultPrefix); ok {
			if err := json.Unmarshal([]byte(rest), &t); err != nil {
				b.Fatalf("the storm's client's result %q: %v", rest, err)
			}
			return t, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
	}
	b.Fatalf("the storm's client reported no result:\n%s", out)
	return t, 0
}

// TestSnapshotStormClient is the client process of BenchmarkSnapshotStorm/http:
// stormRequests concurrent GET /snapshot, burst after burst, until the
// time is up; it prints its tally. Without its variables it is skipped.
func TestSnapshotStormClient(t *testing.T) {
	url := os.Getenv(stormURLEnv)
	if url == "" {
		t.Skip("the client process of BenchmarkSnapshotStorm/http, started by it")
	}
	d, err := time.ParseDuration(os.Getenv(stormForEnv))
	if err != nil {
		t.Fatalf("%s: %v", stormForEnv, err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: stormRequests}}
	defer client.CloseIdleConnections()
	var tally snapshotTally
	for from := time.Now(); time.Since(from) < d; {
		var wg sync.WaitGroup
		for range stormRequests {
			wg.Go(func() { tally.add(getSnapshot(client, url)) })
		}
		wg.Wait()
	}
	out, err := json.Marshal(&tally.stormResult)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s%s\n", stormResultPrefix, out)
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
	low, _ := secondsFPS(b, vs, from, time.Now(), byArrival)
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
	minFPS        float64       // fewest frames captured in a whole second of the window that a viewer got
	meanFPS       float64       // slowest viewer's mean over the window, by capture time
	arrivalFPS    float64       // fewest frames that reached a viewer in a whole second of the window
	ageP99        time.Duration // of the frames that reached the viewers in the window
	server, local float64       // CPU in % of one core over the window
	load          string        // the machine's load average after the storm
	captured      uint64        // frames the camera captured in the window
	dropped       uint64        // of which skipped because every encoder was busy
}

// measureStorm runs the storm and measures the viewers and the CPU while it
// lasts.
func measureStorm(b *testing.B, p *proc, vs []*viewer, run func()) storm {
	st0, cpu0, self0 := p.state(b), cpuTime(b, p.pid()), cpuTime(b, os.Getpid())
	m := storm{from: time.Now()}
	run()
	m.to = time.Now()
	cpu, self := cpuTime(b, p.pid())-cpu0, cpuTime(b, os.Getpid())-self0
	m.load = loadAverage(b)
	st := p.state(b)
	m.captured, m.dropped = st.Captured-st0.Captured, st.Dropped-st0.Dropped
	sec := m.to.Sub(m.from).Seconds()
	m.server, m.local = 100*cpu.Seconds()/sec, 100*self.Seconds()/sec
	// The frames captured at the end of the window are still on their way.
	waitParts(b, vs, marks(vs), 2)
	m.minFPS, m.meanFPS = secondsFPS(b, vs, m.from, m.to, byCapture)
	m.arrivalFPS, _ = secondsFPS(b, vs, m.from, m.to, byArrival)
	var ages []time.Duration
	for _, v := range vs {
		v.mu.Lock()
		for i, at := range v.times {
			if !at.Before(m.from) && at.Before(m.to) {
				ages = append(ages, v.ages[i])
			}
		}
		v.mu.Unlock()
	}
	slices.Sort(ages)
	m.ageP99 = ages[len(ages)*99/100]
	return m
}

func (m storm) String() string {
	return fmt.Sprintf("viewers: %.0f fps at least in any second (by capture time; %.0f by arrival), slowest mean %.1f fps, frame age p99 %v; camera: %d frames captured, %d dropped; CPU: pistream %.0f %%, clients and viewers %.0f %% of a core; load average %s",
		m.minFPS, m.arrivalFPS, m.meanFPS, m.ageP99.Round(time.Millisecond), m.captured, m.dropped, m.server, m.local, m.load)
}

func (m storm) report(b *testing.B, calm float64) {
	b.Logf("before the storm: %.0f fps at least in any second", calm)
	b.ReportMetric(m.minFPS, "min-fps")
	b.ReportMetric(m.meanFPS, "mean-fps")
	b.ReportMetric(m.arrivalFPS, "min-fps-arrival")
	b.ReportMetric(float64(m.ageP99.Microseconds())/1000, "age_p99_ms")
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

// Which time of a frame puts it in a second: when it was captured, or when
// it reached the viewer.
const (
	byCapture = true
	byArrival = false
)

// secondsFPS returns the fewest frames any viewer got in a whole second of
// [from, to) (counted from from), and the slowest viewer's mean frame rate
// over it, counting the frames captured in those seconds (byCapture: what
// pistream delivered, however late this busy process read it) or those
// that arrived in them (byArrival). It fails when the window holds no
// whole second or a viewer lost its stream.
func secondsFPS(b *testing.B, vs []*viewer, from, to time.Time, capture bool) (low, mean float64) {
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
			low = min(low, float64(v.countBy(at, at.Add(time.Second), capture)))
		}
		mean = min(mean, float64(v.countBy(from, to, capture))/to.Sub(from).Seconds())
	}
	return low, mean
}

// snapshotTally counts the answers to GET /snapshot, as they come.
type snapshotTally struct {
	mu sync.Mutex
	stormResult
}

// stormResult is what a storm's client got.
type stormResult struct {
	Served    int         // answered 200 with a complete JPEG
	Refused   int         // answered another status, with a message
	Lost      int         // not answered, or answered broken
	ByStatus  map[int]int // the answers by status
	FirstLost string      // why the first was lost
}

// add counts one answer: a complete JPEG (status 200), a refusal (another
// status with a message), or a loss (err: no answer, or a broken one).
func (t *snapshotTally) add(status int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err != nil:
		t.Lost++
		if t.FirstLost == "" {
			t.FirstLost = err.Error()
		}
		return
	case status == http.StatusOK:
		t.Served++
	default:
		t.Refused++
	}
	if t.ByStatus == nil {
		t.ByStatus = map[int]int{}
	}
	t.ByStatus[status]++
}

// statuses lists the refusals by status.
func (t *stormResult) statuses() string {
	var parts []string
	for code, n := range t.ByStatus {
		if code != http.StatusOK {
			parts = append(parts, fmt.Sprintf("%d× %d", n, code))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// getSnapshot asks for a snapshot and checks the answer: a complete JPEG of
// its Content-Length with status 200, or another status with a message
// saying why. Anything else is an error: the snapshot was lost.
func getSnapshot(c *http.Client, url string) (status int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), failureGuard)
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
// failureGuard, failing, rather than count a photo still on its way as
// lost.
func waitPhotos(b *testing.B, p *proc, dir string, want int) int {
	b.Helper()
	var saved, failed int
	waitSeen(b, fmt.Sprintf("a photo or a failure for each of %d presses of s", want), func() (bool, string) {
		saved = len(photosIn(b, dir))
		log := p.log.String()
		failed = strings.Count(log, "snapshot not taken") + strings.Count(log, "snapshot not saved")
		return saved+failed >= want, fmt.Sprintf("%d photos saved and %d failures logged", saved, failed)
	})
	if failed > 0 {
		b.Errorf("%d of %d snapshots failed (see the log)", failed, want)
	}
	return saved
}
