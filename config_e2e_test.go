package main

// End-to-end tests of the config file: the real binary reads it, obeys it
// under the environment and the flags, refuses a bad one and prints the
// effective configuration.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// configFile writes a config file for a pistream on a free port with the
// test camera and no SSH, its files in a temporary directory, plus extra
// lines; it returns the file and the URL pistream will serve at.
func configFile(t *testing.T, path string, extra ...string) (url string) {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	lines := append([]string{
		fmt.Sprintf("http = %q", "127.0.0.1:"+strconv.Itoa(port)),
		`camera = "test"`, `ssh = ""`, "headless = true",
		fmt.Sprintf("state = %q", filepath.Join(dir, "state")),
		fmt.Sprintf("photos = %q", filepath.Join(dir, "photos")),
		fmt.Sprintf("notes = %q", filepath.Join(dir, "notes")),
	}, extra...)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// pistream started with only --config serves where the file says, with the
// file's token and viewer cap; the environment overrides the file. The file
// holds the token and others may read it: a warning says so.
func TestConfigFileIsObeyed(t *testing.T) {
	const tok = "file-token-0123456789abcdef"
	path := filepath.Join(t.TempDir(), "pistream.toml")
	url := configFile(t, path, `http-auth = "token"`, fmt.Sprintf("http-token = %q", tok), "max-viewers = 1", "fps = 10")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	p := spawn(t, url, launch{env: []string{"PISTREAM_FPS=12"}}, binPath, "--config", path)
	p.token = tok
	p.waitServing(t, false)
	if !strings.Contains(p.log.String(), "the config file holds the HTTP token and others may read it") {
		t.Errorf("no warning that others may read the token in %s (0644):\n%s", path, p.log.String())
	}

	p.stream(t) // the one viewer the file allows
	resp, err := p.get(context.Background(), "/stream")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("a second viewer with max-viewers = 1 in the file: %s, want 503", resp.Status)
	}
	if st := p.state(t); st.FPS != 12 {
		t.Errorf("/state fps %v, want 12 from PISTREAM_FPS over the file's 10", st.FPS)
	}
}

// Without --config, pistream reads pistream/pistream.toml in the user's
// config directory.
func TestConfigFileInUserConfigDir(t *testing.T) {
	if _, err := os.Stat("/etc/pistream/pistream.toml"); err == nil {
		t.Skip("/etc/pistream/pistream.toml exists here and comes first")
	}
	home := t.TempDir()
	url := configFile(t, filepath.Join(home, "pistream", "pistream.toml"), `http-auth = "none"`)
	p := spawn(t, url, launch{env: []string{"XDG_CONFIG_HOME=" + home}}, binPath)
	p.waitServing(t, false)
}

// runExits runs pistream with args and env added to its environment until
// it exits by itself, and returns its stdout, stderr and exit status.
func runExits(t *testing.T, env []string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	// A failure guard, not a time limit: a pistream that accepted a bad
	// file would run on.
	ctx, cancel := context.WithTimeout(context.Background(), failureGuard)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("pistream %v did not exit by itself:\n%s%s", args, out.String(), errOut.String())
	case errors.As(err, &ee):
		return out.String(), errOut.String(), ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), 0
}

// A bad config file stops pistream with exit status 2 and a message on
// stderr naming the file, the line and the key.
func TestBadConfigFileIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"out of range", "camera = \"test\"\n\nfps = 500\n", ":3: fps: 500: want 1 to 240"},
		{"unknown key", "max_viewers = 4\n", ":1: max_viewers: unknown key (did you mean max-viewers?)"},
		{"wrong type", "# ports\nhttp = 8080\n", ":2: http: want a string"},
		{"bad duration", "ssh-idle = \"half an hour\"\n", `:1: ssh-idle: "half an hour": want a duration`},
		{"bad syntax", "fps = 30\nsize = 640x480\n", ":2:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pistream.toml")
			if err := os.WriteFile(path, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, stderr, status := runExits(t, nil, "--config", path, "--headless", "--http", "", "--ssh", "")
			if status != 2 || !strings.Contains(stderr, path+tc.want) {
				t.Errorf("exit status %d, stderr %q; want 2 saying %q", status, stderr, path+tc.want)
			}
		})
	}
	missing := filepath.Join(t.TempDir(), "missing.toml")
	if _, stderr, status := runExits(t, nil, "--config", missing); status != 2 || !strings.Contains(stderr, missing) {
		t.Errorf("a missing --config file: exit status %d, stderr %q; want 2 naming it", status, stderr)
	}
}

// --print-config prints every setting with its origin, the token masked,
// and exits 0 without starting anything.
func TestPrintConfig(t *testing.T) {
	const fileTok, envTok = "file-token-0123456789abcdef", "env-token-0123456789abcdef"
	path := filepath.Join(t.TempDir(), "pistream.toml")
	configFile(t, path, fmt.Sprintf("http-token = %q", fileTok), "fps = 10")
	for _, tc := range []struct {
		env  []string
		tok  string
		want string
	}{
		{[]string{"PISTREAM_FPS=12"}, fileTok, "http-token = '********' # " + path + ":8\n"},
		{[]string{"PISTREAM_FPS=12", "PISTREAM_HTTP_TOKEN=" + envTok}, envTok, "http-token = '********' # $PISTREAM_HTTP_TOKEN\n"},
	} {
		got, stderr, status := runExits(t, tc.env, "--config", path, "--print-config", "--quality", "50")
		if status != 0 {
			t.Fatalf("--print-config: exit status %d\n%s", status, stderr)
		}
		if strings.Contains(got+stderr, tc.tok) {
			t.Errorf("--print-config shows the token:\n%s", got)
		}
		for _, want := range []string{
			"# the effective configuration; config file: " + path + "\n", tc.want,
			"fps = 12 # $PISTREAM_FPS\n", "quality = 50 # command line\n", "camera = 'test' # " + path + ":2\n",
			"max-viewers = 32 # default\n", "ssh-idle = '30m0s' # default\n",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("--print-config lacks %q:\n%s", want, got)
			}
		}
	}
}
