package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// settings are a program's flags for the tests: one of each type.
type settings struct {
	config  string
	print   bool
	fps     int
	size    string
	hflip   bool
	idle    time.Duration
	token   string
	address string
}

// newSet defines the flags over s; check rejects fps over 240.
func newSet(s *settings, env []string) (*flag.FlagSet, Options) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&s.config, "config", "", "")
	fs.BoolVar(&s.print, "print-config", false, "")
	fs.IntVar(&s.fps, "fps", 30, "")
	fs.StringVar(&s.size, "size", "640x480", "")
	fs.BoolVar(&s.hflip, "hflip", false, "")
	fs.DurationVar(&s.idle, "ssh-idle", 30*time.Minute, "")
	fs.StringVar(&s.token, "http-token", "", "")
	fs.StringVar(&s.address, "http", ":8080", "")
	return fs, Options{
		ConfigFlag: "config", EnvPrefix: "TEST_", Commands: []string{"print-config"},
		Secrets: []string{"http-token"}, Env: env,
		Check: func() error {
			if s.fps > 240 {
				return Invalid("fps", errors.New("want 1 to 240"))
			}
			return nil
		},
	}
}

// writeFile writes a file in a new directory and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Each layer overrides the one before: default < file < environment <
// command line, flag by flag, and each value's origin is known.
func TestPrecedence(t *testing.T) {
	const file = "# a comment\nfps = 20\nsize = \"320x240\"\nhflip = true\nssh-idle = \"5m\"\n"
	for _, tc := range []struct {
		name   string
		file   string // "" for no file
		env    []string
		args   []string
		want   settings
		origin map[string]string // flag: Origin.String(), with FILE for the file
	}{
		{name: "defaults", want: settings{fps: 30, size: "640x480", idle: 30 * time.Minute, address: ":8080"},
			origin: map[string]string{"fps": "default", "size": "default"}},
		{name: "file", file: file,
			want:   settings{fps: 20, size: "320x240", hflip: true, idle: 5 * time.Minute, address: ":8080"},
			origin: map[string]string{"fps": "FILE:2", "size": "FILE:3", "hflip": "FILE:4", "ssh-idle": "FILE:5", "http": "default"}},
		{name: "env over file", file: file, env: []string{"TEST_FPS=10", "TEST_SSH_IDLE=1m", "TEST_HTTP=:9000"},
			want:   settings{fps: 10, size: "320x240", hflip: true, idle: time.Minute, address: ":9000"},
			origin: map[string]string{"fps": "$TEST_FPS", "size": "FILE:3", "ssh-idle": "$TEST_SSH_IDLE", "http": "$TEST_HTTP"}},
		{name: "flag over env over file", file: file, env: []string{"TEST_FPS=10", "TEST_HFLIP=false"},
			args:   []string{"--fps", "5", "--size", "160x120"},
			want:   settings{fps: 5, size: "160x120", hflip: false, idle: 5 * time.Minute, address: ":8080"},
			origin: map[string]string{"fps": "command line", "size": "command line", "hflip": "$TEST_HFLIP", "ssh-idle": "FILE:5"}},
		{name: "flag over file", file: file, args: []string{"--hflip=false", "--http", ""},
			want:   settings{fps: 20, size: "320x240", hflip: false, idle: 5 * time.Minute, address: ""},
			origin: map[string]string{"hflip": "command line", "http": "command line", "fps": "FILE:2"}},
		{name: "empty variables are unset", env: []string{"TEST_FPS=", "OTHER_FPS=3"},
			want:   settings{fps: 30, size: "640x480", idle: 30 * time.Minute, address: ":8080"},
			origin: map[string]string{"fps": "default"}},
		{name: "file from the environment", env: []string{"TEST_CONFIG=FILE"},
			want:   settings{fps: 20, size: "320x240", hflip: true, idle: 5 * time.Minute, address: ":8080"},
			origin: map[string]string{"fps": "FILE:2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "pistream.toml", file)
			args := tc.args
			if tc.file != "" {
				args = append([]string{"--config", path}, args...)
			}
			env := []string{}
			for _, kv := range tc.env {
				env = append(env, strings.ReplaceAll(kv, "FILE", path))
			}
			var s settings
			fs, o := newSet(&s, env)
			c, err := Load(fs, args, o)
			if err != nil {
				t.Fatal(err)
			}
			s.config = ""
			if s != tc.want {
				t.Errorf("got %+v, want %+v", s, tc.want)
			}
			for name, want := range tc.origin {
				if got := c.Origin(name).String(); got != strings.ReplaceAll(want, "FILE", path) {
					t.Errorf("origin of %s: %s, want %s", name, got, want)
				}
			}
		})
	}
}

// A bad file, variable or flag is an error that names where the value
// came from: the file, its line and the key.
func TestBadValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		env  []string
		args []string
		want string // FILE for the file's path
	}{
		{"unknown key", "fps = 20\nmax-viewer = 3\n", nil, nil, "FILE:2: max-viewer: unknown key"},
		{"underscores", "\nssh_idle = \"1m\"\n", nil, nil, "FILE:2: ssh_idle: unknown key (did you mean ssh-idle?)"},
		{"a command is no key", "print-config = true\n", nil, nil, "FILE:1: print-config: unknown key"},
		{"tables", "[http]\nport = 80\n", nil, nil, "FILE:1: http"},
		{"wrong type", "\n\nfps = \"fast\"\n", nil, nil, "FILE:3: fps: want an integer"},
		{"string wanted", "size = 640\n", nil, nil, "FILE:1: size: want a string"},
		{"bool wanted", "hflip = 1\n", nil, nil, "FILE:1: hflip: want true or false"},
		{"duration", "ssh-idle = \"soon\"\n", nil, nil, `FILE:1: ssh-idle: "soon": want a duration`},
		{"duration as a number", "ssh-idle = 30\n", nil, nil, "FILE:1: ssh-idle: want a duration"},
		{"rejected by the check", "size = \"1x1\"\nfps = 500\n", nil, nil, "FILE:2: fps: 500: want 1 to 240"},
		{"rejected though overridden", "fps = 500\n", nil, []string{"--fps", "5"}, "FILE:1: fps: 500: want 1 to 240"},
		{"syntax", "fps = 20\nsize = \n", nil, nil, "FILE:2:"},
		{"twice", "fps = 20\nfps = 21\n", nil, nil, "FILE:2: fps"},
		{"bad variable", "", []string{"TEST_FPS=fast"}, nil, `$TEST_FPS: "fast": want an integer`},
		{"rejected variable", "", []string{"TEST_FPS=500"}, nil, "$TEST_FPS: 500: want 1 to 240"},
		{"unknown variable", "", []string{"TEST_FSP=5"}, nil, "$TEST_FSP: no such setting (--help lists them; the variable of --fps is TEST_FPS)"},
		{"rejected flag", "", nil, []string{"--fps", "500"}, "--fps: 500: want 1 to 240"},
		{"missing file", "", nil, []string{"--config", "FILE.missing"}, "FILE.missing: no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "bad.toml", tc.file)
			var args []string
			if tc.file != "" {
				args = []string{"--config", path}
			}
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "FILE", path))
			}
			env := tc.env
			if env == nil {
				env = []string{}
			}
			var s settings
			fs, o := newSet(&s, env)
			_, err := Load(fs, args, o)
			want := strings.ReplaceAll(tc.want, "FILE", path)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want one saying %q", err, want)
			}
		})
	}
}

// The config file is --config's, else the first default that exists; a
// default that does not exist is skipped, --config "" reads none.
func TestWhichFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.toml")
	first := writeFile(t, "first.toml", "fps = 1\n")
	second := writeFile(t, "second.toml", "fps = 2\n")
	given := writeFile(t, "given.toml", "fps = 3\n")
	for _, tc := range []struct {
		defaults []string
		args     []string
		file     string
		fps      int
	}{
		{[]string{missing, first, second}, nil, first, 1},
		{[]string{missing, second}, nil, second, 2},
		{[]string{missing}, nil, "", 30},
		{[]string{first}, []string{"--config", given}, given, 3},
		{[]string{first}, []string{"--config", ""}, "", 30},
	} {
		var s settings
		fs, o := newSet(&s, []string{})
		o.Defaults = tc.defaults
		c, err := Load(fs, tc.args, o)
		if err != nil {
			t.Errorf("%v %v: %v", tc.defaults, tc.args, err)
			continue
		}
		if c.File != tc.file || s.fps != tc.fps {
			t.Errorf("%v %v: read %q, fps %d; want %q, %d", tc.defaults, tc.args, c.File, s.fps, tc.file, tc.fps)
		}
	}
}

// Print writes every setting as TOML that reads back to the same values,
// with its origin, and never a secret.
func TestPrint(t *testing.T) {
	const tok = "secret-token-0123456789"
	path := writeFile(t, "p.toml", fmt.Sprintf("http-token = %q\nhttp = \"127.0.0.1:80\"\n", tok))
	var s settings
	fs, o := newSet(&s, []string{"TEST_FPS=12"})
	c, err := Load(fs, []string{"--config", path, "--hflip", "--size", "320x240"}, o)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := c.Print(&out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.Contains(got, tok) {
		t.Errorf("Print shows the token:\n%s", got)
	}
	for _, want := range []string{
		"fps = 12 # $TEST_FPS\n", "hflip = true # command line\n", "ssh-idle = '30m0s' # default\n",
		"http = '127.0.0.1:80' # " + path + ":2\n", "http-token = '********' # " + path + ":1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Print lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "print-config") || strings.Contains(got, "\nconfig") {
		t.Errorf("Print shows a command or --config as a setting:\n%s", got)
	}
	// Read back (the masked token aside), it gives the same values.
	back := writeFile(t, "back.toml", strings.ReplaceAll(got, "'********'", "''"))
	var s2 settings
	fs2, o2 := newSet(&s2, []string{})
	if _, err := Load(fs2, []string{"--config", back}, o2); err != nil {
		t.Fatalf("the printed configuration does not load: %v\n%s", err, got)
	}
	s.token, s.config, s2.config = "", "", ""
	if s2 != s {
		t.Errorf("read back %+v, want %+v", s2, s)
	}
}
