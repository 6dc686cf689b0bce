package main

// Attacks on the state directory: what a careless user or another local
// account could leave there.

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runFails runs pistream with args and wants it to exit non-zero on its
// own, saying want; it returns the output.
func runFails(t *testing.T, want string, args ...string) string {
	t.Helper()
	stdout, stderr, status := runExits(t, nil, append([]string{"--headless", "--camera", "test", "--http", "127.0.0.1:0", "--ssh", ""}, args...)...)
	out := stdout + stderr
	if status == 0 {
		t.Fatalf("exit status 0, want a non-zero status:\n%s", out)
	}
	if !strings.Contains(out, want) {
		t.Errorf("the message does not say %q:\n%s", want, out)
	}
	return out
}

// Odd things in the state directory: a clear error naming the path, a
// non-zero status, and nothing left behind.
func TestOddStateDirectory(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(state string) error
		flags []string
	}{
		{"dangling symlink at http_token", func(s string) error { return os.Symlink(filepath.Join(s, "nowhere"), filepath.Join(s, "http_token")) }, []string{"--http-auth", "token"}},
		{"symlink to a file at http_token", func(s string) error {
			os.WriteFile(filepath.Join(s, "elsewhere"), []byte("0123456789abcdef0123\n"), 0o600)
			return os.Symlink(filepath.Join(s, "elsewhere"), filepath.Join(s, "http_token"))
		}, []string{"--http-auth", "token"}},
		{"directory at http_token", func(s string) error { return os.Mkdir(filepath.Join(s, "http_token"), 0o700) }, []string{"--http-auth", "token"}},
		{"symlink at the SSH host key", func(s string) error {
			return os.Symlink(filepath.Join(s, "nowhere"), filepath.Join(s, "ssh_host_ed25519_key"))
		}, []string{"--http", "", "--ssh", "127.0.0.1:0", "--authorized-keys", "/dev/null"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			os.Mkdir(state, 0o700)
			if err := tc.setup(state); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadDir(state)
			want := filepath.Join(state, "http_token")
			if strings.Contains(tc.name, "SSH") {
				want = filepath.Join(state, "ssh_host_ed25519_key")
			}
			runFails(t, want, append([]string{"--state", state, "--photos", filepath.Join(dir, "p"), "--notes", filepath.Join(dir, "n")}, tc.flags...)...)
			after, _ := os.ReadDir(state)
			if len(after) != len(before) {
				var names []string
				for _, e := range after {
					names = append(names, e.Name())
				}
				t.Errorf("pistream left files behind in the state directory: %v", names)
			}
		})
	}
}

// Loose permissions are tightened, and said so: the state directory to
// 0700, the token to 0600, the host key to 0600.
func TestLoosePermissionsAreTightened(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	os.Mkdir(state, 0o755)
	os.Chmod(state, 0o755)
	os.WriteFile(filepath.Join(state, "http_token"), []byte("0123456789abcdef0123\n"), 0o644)
	os.Chmod(filepath.Join(state, "http_token"), 0o644)
	p := start(t, "--state", state, "--http-auth", "token", "--http-token", "")
	for _, tc := range []struct {
		path string
		want os.FileMode
	}{{state, 0o700}, {filepath.Join(state, "http_token"), 0o600}} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != tc.want {
			t.Errorf("%s is %04o, want %04o", tc.path, fi.Mode().Perm(), tc.want)
		}
	}
	log := p.log.String()
	for _, want := range []string{"tightened the state directory", "tightened the HTTP token file"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
}

// The token never comes back in a redirect, and the page asks browsers to
// send no Referer (the token is in its URL).
func TestTokenNotEchoed(t *testing.T) {
	const tok = "0123456789abcdef0123"
	p := start(t, "--http-auth", "token", "--http-token", tok)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"//state?token=" + tok, "/./?token=" + tok, "/" + "?token=" + tok} {
		resp, err := client.Get(p.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); strings.Contains(loc, tok) {
			t.Errorf("GET %s: %s with the token in Location %q", path, resp.Status, loc)
		}
		if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
			t.Errorf("GET %s: Referrer-Policy %q, want no-referrer", path, rp)
		}
	}
}

// Every snapshot asked for is saved, or its failure logged, even when the
// session quits right after a burst of presses.
func TestSnapshotsSurviveTheSessionsEnd(t *testing.T) {
	e := startTUI(t, nil, "--fps", "1") // the next frame is up to a second away
	s := e.open(t)
	const presses = 100
	s.press(strings.Repeat("s", presses) + "q")
	photos := filepath.Join(e.dir, "photos")
	waitSeen(t, fmt.Sprintf("each of %d presses to save a photo or log why not", presses), func() (bool, string) {
		saved := len(photosIn(t, photos))
		log := e.proc.log.String()
		failed := strings.Count(log, "snapshot not taken") + strings.Count(log, "snapshot not saved")
		logged := strings.Count(log, "snapshot saved")
		return saved+failed == presses && logged == saved, fmt.Sprintf("%d photos saved (%d logged), %d failures logged: %d vanished without a word",
			saved, logged, failed, presses-saved-failed)
	})
}

// Wrong tokens are not free: after 30 in a minute, that address gets 429;
// the right token from another address is served as ever.
func TestWrongTokensBackOffEndToEnd(t *testing.T) {
	const tok = "0123456789abcdef0123"
	p := start(t, "--http-auth", "token", "--http-token", tok)
	from := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	guesser, other := from("127.0.0.1"), from("127.0.0.2")
	codes := map[int]int{}
	for i := range 40 {
		resp, err := guesser.Get(p.url + "/state?token=wrong-token-" + strconv.Itoa(1000000+i) + "xyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes[resp.StatusCode]++
	}
	if codes[401] != 30 || codes[http.StatusTooManyRequests] != 10 {
		t.Errorf("40 wrong tokens got %v, want 30 × 401 then 10 × 429", codes)
	}
	resp, err := other.Get(p.url + "/state?token=" + tok)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the right token from another address got %s", resp.Status)
	}
	if !strings.Contains(p.log.String(), "too many wrong tokens") {
		t.Errorf("nothing logged:\n%s", p.log.String())
	}
}
