package main

// End-to-end tests: they build the real pistream binary and drive it over
// loopback as its users do, with HTTP clients, curl and headless Chromium.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pistream/httpstream"
	"pistream/internal/jpegmark"
	"pistream/internal/mjpegtest"
	"pistream/internal/syncbuffer"
)

var binPath string // the pistream binary built for these tests

func TestMain(m *testing.M) {
	if os.Getenv(stormURLEnv) != "" { // the client process of a storm needs no pistream
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "pistream-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "pistream")
	args := []string{"build", "-o", binPath}
	if raceEnabled { // the server under test is checked for races too
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build pistream:", err)
		os.Exit(1)
	}
	// The new binary's dirty page cache would count in its processes'
	// Private_Dirty until written back: write it back now.
	syscall.Sync()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running pistream.
type proc struct {
	cmd   *exec.Cmd
	url   string // http://127.0.0.1:port
	token string // --http-token, if the test gave one
	done  chan struct{}
	err   error // exit status, after done
	log   *syncbuffer.Buffer
}

// freePort returns a loopback port nobody listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs pistream on a free loopback port with the test camera unless
// args choose another, and waits until it serves frames. It is stopped with
// SIGTERM when the test ends.
func start(t testing.TB, args ...string) *proc {
	t.Helper()
	return startWith(t, launch{}, args...)
}

// launch is what a test changes in how pistream starts, beyond its flags.
type launch struct {
	env []string // added to pistream's environment
	// journal makes stderr a pipe whose device and inode JOURNAL_STREAM
	// names, as systemd's journal stream; what it carries still reaches
	// proc.log.
	journal bool
	// noFrames is for a camera that is meant to fail: start waits until
	// HTTP answers (/state), not for a frame.
	noFrames bool
}

// startWith is start with the options of l: the one way the root tests
// start pistream (startTUI and the benchmarks build on it).
func startWith(t testing.TB, l launch, args ...string) *proc {
	t.Helper()
	port := freePort(t)
	dir := t.TempDir()
	all := append([]string{
		"--config", "", // no config file of this machine's
		"--headless", "--http", "127.0.0.1:" + strconv.Itoa(port), "--camera", "test", "--ssh", "", "--http-auth", "none",
		"--state", filepath.Join(dir, "state"), "--photos", filepath.Join(dir, "photos"), "--notes", filepath.Join(dir, "notes"),
	}, args...)
	p := spawn(t, "http://127.0.0.1:"+strconv.Itoa(port), l, binPath, all...)
	for i, a := range all[:len(all)-1] {
		if a == "--http-token" {
			p.token = all[i+1]
		}
	}
	p.waitServing(t, l.noFrames)
	return p
}

// stop ends the process with SIGTERM, or SIGKILL after 5 s, and waits
// for it.
func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// waitServing waits until p serves a frame (with noFrames: until it
// answers /state), or answers 401 to a test that does not know its token
// yet.
func (p *proc) waitServing(t testing.TB, noFrames bool) {
	t.Helper()
	path := "/snapshot"
	if noFrames {
		path = "/state"
	}
	waitSeen(t, "pistream to serve "+path, func() (bool, string) {
		select {
		case <-p.done:
			t.Fatalf("pistream exited: %v\n%s", p.err, p.log.String())
		default:
		}
		resp, err := p.get(context.Background(), path)
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		// 401: up, with a token this test doesn't know yet.
		return resp.StatusCode == 200 || resp.StatusCode == 401 && p.token == "", resp.Status + "\n" + p.log.String()
	})
}

// spawn starts the program bin with args, as l says, serving at url; it
// is stopped with SIGTERM (killed after 5 s) when the test ends.
func spawn(t testing.TB, url string, l launch, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{url: url, done: make(chan struct{}), log: &syncbuffer.Buffer{}}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	// A race-enabled binary sleeps 1 s at exit by default, which would
	// count against the 2 s a stop may take.
	p.cmd.Env = append(append(os.Environ(), "GORACE=atexit_sleep_ms=0"), l.env...)
	copied := make(chan struct{}) // what stderr carried is in p.log
	if l.journal {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		var st syscall.Stat_t
		if err := syscall.Fstat(int(w.Fd()), &st); err != nil {
			t.Fatal(err)
		}
		p.cmd.Env = append(p.cmd.Env, fmt.Sprintf("JOURNAL_STREAM=%d:%d", st.Dev, st.Ino))
		p.cmd.Stderr = w
		defer w.Close() // once started, the child holds its own
		go func() { defer close(copied); io.Copy(p.log, r); r.Close() }()
	} else {
		close(copied)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", filepath.Base(bin), err)
	}
	go func() { p.err = p.cmd.Wait(); <-copied; close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", filepath.Base(bin), p.log.String())
		}
	})
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// terminate sends SIGTERM, waits for pistream to exit and for the streams
// of vs to end, and returns the time from SIGTERM to exit. It fails the
// test unless pistream exits with status 0. It waits up to failureGuard
// for each: how fast a stop is, BenchmarkStop measures.
func (p *proc) terminate(t testing.TB, vs ...*viewer) time.Duration {
	t.Helper()
	at := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	waitClosed(t, "pistream to exit after SIGTERM", p.done)
	took := time.Since(at)
	if p.err != nil {
		t.Errorf("pistream exited with %v after SIGTERM, want status 0", p.err)
	}
	for i, v := range vs {
		waitClosed(t, fmt.Sprintf("viewer %d's stream to end after pistream stopped", i), v.done)
	}
	return took
}

// get requests path with the token as a bearer, if there is one.
func (p *proc) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", p.url+path, nil)
	if err != nil {
		return nil, err
	}
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	return http.DefaultClient.Do(req)
}

// stream opens /stream, failing unless it answers 200. The stream is
// closed by leave or when the test ends.
func (p *proc) stream(t testing.TB) (pr *mjpegtest.PartReader, leave func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := p.get(ctx, "/stream")
	if err != nil {
		cancel()
		t.Fatalf("GET /stream: %v", err)
	}
	leave = func() { cancel(); resp.Body.Close() }
	t.Cleanup(leave)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /stream: %s, want 200", resp.Status)
	}
	return mjpegtest.NewPartReader(resp.Body, httpstream.Boundary), leave
}

// state reads /state.
func (p *proc) state(t testing.TB) httpstream.State {
	t.Helper()
	resp, err := p.get(context.Background(), "/state")
	if err != nil {
		t.Fatalf("GET /state: %v", err)
	}
	defer resp.Body.Close()
	var st httpstream.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("decode /state: %v", err)
	}
	return st
}

// viewer is one /stream client that records what it receives.
type viewer struct {
	mu     sync.Mutex
	times  []time.Time     // arrival of each complete part
	ages   []time.Duration // arrival minus X-Timestamp
	err    error
	bad    string   // first malformed part
	keep   bool     // keep the parts' bytes in jpegs
	jpegs  [][]byte // every part, when keep is set
	cancel context.CancelFunc
	done   chan struct{}
}

// watch connects a viewer to /stream; delay, when set, is slept after every
// frame to make a slow viewer.
func watch(t testing.TB, p *proc, delay time.Duration) *viewer {
	t.Helper()
	return watchWith(t, p, &viewer{}, delay)
}

// watchKeeping connects a viewer that keeps every part it receives.
func watchKeeping(t testing.TB, p *proc) *viewer {
	t.Helper()
	return watchWith(t, p, &viewer{keep: true}, 0)
}

func watchWith(t testing.TB, p *proc, v *viewer, delay time.Duration) *viewer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel, v.done = cancel, make(chan struct{})
	resp, err := p.get(ctx, "/stream")
	if err != nil {
		cancel()
		t.Fatalf("GET /stream: %v", err)
	}
	go func() {
		defer close(v.done)
		defer resp.Body.Close()
		pr := mjpegtest.NewPartReader(resp.Body, httpstream.Boundary)
		var buf []byte
		for {
			p, err := pr.Next(buf)
			if err != nil {
				v.mu.Lock()
				v.err = err
				v.mu.Unlock()
				return
			}
			buf = p.JPEG
			now := time.Now()
			v.mu.Lock()
			if err := jpegmark.Check(p.JPEG); err != nil && v.bad == "" {
				v.bad = err.Error()
			}
			v.times = append(v.times, now)
			v.ages = append(v.ages, now.Sub(p.Time))
			if v.keep {
				v.jpegs = append(v.jpegs, append([]byte(nil), p.JPEG...))
			}
			v.mu.Unlock()
			if delay > 0 {
				time.Sleep(delay)
			}
		}
	}()
	t.Cleanup(v.stop)
	return v
}

func (v *viewer) stop() { v.cancel(); <-v.done }

// watchAll connects n viewers that read every frame.
func watchAll(t testing.TB, p *proc, n int) []*viewer {
	t.Helper()
	vs := make([]*viewer, n)
	for i := range vs {
		vs[i] = watch(t, p, 0)
	}
	return vs
}

// count is the number of parts received between from and to.
func (v *viewer) count(from, to time.Time) int { return v.countBy(from, to, false) }

// countBy counts the parts received in [from, to); by capture, the parts
// whose frames were captured then (their arrival minus their age).
func (v *viewer) countBy(from, to time.Time, capture bool) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	for i, at := range v.times {
		if capture {
			at = at.Add(-v.ages[i])
		}
		if !at.Before(from) && at.Before(to) {
			n++
		}
	}
	return n
}

func (v *viewer) total() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.times)
}

// A token from the environment works (TestHelpListsEveryFlag checks that
// --help never prints it).
func TestTokenFromEnvironment(t *testing.T) {
	const tok = "env-token-0123456789abcdef"
	t.Setenv("PISTREAM_HTTP_TOKEN", tok)
	p := start(t, "--http-auth", "token")
	p.token = tok
	resp, err := p.get(context.Background(), "/snapshot")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the token from PISTREAM_HTTP_TOKEN: %v %v", resp.Status, err)
	}
	resp.Body.Close()
}

// A bad flag makes the program exit 2 with a message (TestParseFlags
// checks the flags themselves in-process).
func TestBadFlagsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in the message
	}{
		{[]string{"--size", "640"}, "--size"},
		{[]string{"--nope"}, "not defined"},
		{[]string{"--v4l2-controls", "focus_absolute=thirty"}, "--v4l2-controls: 'focus_absolute=thirty': focus_absolute=thirty: the value is not an integer"},
	} {
		out, err := exec.Command(binPath, append([]string{"--config", ""}, tc.args...)...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: exit %v, output %q; want exit 2 with a message saying %q", tc.args, err, out, tc.want)
		}
	}
}

func TestCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	p := start(t)
	snap, err := exec.Command("curl", "-sf", p.url+"/snapshot").Output()
	if err != nil || jpegmark.Check(snap) != nil {
		t.Fatalf("curl /snapshot: %v, %d bytes", err, len(snap))
	}
	// curl's stream, read as it comes: 10 complete parts, then curl is
	// stopped (killed after failureGuard, so that a hang fails).
	curl := exec.Command("curl", "-sN", p.url+"/?action=stream")
	out, err := curl.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := curl.Start(); err != nil {
		t.Fatal(err)
	}
	guard := time.AfterFunc(failureGuard, func() { curl.Process.Kill() })
	defer func() { guard.Stop(); curl.Process.Kill(); curl.Wait() }()
	pr := mjpegtest.NewPartReader(out, httpstream.Boundary)
	for n := range 10 {
		part, err := pr.Next(nil)
		if err != nil {
			t.Fatalf("curl's stream, part %d: %v", n, err)
		}
		if err := jpegmark.Check(part.JPEG); err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
	}
}

// One viewer that reads a frame a second holds nobody back: the other 19
// get (nearly) every frame the camera makes, and memory stays flat.
func TestSlowViewerHoldsNobodyBack(t *testing.T) {
	p := start(t, "--size", "640x480", "--fps", "30")
	slow := watch(t, p, time.Second)
	fast := watchAll(t, p, 19)
	time.Sleep(2 * time.Second) // warm up
	from, framesBefore, memBefore := time.Now(), p.state(t).Frames, privateDirtyKB(t, p.pid())
	time.Sleep(6 * time.Second)
	to, framesAfter, memAfter := time.Now(), p.state(t).Frames, privateDirtyKB(t, p.pid())
	made := int(framesAfter - framesBefore)
	for i, v := range fast {
		// /state updates its frame count once a second: allow for that.
		if got := v.count(from, to); got < made*85/100-30 {
			t.Errorf("viewer %d got %d frames while the camera made %d", i, got, made)
		}
	}
	if got := slow.count(from, to); got > 8 {
		t.Errorf("slow viewer got %d frames in 6 s; it should skip to the newest", got)
	}
	grow := memAfter - memBefore
	t.Logf("camera made %d frames in %v; anonymous memory %d kB -> %d kB", made, to.Sub(from).Round(time.Millisecond), memBefore, memAfter)
	if grow > 16<<10 {
		t.Errorf("anonymous memory grew by %d kB with a slow viewer", grow)
	}
}

// 300 viewers that leave after a random few bytes: the server keeps
// serving, and its goroutines and descriptors return to their baseline.
func TestViewersLeavingEarly(t *testing.T) {
	p := start(t)
	stay := watch(t, p, 0)
	time.Sleep(500 * time.Millisecond)
	baseG, baseFD := p.state(t).Goroutines, openFDs(t, p.pid())
	addr := strings.TrimPrefix(p.url, "http://")
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for i := range 300 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Errorf("dial: %v", err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			path := []string{"/stream", "/?action=stream", "/snapshot"}[i%3]
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: pi\r\n\r\n", path)
			io.ReadFull(bufio.NewReader(c), make([]byte, 1+(i*7919)%20000))
		}()
	}
	wg.Wait()
	var g, fds int
	waitSeen(t, "goroutines and descriptors back to their baseline", func() (bool, string) {
		g, fds = p.state(t).Goroutines, openFDs(t, p.pid())
		return g <= baseG+2 && fds <= baseFD+1, fmt.Sprintf("goroutines %d (baseline %d), descriptors %d (baseline %d)", g, baseG, fds, baseFD)
	})
	t.Logf("goroutines %d (baseline %d), descriptors %d (baseline %d)", g, baseG, fds, baseFD)
	before := stay.total()
	waitParts(t, []*viewer{stay}, []int{before}, 5) // the viewer who stayed still gets frames
	if strings.Contains(p.log.String(), "panic") {
		t.Errorf("the server panicked:\n%s", p.log.String())
	}
}

// HEAD /stream answers the headers at once with no body and holds no
// viewer slot: with --max-viewers 1, four HEADs whose connections stay open
// leave the slot to a real viewer, and each of those connections then
// answers another request (no body bytes came before its status line).
func TestHeadStream(t *testing.T) {
	p := start(t, "--max-viewers", "1")
	addr := strings.TrimPrefix(p.url, "http://")
	type conn struct {
		c  net.Conn
		br *bufio.Reader
	}
	var conns []conn
	for i := range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(failureGuard)) // only so that a hang fails
		io.WriteString(c, "HEAD /stream HTTP/1.1\r\nHost: pi\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, &http.Request{Method: "HEAD"})
		if err != nil {
			t.Fatalf("HEAD %d: %v", i, err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("HEAD %d: %s, want 200: a HEAD holds the viewer slot", i, resp.Status)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "multipart/x-mixed-replace; boundary="+httpstream.Boundary {
			t.Errorf("HEAD %d: Content-Type %q", i, ct)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("HEAD %d: Cache-Control %q", i, cc)
		}
		conns = append(conns, conn{c, br})
	}
	pr, _ := p.stream(t) // 200: the slot is free
	if _, err := pr.Next(nil); err != nil {
		t.Fatalf("a viewer after four HEADs: %v", err)
	}
	for i, c := range conns {
		io.WriteString(c.c, "GET /state HTTP/1.1\r\nHost: pi\r\n\r\n")
		resp, err := http.ReadResponse(c.br, nil)
		if err != nil {
			t.Fatalf("GET /state after HEAD %d on the same connection: %v (a body after the HEAD's headers?)", i, err)
		}
		if resp.StatusCode != 200 {
			t.Errorf("GET /state after HEAD %d on the same connection: %s", i, resp.Status)
		}
		resp.Body.Close()
	}
}

// SIGTERM with viewers attached: pistream exits with status 0 and the
// streams end (BenchmarkStop measures how fast).
func TestGracefulStop(t *testing.T) {
	p := start(t)
	vs := watchAll(t, p, 10)
	waitParts(t, vs, make([]int, len(vs)), 1) // every viewer streaming
	t.Logf("stopped in %v", p.terminate(t, vs...).Round(time.Millisecond))
}

// `make run` (the README's first command) builds pistream, starts it on
// the default camera (auto, which falls back to the test pattern on a
// machine without a camera) and prints the URL to open.
func TestMakeRun(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	port, sshPort, dir := strconv.Itoa(freePort(t)), strconv.Itoa(freePort(t)), t.TempDir()
	cmd := exec.Command("make", "run", "ARGS=--headless --http 127.0.0.1:"+port+" --ssh 127.0.0.1:"+sshPort+
		" --state "+dir+"/state --photos "+dir+"/photos --notes "+dir+"/notes")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &syncbuffer.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}()
	urlRE := regexp.MustCompile(`url="?(http://127\.0\.0\.1:` + port + `/\?token=[0-9a-f]{32})`)
	deadline := time.Now().Add(5 * time.Minute) // the first build compiles gocv
	for !urlRE.MatchString(out.String()) || !strings.Contains(out.String(), "ssh -p "+sshPort+" 127.0.0.1") {
		select {
		case err := <-done:
			t.Fatalf("make run exited: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("make run printed no URL:\n%s", out.String())
		}
	}
	url := urlRE.FindStringSubmatch(out.String())[1]
	resp, err := http.Get(strings.Replace(url, "/?", "/snapshot?", 1))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || jpegmark.Check(body) != nil {
		t.Fatalf("snapshot from make run at the printed URL: %s, %d bytes", resp.Status, len(body))
	}
	if resp, err := http.Get("http://127.0.0.1:" + port + "/snapshot"); err != nil || resp.StatusCode != 401 {
		t.Fatalf("make run serves without the token: %v %v", resp.Status, err)
	}
}
