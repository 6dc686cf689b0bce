package main

// HTTP Basic credentials (any user name, the token as password) with the
// clients that use them: curl, ffmpeg (as Frigate and go2rtc do), Chromium;
// and /metrics as Prometheus reads it.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"pistream/internal/jpegmark"
	"pistream/internal/metricstest"
)

// basicURL is p's URL for path with user x and the token as password.
func basicURL(p *proc, path, token string) string {
	u, _ := url.Parse(p.url + path)
	u.User = url.UserPassword("x", token)
	return u.String()
}

// curl -u x:TOKEN gets the snapshot; a wrong password or none gets 401
// with the Basic challenge that makes clients ask.
func TestCurlBasic(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("curl is not installed: `make test` installs it")
	}
	p := start(t, "--http-auth", "token", "--http-token", testToken)
	snap, err := exec.Command(curl, "-sSf", "-u", "x:"+testToken, p.url+"/snapshot").Output()
	if err != nil || jpegmark.Check(snap) != nil {
		t.Fatalf("curl -u x:TOKEN /snapshot: %v, %d bytes", err, len(snap))
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"wrong password", []string{"-u", "x:wrong-token-0123456789"}},
		{"no credentials", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// -D -: the response headers on stdout; -o /dev/null: no body.
			args := append([]string{"-sS", "-o", "/dev/null", "-D", "-"}, tc.args...)
			out, err := exec.Command(curl, append(args, p.url+"/snapshot")...).Output()
			if err != nil {
				t.Fatalf("curl: %v", err)
			}
			head := strings.ReplaceAll(string(out), "\r\n", "\n")
			if !strings.HasPrefix(head, "HTTP/1.1 401 ") {
				t.Errorf("status line %q, want 401", strings.SplitN(head, "\n", 2)[0])
			}
			if !strings.Contains(strings.ToLower(head), "\nwww-authenticate: basic realm=\"pistream\"\n") {
				t.Errorf("no WWW-Authenticate: Basic realm=\"pistream\" in\n%s", head)
			}
		})
	}
}

// ffmpeg reads 30 frames of /stream with the credentials in the URL: it
// asks without them first, gets the Basic challenge, and answers it.
func TestFFmpegBasic(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg is not installed: `make test` installs it (Debian package ffmpeg)")
	}
	p := start(t, "--http-auth", "token", "--http-token", testToken)
	ffmpegDecodes(t, 30, "-nostdin", "-hide_banner", "-i", basicURL(p, "/stream", testToken),
		"-frames:v", "30", "-f", "null", "-")
	// A wrong password is refused.
	ctx, cancel := context.WithTimeout(context.Background(), failureGuard)
	defer cancel()
	out, err := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-hide_banner", "-i", basicURL(p, "/stream", "wrong-token-0123456789"),
		"-frames:v", "30", "-f", "null", "-").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "401") {
		t.Errorf("ffmpeg with a wrong password: %v\n%s", err, out)
	}
}

// Chromium opens the page with the credentials in the URL: it answers the
// Basic challenge with them, and the page's own requests (the live image,
// /state) go through with the same credentials, no token in the query.
func TestChromiumBasic(t *testing.T) {
	p := start(t, "--http-auth", "token", "--http-token", testToken)
	ctx := browser(t)
	openPage(t, ctx, basicURL(p, "/", testToken))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("live").naturalWidth > 0`)); err != nil {
		t.Fatalf("the live image never loaded: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("badge").textContent == "streaming"`)); err != nil {
		badge, _ := chromedp.Run(ctx, chromedp.Text("#badge"))
		t.Fatalf("the state badge says %q, want streaming: %v", badge, err)
	}
	shot, err := chromedp.Run(ctx, chromedp.Screenshot("#live"))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if s := spread(decodePNG(t, shot)); s < 40 {
		t.Errorf("the live image looks blank (luma spread %d)", s)
	}
}

// /metrics, scraped as Prometheus does (Basic credentials) and parsed with
// its text parser, moves as viewers and SSH sessions come and go and
// frames are sent; without credentials it is 401.
func TestMetricsMove(t *testing.T) {
	e := startTUI(t, nil, "--http-auth", "token", "--http-token", testToken)
	p := e.proc
	if r := rawGet(t, p, "/metrics", "none", ""); r.StatusCode != 401 {
		t.Fatalf("/metrics without credentials: %d, want 401", r.StatusCode)
	}
	scrape := func() metricstest.Families {
		t.Helper()
		m, err := metricstest.Scrape(http.DefaultClient, p.url+"/metrics", func(r *http.Request) { r.SetBasicAuth("prometheus", testToken) })
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	value := func(m metricstest.Families, name string, labels ...string) float64 {
		t.Helper()
		v, ok := m.Value(name, labels...)
		if !ok {
			t.Fatalf("/metrics has no %s%v", name, labels)
		}
		return v
	}
	// waitValue waits for cond on a metric's value.
	waitValue := func(name, what string, cond func(float64) bool) metricstest.Families {
		t.Helper()
		var m metricstest.Families
		waitSeen(t, name+" to be "+what, func() (bool, string) {
			m = scrape()
			v := value(m, name)
			return cond(v), fmt.Sprintf("%s is %v", name, v)
		})
		return m
	}

	before := scrape()
	if v := value(before, "pistream_camera_state", "state", "streaming"); v != 1 {
		t.Errorf("camera state streaming = %v, want 1", v)
	}
	for name, want := range map[string]float64{"pistream_stream_viewers": 0, "pistream_ssh_sessions": 0, "pistream_stream_frames_sent_total": 0} {
		if v := value(before, name); v != want {
			t.Errorf("%s = %v before anybody came, want %v", name, v, want)
		}
	}

	// Two viewers and an SSH session come.
	pr1, leave1 := p.stream(t)
	pr2, leave2 := p.stream(t)
	for i := range 10 {
		if _, err := pr1.Next(nil); err != nil {
			t.Fatalf("viewer 1, part %d: %v", i, err)
		}
		if _, err := pr2.Next(nil); err != nil {
			t.Fatalf("viewer 2, part %d: %v", i, err)
		}
	}
	sess := e.open(t)
	during := waitValue("pistream_ssh_sessions", "1", func(v float64) bool { return v == 1 })
	if v := value(during, "pistream_stream_viewers"); v != 2 {
		t.Errorf("viewers %v while 2 watch", v)
	}
	during = waitValue("pistream_stream_frames_sent_total", "at least the 20 read", func(v float64) bool { return v >= 20 })
	for _, name := range []string{"pistream_frames_captured_total", "pistream_frames_encoded_total", "pistream_stream_sent_bytes_total"} {
		if b, d := value(before, name), value(during, name); d <= b {
			t.Errorf("%s did not move while viewers watched: %v then %v", name, b, d)
		}
	}

	// The viewers leave; frames sent stop moving.
	leave1()
	leave2()
	after := waitValue("pistream_stream_viewers", "0", func(v float64) bool { return v == 0 })
	sent := value(after, "pistream_stream_frames_sent_total")
	if sent < value(during, "pistream_stream_frames_sent_total") {
		t.Errorf("frames sent went down")
	}
	// Nine more frames captured with nobody watching, then none sent.
	captured := value(after, "pistream_frames_captured_total")
	later := waitValue("pistream_frames_captured_total", "9 more frames", func(v float64) bool { return v >= captured+9 })
	if v := value(later, "pistream_stream_frames_sent_total"); v != sent {
		t.Errorf("frames sent moved from %v to %v with nobody watching", sent, v)
	}

	// The SSH session leaves.
	sess.conn.Close()
	waitValue("pistream_ssh_sessions", "0", func(v float64) bool { return v == 0 })
}
