package main

// The README's recipes ("With other software"), each tried with the client
// it is for where that client runs here (nginx as Mainsail's and Fluidd's
// front, Chromium as OctoPrint's page, ffmpeg with Frigate's and go2rtc's
// arguments), and otherwise with the libraries the client uses, acting as
// it does (testdata/recipes/clients.py: OctoPrint's snapshot, Home
// Assistant's MJPEG camera).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pistream/httpstream"
	"pistream/internal/jpegmark"
	"pistream/internal/mjpegtest"
)

// nginxSnippet is the README's `location /webcam/` for Mainsail and Fluidd.
const nginxSnippet = "packaging/nginx-webcam.conf"

// startNginx runs nginx as the test's user on a free loopback port, with
// httpConf added to its http block and server holding what goes in its one
// server block, and waits until it
// answers. Its error log, from warnings up, is in the log of the proc it
// returns; it is stopped when the test ends.
func startNginx(t *testing.T, httpConf, server string) *proc {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/nginx"); err != nil {
			t.Fatal("nginx is not installed: `make test` installs it (Debian package nginx)")
		}
	}
	dir, port := t.TempDir(), freePort(t)
	user := "" // as root, nginx's workers would be nobody, who cannot enter dir
	if os.Geteuid() == 0 {
		user = "user root;\n"
	}
	var temps strings.Builder // nginx's defaults are under /var/lib/nginx
	for _, k := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&temps, "    %s_temp_path %s;\n", k, filepath.Join(dir, k))
	}
	conf := fmt.Sprintf("%sworker_processes 1;\nevents { worker_connections 64; }\nhttp {\n    access_log off;\n%s%s\n    server {\n        listen 127.0.0.1:%d;\n%s\n    }\n}\n",
		user, temps.String(), httpConf, port, server)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	n := spawn(t, url, launch{}, bin, "-e", "stderr", "-p", dir, "-c", filepath.Join(dir, "nginx.conf"),
		"-g", "daemon off; pid "+filepath.Join(dir, "nginx.pid")+"; error_log stderr warn;")
	waitAnswers(t, n, "nginx")
	return n
}

// waitAnswers waits until the server p, a helper program, answers HTTP
// at its URL, whatever the status; it fails the test if p exits first.
func waitAnswers(t *testing.T, p *proc, name string) {
	t.Helper()
	waitSeen(t, name+" to answer HTTP", func() (bool, string) {
		select {
		case <-p.done:
			t.Fatalf("%s exited: %v\n%s", name, p.err, p.log.String())
		default:
		}
		resp, err := http.Get(p.url + "/")
		if err != nil {
			return false, err.Error() + "\n" + p.log.String()
		}
		resp.Body.Close()
		return true, ""
	})
}

// readmeBlock is the text of the one code block of language lang in
// readme, without the indentation of a list item it may be in.
func readmeBlock(t *testing.T, readme, lang string) string {
	t.Helper()
	var blocks []string
	lines := strings.Split(readme, "\n")
	for i, l := range lines {
		indent, found := strings.CutSuffix(l, "```"+lang)
		if !found || strings.TrimLeft(indent, " ") != "" {
			continue
		}
		var b strings.Builder
		for _, l := range lines[i+1:] {
			if l == indent+"```" {
				break
			}
			b.WriteString(strings.TrimPrefix(l, indent) + "\n")
		}
		blocks = append(blocks, b.String())
	}
	if len(blocks) != 1 {
		t.Fatalf("README.md has %d blocks of %s, want 1", len(blocks), lang)
	}
	return blocks[0]
}

// fetchJPEG gets url, failing unless it answers 200 with a complete JPEG,
// which it returns with its X-Timestamp.
func fetchJPEG(t *testing.T, url string) ([]byte, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	if err := jpegmark.Check(body); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return body, resp.Header.Get("X-Timestamp")
}

// Mainsail and Fluidd: pistream on 127.0.0.1 without auth, behind nginx's
// `location /webcam/` exactly as the README gives it. The stream reaches
// the viewer through nginx part by part while it runs, and the snapshot
// URL, polled as mjpegstreamer-adaptive does (a cache-busting parameter
// each time), gives a new JPEG each time. A viewer that stops reading is
// a stalled viewer to pistream too: nginx does not keep the stream for it.
func TestRecipeMainsailNginx(t *testing.T) {
	snippet, err := os.ReadFile(nginxSnippet)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if shown := readmeBlock(t, string(readme), "nginx"); shown != string(snippet) {
		t.Fatalf("README.md shows\n%s\nnot %s as it is:\n%s", shown, nginxSnippet, snippet)
	}
	p := start(t, "--http-auth", "none") // start listens on 127.0.0.1
	upstream := strings.TrimPrefix(p.url, "http://")
	location := strings.Replace(string(snippet), "http://127.0.0.1:8080/", "http://"+upstream+"/", 1)
	if location == string(snippet) {
		t.Fatalf("%s does not proxy to http://127.0.0.1:8080/", nginxSnippet)
	}
	for _, tc := range []struct{ name, httpConf, server string }{
		{"the README's location", "", location},
		// What MainsailOS and KIAUH install (/etc/nginx/conf.d/upstreams.conf
		// and the site's location), which the README leaves as it is.
		{"MainsailOS's nginx config", "upstream mjpgstreamer1 {\n    ip_hash;\n    server " + upstream + ";\n}",
			"location /webcam/ {\n    postpone_output 0;\n    proxy_buffering off;\n    proxy_ignore_headers X-Accel-Buffering;\n    access_log off;\n    proxy_pass http://mjpgstreamer1/;\n}"},
	} {
		t.Run(tc.name, func(t *testing.T) { throughNginx(t, p, startNginx(t, tc.httpConf, tc.server)) })
	}
}

// throughNginx opens pistream's stream and snapshot through nginx, as
// Mainsail and Fluidd do.
func throughNginx(t *testing.T, p *proc, nginx *proc) {
	front := nginx.url

	// moonraker.conf's stream_url, as the browser opens it through nginx.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", front+"/webcam/?action=stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /webcam/?action=stream through nginx: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /webcam/?action=stream through nginx: %s", resp.Status)
	}
	if ct, want := resp.Header.Get("Content-Type"), "multipart/x-mixed-replace; boundary="+httpstream.Boundary; ct != want {
		t.Errorf("Content-Type through nginx %q, want %q", ct, want)
	}
	pr := mjpegtest.NewPartReader(resp.Body, httpstream.Boundary)
	for i := range 30 {
		part, err := pr.Next(nil)
		if err != nil {
			t.Fatalf("part %d through nginx: %v", i, err)
		}
		if err := jpegmark.Check(part.JPEG); err != nil {
			t.Fatalf("part %d through nginx: %v", i, err)
		}
	}
	// Those parts came while the stream was open: pistream still has its
	// one viewer, nginx; nginx did not wait for the stream's end.
	if st := p.state(t); st.Viewers != 1 {
		t.Errorf("pistream has %d viewers after 30 parts through nginx, want 1 (nginx's)", st.Viewers)
	}

	// moonraker.conf's snapshot_url, polled by mjpegstreamer-adaptive.
	seen := map[string]bool{}
	i := 0
	waitSeen(t, "snapshots through nginx to give 3 different frames", func() (bool, string) {
		_, ts := fetchJPEG(t, fmt.Sprintf("%s/webcam/?action=snapshot&timestamp=%d", front, 1700000000000+i))
		i++
		seen[ts] = true
		return len(seen) >= 3, fmt.Sprintf("%d different frames", len(seen))
	})

	// The stream's viewer has not read since its 30 parts. nginx stops
	// reading from pistream once the sockets between are full, and
	// pistream drops it as any viewer that takes no frame for 5 s; nginx
	// does not go on reading into a temporary file (which it would log).
	waitSeen(t, "pistream to stop streaming to nginx after its viewer stopped reading", func() (bool, string) {
		if strings.Contains(nginx.log.String(), "buffered to a temporary file") {
			t.Fatalf("nginx keeps the stream of a viewer who stopped reading in a file:\n%s", nginx.log.String())
		}
		n := p.state(t).Viewers
		return n == 0, fmt.Sprintf("%d viewers", n)
	})
}

// pyClient runs testdata/recipes/clients.py with args under Debian's
// python3 (where python3-requests and python3-aiohttp are) and returns
// the JSON object it prints.
func pyClient(t *testing.T, args ...string) map[string]any {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import aiohttp, requests").Run(); err != nil {
		t.Fatalf("%s cannot import aiohttp and requests (%v): `make test` installs python3-aiohttp and python3-requests", python, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), failureGuard) // a hang guard
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{"testdata/recipes/clients.py"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("clients.py %s: %v\n%s", args[0], err, stderr.String())
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("clients.py %s printed %q: %v", args[0], out, err)
	}
	return got
}

// checkJPEGFile fails unless the file at path is a complete JPEG.
func checkJPEGFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := jpegmark.Check(b); err != nil {
		t.Errorf("%s: %v (%d bytes)", filepath.Base(path), err, len(b))
	}
}

// OctoPrint: its server takes snapshots from the snapshot URL with the
// token in the query (mjpg-streamer's name and pistream's); its page shows
// the stream URL in an <img> from another origin (OctoPrint's), where the
// token in the query works and credentials in the URL do not (Chromium
// blocks them in an image's URL).
func TestRecipeOctoPrint(t *testing.T) {
	p := start(t, "--http-auth", "token", "--http-token", testToken)
	for _, path := range []string{"/?action=snapshot&token=" + testToken, "/snapshot?token=" + testToken} {
		out := filepath.Join(t.TempDir(), "snapshot.jpg")
		got := pyClient(t, "octoprint-snapshot", p.url+path, out)
		if got["content_type"] != "image/jpeg" {
			t.Errorf("OctoPrint's snapshot of %s: %v", strings.SplitN(path, "token=", 2)[0], got)
		}
		checkJPEGFile(t, out)
	}

	ctx := browser(t)
	for _, tc := range []struct {
		name, src string
		loads     bool
	}{
		{"token in the query", p.url + "/?action=stream&token=" + testToken, true},
		{"credentials in the URL", basicURL(p, "/?action=stream", testToken), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				src, _ := json.Marshal(tc.src)
				fmt.Fprintf(w, `<!doctype html><title>OctoPrint</title><img id="webcam_image">
<script>const img = document.getElementById("webcam_image");
img.onerror = () => { document.title = "error"; };
img.src = %s;</script>`, src)
			}))
			defer page.Close()
			nctx, ncancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := chromedp.Run(nctx, chromedp.Navigate(page.URL)) // the stream keeps the page loading
			ncancel()
			if err != nil && nctx.Err() == nil {
				t.Fatalf("navigate: %v", err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.title == "error" || document.getElementById("webcam_image").naturalWidth > 0`)); err != nil {
				t.Fatalf("the image neither loaded nor failed: %v", err)
			}
			width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.getElementById("webcam_image").naturalWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if loaded := width > 0; loaded != tc.loads {
				t.Errorf("OctoPrint's webcam image with %s: loaded %v, want %v", tc.name, loaded, tc.loads)
			}
		})
	}
}

// Home Assistant's MJPEG IP Camera with the README's settings: its setup
// form accepts them as Basic, the camera gets the still image and the
// stream; a wrong password is "invalid authentication" in the form.
func TestRecipeHomeAssistant(t *testing.T) {
	p := start(t, "--http-auth", "token", "--http-token", testToken)
	for _, tc := range []struct {
		name, password string
		form           string
	}{
		{"the token as password", testToken, "basic"},
		{"a wrong password", "wrong-token-0123456789", "invalid_auth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "still.jpg")
			got := pyClient(t, "homeassistant", p.url+"/stream", p.url+"/snapshot", "homeassistant", tc.password, "30", out)
			form, _ := got["form"].(map[string]any)
			for _, u := range []string{p.url + "/stream", p.url + "/snapshot"} {
				if form[u] != tc.form {
					t.Fatalf("the setup form's check of %s: %v, want %s", u, form[u], tc.form)
				}
			}
			if tc.form != "basic" {
				return
			}
			if got["still_status"] != 200.0 || got["still_type"] != "image/jpeg" {
				t.Errorf("the still image: %v", got)
			}
			checkJPEGFile(t, out)
			if got["stream_status"] != 200.0 || got["parts"] != 30.0 || got["problem"] != nil {
				t.Errorf("the stream: %v, want 30 parts", got)
			}
		})
	}
}

// ffmpegDecodes runs ffmpeg with args (ending in its output) for at most
// 60 s, failing unless it exits 0 and its last progress line counts
// frames; it returns what ffmpeg printed.
func ffmpegDecodes(t *testing.T, frames int, args ...string) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg is not installed: `make test` installs it (Debian package ffmpeg)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), failureGuard) // a hang guard
	defer cancel()
	out, err := exec.CommandContext(ctx, ffmpeg, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	want := strconv.Itoa(frames) + " "
	if i := strings.LastIndex(string(out), "frame="); i < 0 || !strings.HasPrefix(strings.TrimLeft(string(out[i+len("frame="):]), " "), want) {
		t.Errorf("ffmpeg did not report %d frames:\n%s", frames, out)
	}
	return string(out)
}

// frigateMJPEG is Frigate's preset-http-mjpeg-generic (frigate/
// ffmpeg_presets.py), its user agent with the version of Frigate 0.14.
var frigateMJPEG = []string{
	"-user_agent", "FFmpeg Frigate/0.14.1",
	"-avoid_negative_ts", "make_zero", "-fflags", "nobuffer", "-flags", "low_delay",
	"-strict", "experimental", "-fflags", "+genpts+discardcorrupt", "-use_wallclock_as_timestamps", "1",
}

// Frigate: a camera whose input is the stream with credentials in its URL
// and input_args preset-http-mjpeg-generic, decoded for its detect role as
// Frigate's ffmpeg does (5 fps, raw yuv420p frames on a pipe): 10 frames
// of 640x480, none blank.
func TestRecipeFrigate(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg is not installed: `make test` installs it (Debian package ffmpeg)")
	}
	p := start(t, "--http-auth", "token", "--http-token", testToken, "--size", "640x480")
	ctx, cancel := context.WithTimeout(context.Background(), failureGuard) // a hang guard
	defer cancel()
	args := append([]string{"-hide_banner", "-loglevel", "warning", "-threads", "2"}, frigateMJPEG...)
	args = append(args, "-i", basicURL(p, "/stream", testToken),
		"-r", "5", "-vf", "fps=5,scale=640:480", "-threads", "2", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:")
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	frame := make([]byte, 640*480*3/2)
	for i := range 10 {
		if _, err := io.ReadFull(stdout, frame); err != nil {
			t.Fatalf("frame %d from Frigate's ffmpeg: %v\n%s", i, err, stderr.String())
		}
		lo, hi := byte(255), byte(0)
		for _, y := range frame[:640*480] { // the luma plane
			lo, hi = min(lo, y), max(hi, y)
		}
		if hi-lo < 40 {
			t.Errorf("frame %d from Frigate's ffmpeg looks blank (luma %d to %d)", i, lo, hi)
		}
	}
}

// go2rtc's `ffmpeg:` source with #video=h264, as go2rtc runs ffmpeg for it
// (its defaults "http" and "h264", internal/ffmpeg in go2rtc), to a file
// instead of go2rtc's RTSP server: 30 frames encoded to H.264.
func TestRecipeGo2rtcFFmpeg(t *testing.T) {
	p := start(t, "--http-auth", "token", "--http-token", testToken)
	ffmpegDecodes(t, 30, "-hide_banner",
		"-fflags", "nobuffer", "-flags", "low_delay", "-i", basicURL(p, "/stream", testToken),
		"-c:v", "libx264", "-g", "50", "-profile:v", "high", "-level:v", "4.1", "-preset:v", "superfast",
		"-tune:v", "zerolatency", "-pix_fmt:v", "yuv420p", "-an",
		"-frames:v", "30", "-f", "h264", filepath.Join(t.TempDir(), "pi.h264"))
}

// go2rtc itself, when $GO2RTC names its binary: no package registry this
// machine reaches has it (see the README), but built from its source it
// runs here. It pulls pistream's stream once with the credentials in the
// URL and serves it to three MJPEG viewers of its own while pistream has
// one viewer, go2rtc; its `ffmpeg:…#video=h264` stream gives 30 H.264
// frames over its RTSP server.
func TestRecipeGo2rtc(t *testing.T) {
	bin := os.Getenv("GO2RTC")
	if bin == "" {
		t.Skip("set GO2RTC to a go2rtc binary to try the recipe with go2rtc itself")
	}
	p := start(t, "--http-auth", "token", "--http-token", testToken)
	dir, apiPort, rtspPort := t.TempDir(), freePort(t), freePort(t)
	feed := basicURL(p, "/stream", testToken)
	conf := fmt.Sprintf("api: {listen: \"127.0.0.1:%d\"}\nrtsp: {listen: \"127.0.0.1:%d\"}\n"+
		"webrtc: {listen: \"\"}\nsrtp: {listen: \"\"}\nrtmp: {listen: \"\"}\n"+
		"streams:\n  pi: %s\n  pi_h264: ffmpeg:%s#video=h264\n", apiPort, rtspPort, feed, feed)
	if err := os.WriteFile(filepath.Join(dir, "go2rtc.yaml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	g := spawn(t, "http://127.0.0.1:"+strconv.Itoa(apiPort), launch{}, bin, "-config", filepath.Join(dir, "go2rtc.yaml"))
	waitAnswers(t, g, "go2rtc")

	ctx, cancel := context.WithTimeout(context.Background(), failureGuard) // a hang guard
	defer cancel()
	for i := range 3 {
		req, _ := http.NewRequestWithContext(ctx, "GET", g.url+"/api/stream.mjpeg?src=pi", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("go2rtc's viewer %d: %v", i, err)
		}
		defer resp.Body.Close()
		_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("go2rtc's viewer %d: %s, Content-Type %q", i, resp.Status, resp.Header.Get("Content-Type"))
		}
		mr := multipart.NewReader(resp.Body, params["boundary"])
		for j := range 10 {
			part, err := mr.NextPart()
			if err != nil {
				t.Fatalf("go2rtc's viewer %d, part %d: %v", i, j, err)
			}
			jpeg, err := io.ReadAll(part)
			if err != nil {
				t.Fatalf("go2rtc's viewer %d, part %d: %v", i, j, err)
			}
			if err := jpegmark.Check(jpeg); err != nil {
				t.Fatalf("go2rtc's viewer %d, part %d: %v", i, j, err)
			}
		}
	}
	if st := p.state(t); st.Viewers != 1 {
		t.Errorf("pistream has %d viewers while go2rtc serves 3, want 1 (go2rtc)", st.Viewers)
	}
	cancel()

	ffmpegDecodes(t, 30, "-hide_banner", "-rtsp_transport", "tcp", "-i", fmt.Sprintf("rtsp://127.0.0.1:%d/pi_h264", rtspPort),
		"-frames:v", "30", "-f", "null", "-")
}
