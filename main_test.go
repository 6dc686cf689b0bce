package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"pistream/camera"
	"pistream/internal/config"
)

// --help lists every flag with its default, and never the token from the
// environment.
func TestHelpListsEveryFlag(t *testing.T) {
	const tok = "env-token-0123456789abcdef"
	t.Setenv("PISTREAM_HTTP_TOKEN", tok)
	var out strings.Builder
	if _, _, err := parseFlags([]string{"--help"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{
		"-camera", `(default "auto")`, "rpicam", "-size", `(default "640x480")`, "-fps", "(default 30)",
		"-quality", "(default 80)", "-idle-release", "-http", `(default ":8080")`, "-headless", "-log-level",
		"-ssh", `(default ":2222")`, "-authorized-keys", "authorized_keys", "-state", "-photos", "Pictures/pistream",
		"-notes", "pistream-notes", "-trash-days", "(default 7)",
		"-http-auth", `(default "token")`, "-http-token", "-max-viewers", "(default 32)", "-tls-cert", "-tls-key",
		"-ssh-idle", "(default 30m0s)", "-max-sessions", "(default 8)", "-ssh-login-grace", "(default 1m0s)",
		"-ssh-max-startups", "(default 100)", "-ssh-max-startups-per-addr", "(default 10)",
		"-rotate", "-hflip", "-vflip", "-encoders", "-list-cameras", "-config", "/etc/pistream/pistream.toml",
		"-print-config", "PISTREAM_MAX_VIEWERS",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), tok) {
		t.Errorf("--help prints the token from the environment")
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		want  string // in the error; "" for none
		check func(options, camera.Settings) bool
	}{
		{nil, "", func(o options, s camera.Settings) bool {
			return o.camera == "auto" && s == camera.Settings{Width: 640, Height: 480, FPS: 30} && o.quality == 80 && o.rotate == 0 && o.encoders == 0
		}},
		{[]string{"--size", "1920x1080", "--fps", "15", "--rotate", "270", "--hflip", "--vflip", "--encoders", "3"}, "", func(o options, s camera.Settings) bool {
			return s == camera.Settings{Width: 1920, Height: 1080, FPS: 15} && o.rotate == 270 && o.hflip && o.vflip && o.encoders == 3
		}},
		{[]string{"--camera", "rpicam:1"}, "", func(o options, _ camera.Settings) bool { return o.camera == "rpicam:1" }},
		{[]string{"--size", "640"}, `--size: '640': want WxH`, nil},
		{[]string{"--size", "0x0"}, "--size", nil},
		{[]string{"--size", "641x480"}, "--size", nil},
		{[]string{"--fps", "0"}, "--fps: 0: want 1 to 240", nil},
		{[]string{"--quality", "101"}, "--quality", nil},
		{[]string{"--rotate", "45"}, "--rotate: 45: want 0, 90, 180 or 270", nil},
		{[]string{"--encoders", "-1"}, "--encoders", nil},
		{[]string{"--focus", "40cm"}, "", func(o options, _ camera.Settings) bool { return o.focus == "40cm" }},
		{[]string{"--focus", "40"}, `--focus: '40': want default, continuous, infinity, or a distance`, nil},
		{[]string{"--v4l2-controls", "focus_automatic_continuous=0,focus_absolute=30"}, "", func(o options, _ camera.Settings) bool {
			return o.v4l2Controls == "focus_automatic_continuous=0,focus_absolute=30"
		}},
		{[]string{"--v4l2-controls", "focus_absolute=thirty"}, "--v4l2-controls: 'focus_absolute=thirty': focus_absolute=thirty: the value is not an integer", nil},
		{[]string{"--v4l2-controls", "Focus=1"}, `"Focus": a control name is made of a-z, 0-9 and _`, nil},
		{[]string{"--v4l2-controls", "focus_absolute=30,focus_absolute=40"}, `--v4l2-controls: 'focus_absolute=30,focus_absolute=40': "focus_absolute" is given twice`, nil},
		{[]string{"--v4l2-controls", "focus_absolute"}, `"focus_absolute": want name=value`, nil},
		{[]string{"--ssh-login-grace", "5s", "--ssh-max-startups", "20", "--ssh-max-startups-per-addr", "2"}, "", func(o options, _ camera.Settings) bool {
			return o.sshGrace == 5*time.Second && o.maxStartups == 20 && o.maxStartupsPer == 2
		}},
		{[]string{"--ssh-login-grace", "0"}, "--ssh-login-grace", nil},
		{[]string{"--ssh-max-startups", "0"}, "--ssh-max-startups", nil},
		{[]string{"--ssh-max-startups-per-addr", "-1"}, "--ssh-max-startups-per-addr", nil},
		{[]string{"--log-level", "loud"}, "--log-level", nil},
		{[]string{"--http-auth", "basic"}, "--http-auth", nil},
		{[]string{"--http-token", "short"}, "--http-token", nil},
		{[]string{"--tls-cert", "c.pem"}, "--tls-cert and --tls-key", nil},
		{[]string{"--max-sessions", "0"}, "--max-sessions", nil},
		{[]string{"--max-viewers", "-1"}, "--max-viewers", nil},
		{[]string{"--ssh-idle", "-1s"}, "--ssh-idle", nil},
		{[]string{"--config", "/nonexistent/pistream.toml"}, "no such file", nil},
		{[]string{"--trash-days", "-1"}, "--trash-days", nil},
		{[]string{"--nope"}, "not defined", nil},
		{[]string{"extra"}, "unexpected argument", nil},
	} {
		var out strings.Builder
		o, s, err := parseFlags(append([]string{"--config", ""}, tc.args...), &out)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case tc.want == "" && !tc.check(o, s):
			t.Errorf("%v: parsed %+v %+v", tc.args, o, s)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: error %v, want one saying %q", tc.args, err, tc.want)
		}
	}
}

// packaging/pistream.toml lists every setting once, at its default (the
// paths under the home directory aside), and loads once uncommented.
func TestPackagedConfigListsEveryFlag(t *testing.T) {
	text, err := os.ReadFile("packaging/pistream.toml")
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`^# ([a-z0-9-]+) = `)
	var doc strings.Builder
	seen := map[string]int{}
	for _, line := range strings.Split(string(text), "\n") {
		if m := key.FindStringSubmatch(line); m != nil {
			seen[m[1]]++
			line = strings.TrimPrefix(line, "# ")
		}
		doc.WriteString(line + "\n")
	}
	path := filepath.Join(t.TempDir(), "pistream.toml")
	if err := os.WriteFile(path, []byte(doc.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var o options
	fs := newFlags(&o, io.Discard)
	opts := configOptions(&o)
	opts.Env = []string{}
	cfg, err := config.Load(fs, []string{"--config", path}, opts)
	if err != nil {
		t.Fatalf("packaging/pistream.toml uncommented: %v", err)
	}
	home, _ := os.UserHomeDir()
	for _, name := range config.Settings(fs, opts) {
		f := fs.Lookup(name)
		switch {
		case seen[name] != 1:
			t.Errorf("packaging/pistream.toml lists %s %d times, want once", name, seen[name])
		case cfg.Origin(name).Source != config.File:
			t.Errorf("%s: not read from the file but %s", name, cfg.Origin(name))
		case !strings.HasPrefix(f.DefValue, home) && f.Value.String() != f.DefValue:
			t.Errorf("packaging/pistream.toml gives %s = %s, the default is %s", name, f.Value, f.DefValue)
		}
		delete(seen, name)
	}
	for name := range seen {
		t.Errorf("packaging/pistream.toml lists %s, which is no setting", name)
	}
}

// The README's flags table has a row for every flag.
func TestREADMEListsEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "| `--") {
			rows = append(rows, line[:strings.Index(line[1:], "|")+1])
		}
	}
	if len(rows) == 0 {
		t.Fatal("README.md has no flags table (rows starting with | `--)")
	}
	var o options
	newFlags(&o, io.Discard).VisitAll(func(f *flag.Flag) {
		name := "`--" + f.Name + "`"
		if !slices.ContainsFunc(rows, func(r string) bool { return strings.Contains(r, name) }) {
			t.Errorf("README.md's flags table has no row for %s", name)
		}
	})
}

func TestSSHCommand(t *testing.T) {
	host, _ := os.Hostname()
	for _, tc := range []struct {
		addr *net.TCPAddr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}, "ssh -p 2222 127.0.0.1"},
		{&net.TCPAddr{IP: net.IPv4(192, 168, 1, 5), Port: 22}, "ssh 192.168.1.5"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 2222}, "ssh -p 2222 " + host + ".local"},
	} {
		if got := sshCommand(tc.addr); got != tc.want {
			t.Errorf("sshCommand(%v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// Under systemd, the unit's StateDirectory= and ConfigurationDirectory=
// are the defaults, so the unit needs no path flags; the config file and
// flags still win.
func TestSystemdDirectories(t *testing.T) {
	for _, tc := range []struct {
		name, state, conf    string
		args                 []string
		wantState, wantPhoto string
		wantNotes, wantKeys  string
	}{
		{"systemd", "/var/lib/pistream:/var/lib/other", "/etc/pistream", nil,
			"/var/lib/pistream/state", "/var/lib/pistream/photos", "/var/lib/pistream/notes", "/etc/pistream/authorized_keys"},
		{"a flag wins", "/var/lib/pistream", "/etc/pistream", []string{"--photos", "/srv/photos"},
			"/var/lib/pistream/state", "/srv/photos", "/var/lib/pistream/notes", "/etc/pistream/authorized_keys"},
		{"relative ignored", "lib/pistream", "", nil,
			"/home/u/.local/state/pistream", "/home/u/Pictures/pistream", "/home/u/pistream-notes", "/home/u/.ssh/authorized_keys"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOME", "/home/u")
			t.Setenv("XDG_STATE_HOME", "")
			t.Setenv("STATE_DIRECTORY", tc.state)
			t.Setenv("CONFIGURATION_DIRECTORY", tc.conf)
			var out bytes.Buffer
			o, _, err := parseFlags(append([]string{"--config", ""}, tc.args...), &out)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{o.state, o.photos, o.notes, o.authorizedKeys}
			want := []string{tc.wantState, tc.wantPhoto, tc.wantNotes, tc.wantKeys}
			if !slices.Equal(got, want) {
				t.Errorf("state, photos, notes, authorized keys = %q, want %q", got, want)
			}
		})
	}
}
