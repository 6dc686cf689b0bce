package main

// Tests that attack the running program: access control, limits, hostile
// clients, hostile files, a full disk.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"pistream/httpstream"
	"pistream/internal/jpegmark"
	"pistream/internal/mjpegtest"
	"pistream/internal/syncbuffer"
)

const testToken = "attack-test-token-0123456789abcdef"

// rawGet requests path with the token presented as how says.
func rawGet(t *testing.T, p *proc, path, how, token string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failureGuard)
	t.Cleanup(cancel)
	if how == "query" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "token=" + token
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", p.url+path, nil)
	switch how {
	case "bearer":
		req.Header.Set("Authorization", "Bearer "+token)
	case "cookie":
		req.AddCookie(&http.Cookie{Name: httpstream.CookieName, Value: token})
	case "basic":
		req.SetBasicAuth("x", token)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// Without a token every path answers 401; a wrong token 401; the right one
// as query, cookie, bearer or Basic password 200.
func TestEveryPathNeedsTheToken(t *testing.T) {
	p := start(t, "--http-auth", "token", "--http-token", testToken)
	pathsNeedToken(t, p, "/", "/stream", "/snapshot", "/state", "/metrics", "/?action=stream", "/?action=snapshot")
	if r := rawGet(t, p, "/nope", "none", ""); r.StatusCode != 401 {
		t.Errorf("an unknown path without a token: %d, want 401 (no probing)", r.StatusCode)
	}
}

// The album's paths and the pages' style sheet need the token too (in a
// process of their own: the wrong tokens tried count against the address).
func TestAlbumPathsNeedTheToken(t *testing.T) {
	p := start(t, "--http-auth", "token", "--http-token", testToken)
	pathsNeedToken(t, p, "/photos", "/pistream.css", "/pistream.js", "/photos/events")
}

// pathsNeedToken checks that each path answers 401 without a token and
// with a wrong one (4 wrong tokens a path), and 200 with the right one by
// each way of giving it.
func pathsNeedToken(t *testing.T, p *proc, paths ...string) {
	t.Helper()
	for _, path := range paths {
		if r := rawGet(t, p, path, "none", ""); r.StatusCode != 401 {
			t.Errorf("%s without a token: %d, want 401", path, r.StatusCode)
		}
		for _, how := range []string{"query", "bearer", "cookie", "basic"} {
			if r := rawGet(t, p, path, how, "wrong-token-0123456789"); r.StatusCode != 401 {
				t.Errorf("%s with a wrong token by %s: %d, want 401", path, how, r.StatusCode)
			}
			r := rawGet(t, p, path, how, testToken)
			if r.StatusCode != 200 {
				t.Errorf("%s with the token by %s: %d, want 200", path, how, r.StatusCode)
			}
			if how == "query" {
				c := r.Header.Get("Set-Cookie")
				if !strings.Contains(c, httpstream.CookieName+"="+testToken) || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") {
					t.Errorf("%s ?token= sets cookie %q, want HttpOnly SameSite=Strict", path, c)
				}
			}
		}
	}
}

// Without --http-token, a random 128-bit token is made on first start,
// kept (0600) and printed in a ready-to-open URL; the next start reuses it.
func TestGeneratedToken(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	p := start(t, "--http-auth", "token", "--state", state)
	data, err := os.ReadFile(filepath.Join(state, "http_token"))
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(string(data))
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(tok) {
		t.Fatalf("token %q is not 128 random bits in hex", tok)
	}
	if fi, _ := os.Stat(filepath.Join(state, "http_token")); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(p.log.String(), p.url+"/?token="+tok) {
		t.Errorf("the log does not show the URL with the token:\n%s", p.log.String())
	}
	if r := rawGet(t, p, "/snapshot", "query", tok); r.StatusCode != 200 {
		t.Errorf("the generated token: %d", r.StatusCode)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
	p2 := start(t, "--http-auth", "token", "--state", state)
	if r := rawGet(t, p2, "/snapshot", "bearer", tok); r.StatusCode != 200 {
		t.Errorf("the token after a restart: %d, want the same token to work", r.StatusCode)
	}
}

// --http-auth none opens the feed, with a warning in the log.
func TestOpenFeedWarns(t *testing.T) {
	p := start(t, "--http-auth", "none")
	if r := rawGet(t, p, "/snapshot", "none", ""); r.StatusCode != 200 {
		t.Errorf("open feed: %d", r.StatusCode)
	}
	if !strings.Contains(p.log.String(), "open to anyone") {
		t.Errorf("no warning in the log:\n%s", p.log.String())
	}
}

// 300 half-sent requests do not stop a real viewer from getting /snapshot:
// it is answered while they are all still open, and then the server closes
// them.
func TestHalfSentRequests(t *testing.T) {
	p := start(t)
	addr := strings.TrimPrefix(p.url, "http://")
	conns := make([]net.Conn, 0, 300)
	for range 300 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		io.WriteString(c, "GET /snapshot HTTP/1.1\r\nHost: pi\r\nX-Slow: ") // never finished
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Each is watched from now until the server closes it (ReadHeaderTimeout).
	var wg sync.WaitGroup
	var closed, open atomic.Int32
	for _, c := range conns {
		wg.Go(func() {
			c.SetReadDeadline(time.Now().Add(failureGuard))
			_, err := io.Copy(io.Discard, c)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				open.Add(1)
				return
			}
			closed.Add(1)
		})
	}
	at := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), failureGuard)
	defer cancel()
	resp, err := p.get(ctx, "/snapshot")
	if err != nil {
		t.Fatalf("a real viewer beside 300 half-sent requests: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if n := closed.Load(); n > 0 {
		t.Errorf("the snapshot came only after the server had closed %d of the 300 half-sent requests: they held it back", n)
	}
	if resp.StatusCode != 200 || jpegmark.Check(body) != nil {
		t.Fatalf("snapshot: %s", resp.Status)
	}
	t.Logf("snapshot beside 300 half-sent requests in %v", time.Since(at).Round(time.Millisecond))

	wg.Wait()
	if n := open.Load(); n > 0 {
		t.Errorf("%d of 300 half-sent requests still open after %v", n, failureGuard)
	}
}

// 20 viewers that never read: memory grows by less than 60 MB, normal
// viewers keep getting (nearly) every frame, and the stalled ones are
// dropped.
func TestStalledViewers(t *testing.T) {
	p := start(t)
	addr := strings.TrimPrefix(p.url, "http://")
	normal := watchAll(t, p, 3)
	time.Sleep(time.Second)
	rss0, anon0 := vmRSSKB(t, p.pid()), privateDirtyKB(t, p.pid())
	for range 20 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.(*net.TCPConn).SetReadBuffer(4096)
		io.WriteString(c, "GET /stream HTTP/1.1\r\nHost: pi\r\n\r\n") // and never read
	}
	from, frames0 := time.Now(), p.state(t).Frames
	time.Sleep(10 * time.Second)
	to, frames1 := time.Now(), p.state(t).Frames
	rss1, anon1 := vmRSSKB(t, p.pid()), privateDirtyKB(t, p.pid())
	made := int(frames1 - frames0)
	for i, v := range normal {
		if got := v.count(from, to); got < made*85/100-30 {
			t.Errorf("normal viewer %d got %d frames while the camera made %d", i, got, made)
		}
	}
	t.Logf("RSS %d -> %d kB, anonymous %d -> %d kB; camera made %d frames in %v", rss0, rss1, anon0, anon1, made, to.Sub(from).Round(time.Millisecond))
	if rss1-rss0 > 60<<10 {
		t.Errorf("RSS grew by %d kB with 20 stalled viewers, want < 60 MB", rss1-rss0)
	}
	waitSeen(t, "the stalled viewers to be dropped", func() (bool, string) {
		n := p.state(t).Viewers
		return n <= 3, fmt.Sprintf("%d viewers", n)
	})
}

// --max-viewers 4 with 7 viewers: exactly 3 refused with 503.
func TestMaxViewers(t *testing.T) {
	p := start(t, "--max-viewers", "4")
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 7 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := p.get(ctx, "/stream")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
			if resp.StatusCode == 503 {
				body, _ := io.ReadAll(resp.Body)
				if !strings.Contains(string(body), "too many viewers") {
					t.Errorf("503 says %q", body)
				}
			}
			// Keep the accepted streams open until all seven have answers.
		}()
	}
	wg.Wait()
	if codes[200] != 4 || codes[503] != 3 {
		t.Errorf("statuses %v, want 4×200 and 3×503", codes)
	}
}

// TLS: --tls-cert and --tls-key serve HTTPS; the cookie is Secure.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeSelfSigned(t, cert, key)
	port := freePort(t)
	cmd := exec.Command(binPath, "--headless", "--camera", "test", "--ssh", "", "--state", filepath.Join(dir, "state"),
		"--photos", filepath.Join(dir, "photos"), "--notes", filepath.Join(dir, "notes"),
		"--http", fmt.Sprintf("127.0.0.1:%d", port), "--http-token", testToken, "--tls-cert", cert, "--tls-key", key)
	out := &syncbuffer.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, Timeout: 5 * time.Second}
	url := fmt.Sprintf("https://127.0.0.1:%d/snapshot?token=%s", port, testToken)
	waitSeen(t, "a snapshot over TLS", func() (bool, string) {
		resp, err := client.Get(url)
		if err != nil {
			return false, err.Error() + "\n" + out.String()
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return false, resp.Status + "\n" + out.String()
		}
		if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "Secure") {
			t.Errorf("cookie over TLS %q, want Secure", c)
		}
		return true, ""
	})
	if !strings.Contains(out.String(), fmt.Sprintf("https://127.0.0.1:%d/?token=", port)) {
		t.Errorf("the log does not print the https URL:\n%s", out.String())
	}
	// /stream over HTTP/1.1 (the connection taken over, one TLS write a
	// part) and over HTTP/2 (through net/http): complete parts.
	for proto, h2 := range map[int]bool{1: false, 2: true} {
		client := &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: h2,
		}}
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("https://127.0.0.1:%d/stream?token=%s", port, testToken), nil)
		resp, err := client.Do(req)
		if err != nil {
			cancel()
			t.Fatalf("/stream over HTTP/%d: %v", proto, err)
		}
		if resp.ProtoMajor != proto || resp.StatusCode != 200 {
			t.Errorf("/stream: %s %s, want HTTP/%d 200", resp.Proto, resp.Status, proto)
		}
		pr := mjpegtest.NewPartReader(resp.Body, httpstream.Boundary)
		for i := range 3 {
			part, err := pr.Next(nil)
			if err == nil {
				err = jpegmark.Check(part.JPEG)
			}
			if err != nil {
				t.Errorf("/stream over HTTP/%d, part %d: %v", proto, i, err)
				break
			}
		}
		cancel()
		resp.Body.Close()
	}
}

func writeSelfSigned(t *testing.T, certPath, keyPath string) {
	t.Helper()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pistream test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(priv)
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
}

// SSH: a cap on sessions, a limit on failed logins per address, and an
// idle timeout.
func TestSSHLimits(t *testing.T) {
	e := startTUI(t, nil)
	t.Run("max sessions", func(t *testing.T) {
		e2 := startTUI(t, nil, "--max-sessions", "2")
		e2.open(t)
		e2.open(t)
		s, err := e2.connect(t, e2.key)
		if err != nil {
			t.Fatal(err)
		}
		s.waitFor("too many sessions")
	})
	t.Run("failed logins", func(t *testing.T) {
		bad := newKey(t)
		for range 12 {
			e.connect(t, bad)
		}
		if _, err := e.connect(t, e.key); err == nil {
			t.Error("after 12 failed logins from this address, the right key still got in at once")
		}
		if !strings.Contains(e.log.String(), "too many failed logins") {
			t.Errorf("not logged:\n%s", e.log.String())
		}
	})
	t.Run("idle", func(t *testing.T) {
		e3 := startTUI(t, nil, "--ssh-idle", "4s")
		s := e3.open(t)
		s.press("3") // time on Live does not count
		s.waitEnded("it was idle")
		_, tail := s.raw.stats()
		if !strings.Contains(tail, "without a key press") {
			t.Errorf("the session ended without saying why: %q", ansi.Strip(tail[max(len(tail)-300, 0):]))
		}
	})
}

// A note and a photo whose names and contents carry escape sequences show
// them as visible text: no title change, no colour change, no cursor
// movement in the terminal.
func TestHostileNamesAndContents(t *testing.T) {
	evil := "\x1b]0;pwned\x07\x1b[31mRED\x1b[0m\x1b[2J\x1b[Hmoved\x9b1;1H\x07"
	e := startTUI(t, map[string]string{
		"note\x1b]0;pwned\x07.md": "# Hostile\n\nbefore " + evil + " after\n",
	})
	os.MkdirAll(filepath.Join(e.dir, "photos"), 0o755)
	img := snapshotBytes(t, e.proc)
	os.WriteFile(filepath.Join(e.dir, "photos", "photo\x1b]0;pwned\x07\x1b[2J.jpg"), img, 0o644)

	s := e.open(t)
	s.press("2")
	txt := s.waitFor("photo␛]0;pwned␇␛[2J.jpg")
	if !strings.Contains(txt, "1 Live") {
		t.Errorf("the tabs were wiped:\n%s", txt)
	}
	s.press("3")
	s.waitFor("note␛]0;pwned␇.md")
	s.press("\r")
	txt = s.waitFor("after")
	if !strings.Contains(txt, "␛]0;pwned␇␛[31mRED␛[0m␛[2J␛[Hmoved") {
		t.Errorf("the escape sequences are not shown as visible text:\n%s", txt)
	}
	if !strings.Contains(txt, "1 Live") || !strings.Contains(txt, "Hostile") {
		t.Errorf("the screen was cleared or the cursor moved:\n%s", txt)
	}
	// "RED" is drawn in the same colour as the text around it.
	y, x := find(txt, "RED")
	yb, xb := find(txt, "before")
	if y < 0 || yb < 0 {
		t.Fatalf("text not found:\n%s", txt)
	}
	if red, before := s.fg(x, y), s.fg(xb, yb); red != before {
		t.Errorf("the note's colour sequence took effect: RED in %v, text in %v", red, before)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.titles) == 0 {
		t.Error("the emulator recorded no window title: this check could not see a hostile one")
	}
	for _, title := range s.titles {
		if title != "pistream" {
			t.Errorf("the window title was set to %q", title)
		}
	}
}

// find returns the row and column of the first s on screen.
func find(screen, s string) (int, int) {
	for y, line := range strings.Split(screen, "\n") {
		if i := strings.Index(line, s); i >= 0 {
			return y, len([]rune(line[:i]))
		}
	}
	return -1, -1
}

func snapshotBytes(t *testing.T, p *proc) []byte {
	t.Helper()
	resp, err := p.get(context.Background(), "/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

// A photos directory on a tiny tmpfs: snapshots until it is full leave only
// complete JPEGs, the TUI says the disk is full, and pistream keeps running.
func TestDiskFull(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tiny")
	os.MkdirAll(dir, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (needs root): %v %s", err, out)
	}
	defer exec.Command("umount", "-l", dir).Run()
	e := startTUI(t, nil, "--photos", dir)
	s := e.open(t)
	full := false
	for i := 0; i < 60 && !full; i++ {
		s.press("s")
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			txt := s.text()
			if strings.Contains(txt, "disk full") {
				full = true
				break
			}
			if strings.Count(txt, "Saved ") > 0 && !strings.Contains(txt, "Taking a snapshot") {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !full {
		t.Fatalf("the TUI never said the disk is full:\n%s", s.text())
	}
	ents, _ := os.ReadDir(dir)
	n := 0
	for _, ent := range ents {
		if ent.IsDir() {
			continue
		}
		if !strings.HasSuffix(ent.Name(), ".jpg") {
			t.Errorf("left behind: %q", ent.Name())
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err := jpegmark.Check(b); err != nil {
			t.Errorf("%s: %v", ent.Name(), err)
		}
		n++
	}
	t.Logf("%d complete photos filled the 200k tmpfs", n)
	if r := rawGet(t, e.proc, "/snapshot", "none", ""); r.StatusCode != 200 {
		t.Errorf("pistream stopped serving after the disk filled: %d", r.StatusCode)
	}
	s.press("1")
	s.waitFor("Open in a browser") // the TUI still works
}

// SIGTERM with viewers, SSH sessions and a snapshot in flight: exit 0, the
// streams ended, the snapshot complete or absent (BenchmarkStop measures
// how fast).
func TestStopWithEverythingInFlight(t *testing.T) {
	t.Logf("stopped in %v", stopEverythingInFlight(t).Round(time.Millisecond))
}

// stopEverythingInFlight starts pistream with 10 viewers and 2 SSH sessions
// that have just pressed s, stops it with SIGTERM, checks that it exited
// with status 0, the streams ended and every photo is complete, and returns
// the time from SIGTERM to exit.
func stopEverythingInFlight(t testing.TB) time.Duration {
	t.Helper()
	e := startTUI(t, nil)
	vs := watchAll(t, e.proc, 10)
	waitParts(t, vs, make([]int, len(vs)), 1) // every viewer streaming
	a, b := e.open(t), e.open(t)
	a.press("s")
	b.press("s")
	took := e.terminate(t, vs...)
	ents, _ := os.ReadDir(filepath.Join(e.dir, "photos"))
	for _, ent := range ents {
		if ent.IsDir() {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(e.dir, "photos", ent.Name()))
		if !strings.HasSuffix(ent.Name(), ".jpg") || jpegmark.Check(b) != nil {
			t.Errorf("after the stop: %q is not a complete photo", ent.Name())
		}
	}
	return took
}

// stopLimit is how long a stop may take, SIGTERM to exit, as the README
// promises.
const stopLimit = 2 * time.Second

// BenchmarkStop: the time from SIGTERM to exit of pistream with nothing
// attached (idle-ms), and with 10 viewers and 2 SSH sessions that have just
// pressed s (loaded-ms, the slowest in max-loaded-ms), their ratio; it fails
// when a loaded stop takes over 2 s. Each iteration stops one of each, in
// turn, so that the machine's load weighs on both alike.
func BenchmarkStop(b *testing.B) {
	b.StopTimer() // starting pistream is no part of the measure
	var idle, loaded, slowest time.Duration
	for range b.N {
		p := start(b)
		idle += p.terminate(b)
		took := stopEverythingInFlight(b)
		loaded += took
		slowest = max(slowest, took)
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	n := float64(b.N)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(idle)/n, "idle-ms")
	b.ReportMetric(ms(loaded)/n, "loaded-ms")
	b.ReportMetric(ms(slowest), "max-loaded-ms")
	b.ReportMetric(float64(loaded)/float64(idle), "loaded/idle")
	if slowest > stopLimit {
		b.Errorf("a stop with 10 viewers and 2 SSH sessions took %v, over the %v the README promises", slowest.Round(time.Millisecond), stopLimit)
	}
}
