package main

// End-to-end tests of pistream as a systemd service: the notify protocol
// (READY, STATUS, WATCHDOG only while the capture loop makes progress,
// STOPPING) on a socket the test listens on as systemd does, the log on a
// journal stream, and the unit file checked by systemd-analyze.

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"pistream/httpstream"
	"pistream/internal/notifytest"
)

// pings are the arrival times of WATCHDOG=1 between from and to.
func pings(sock *notifytest.Socket, from, to time.Time) []time.Time {
	var at []time.Time
	for _, m := range sock.Messages() {
		if m.Text == "WATCHDOG=1" && !m.At.Before(from) && m.At.Before(to) {
			at = append(at, m.At)
		}
	}
	return at
}

// longestSilence is the longest stretch between from, the pings and to.
func longestSilence(from, to time.Time, pings []time.Time) time.Duration {
	var longest time.Duration
	last := from
	for _, at := range append(pings, to) {
		longest = max(longest, at.Sub(last))
		last = at
	}
	return longest
}

// Started by systemd with Type=notify and WatchdogSec=1s: READY=1 with the
// camera's status once it serves, WATCHDOG=1 pings every half second; when
// rpicam-vid stalls (stopped with SIGSTOP) the pings stop before pistream's
// own camera watchdog restarts the child (so a pistream whose capture loop
// stays wedged is killed by systemd), and come again once frames flow;
// STOPPING=1 at SIGTERM.
func TestSystemdNotifyAndWatchdog(t *testing.T) {
	const interval = 500 * time.Millisecond // WATCHDOG_USEC / 2
	sock := notifytest.Listen(t)
	e := newRPicamEnv(t, "NOTIFY_SOCKET="+sock.Path, "WATCHDOG_USEC=1000000")
	begin := time.Now()
	p := startWith(t, launch{env: e.env}, "--camera", "rpicam", "--size", "320x240")

	ready := sock.Wait(t, begin, "READY=1")
	if !regexp.MustCompile(`\nSTATUS=camera (starting|streaming) \(rpicam\)`).MatchString(ready.Text) {
		t.Errorf("READY message %q does not carry the camera's status", ready.Text)
	}
	for at, i := ready.At, 0; i < 3; i++ { // three pings
		at = sock.Wait(t, at.Add(time.Nanosecond), "WATCHDOG=1").At
	}
	sock.Wait(t, ready.At, "STATUS=camera streaming (rpicam) at ")

	child := e.childPid(t, 0)
	if err := syscall.Kill(child, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stalled := time.Now()
	waitStateOf(t, p, "tripping its camera watchdog", func(s httpstream.State) bool { return strings.Contains(s.Error, "watchdog") })
	tripped := time.Now()
	quiet := longestSilence(stalled, tripped, pings(sock, stalled, tripped))
	if quiet < 3*interval {
		t.Errorf("while rpicam-vid stalled, pings came at most %v apart; want a silence of at least %v",
			quiet, 3*interval)
	}
	t.Logf("no ping for %v of the %v between the stall and its watchdog trip seen in /state",
		quiet.Round(time.Millisecond), tripped.Sub(stalled).Round(time.Millisecond))
	if !strings.Contains(p.log.String(), "the watchdog is no longer fed") {
		t.Errorf("the log does not say the watchdog is no longer fed")
	}
	e.childPid(t, child) // a new rpicam-vid
	sock.Wait(t, tripped, "WATCHDOG=1")
	waitStateOf(t, p, "streaming again", func(s httpstream.State) bool { return s.Camera == "streaming" && s.Reconnects >= 1 })

	stopping := time.Now()
	p.terminate(t)
	sock.Wait(t, stopping, "STOPPING=1")
}

// On systemd's journal stream (JOURNAL_STREAM names stderr), every log
// line carries its priority and neither a timestamp nor a colour, even
// where colours are forced; a JOURNAL_STREAM naming another stream (one
// inherited by a shell) changes nothing.
func TestJournalLog(t *testing.T) {
	stamp := regexp.MustCompile(`^\d\d:\d\d:\d\d `)
	for _, tt := range []struct {
		name    string
		l       launch
		journal bool
	}{
		{"stderr is the journal", launch{journal: true, env: []string{"CLICOLOR_FORCE=1"}}, true},
		{"JOURNAL_STREAM names another stream", launch{env: []string{"CLICOLOR_FORCE=1", "JOURNAL_STREAM=1:1"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := startWith(t, tt.l)
			p.terminate(t)
			lines := strings.Split(strings.TrimSpace(p.log.String()), "\n")
			var stamped, coloured, feed int
			for _, l := range lines {
				if stamp.MatchString(l) {
					stamped++
				}
				if strings.Contains(l, "\x1b") {
					coloured++
				}
				if strings.Contains(l, "open the live feed") {
					feed++
					if got := strings.HasPrefix(l, "<6>INFO "); got != tt.journal {
						t.Errorf("line %q starts with <6>INFO: %v, want %v", l, got, tt.journal)
					}
				}
			}
			if feed == 0 {
				t.Fatalf("no line says where to open the feed:\n%s", p.log.String())
			}
			if tt.journal && (stamped > 0 || coloured > 0) {
				t.Errorf("on the journal, %d of %d lines have a timestamp and %d colours:\n%q", stamped, len(lines), coloured, lines)
			}
			if !tt.journal && (stamped != len(lines) || coloured == 0) {
				t.Errorf("off the journal, %d of %d lines have a timestamp (want all) and %d colours (want some):\n%q", stamped, len(lines), coloured, lines)
			}
		})
	}
}

// unitExecStart is the ExecStart= of a unit, continuation lines joined.
func unitExecStart(t *testing.T, unit string) string {
	t.Helper()
	joined := strings.ReplaceAll(unit, "\\\n", " ")
	for _, l := range strings.Split(joined, "\n") {
		if v, ok := strings.CutPrefix(l, "ExecStart="); ok {
			return v
		}
	}
	t.Fatal("the unit has no ExecStart=")
	return ""
}

// packaging/pistream.service says what the service needs, its ExecStart
// gives flags pistream takes, and `systemd-analyze verify` finds nothing to
// say about it (run on a copy whose ExecStart= names the binary under
// test: verify wants the program to exist).
func TestServiceUnit(t *testing.T) {
	b, err := os.ReadFile("packaging/pistream.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	lines := map[string]bool{}
	for _, l := range strings.Split(unit, "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for _, want := range []string{
		"Type=notify", "WatchdogSec=30s", "Restart=on-failure",
		"User=pistream", "SupplementaryGroups=video", "StateDirectory=pistream",
		"ProtectSystem=strict", "ReadWritePaths=/var/lib/pistream", "ProtectHome=yes",
		"PrivateTmp=yes", "NoNewPrivileges=yes", "PrivateDevices=no", "DeviceAllow=char-video4linux rw",
	} {
		if !lines[want] {
			t.Errorf("the unit lacks %q", want)
		}
	}

	exec0 := strings.Fields(unitExecStart(t, unit))
	if exec0[0] != "/usr/local/bin/pistream" {
		t.Fatalf("ExecStart runs %q, want /usr/local/bin/pistream", exec0[0])
	}
	if _, _, err := parseFlags(exec0[1:], io.Discard); err != nil {
		t.Errorf("pistream refuses the unit's flags %q: %v", exec0[1:], err)
	}

	copyPath := filepath.Join(t.TempDir(), "pistream.service")
	if err := os.WriteFile(copyPath, []byte(strings.Replace(unit, "ExecStart=/usr/local/bin/pistream ", "ExecStart="+binPath+" ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "verify", "--man=no", copyPath).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// packaging/pistream.sysusers makes the user and group pistream, with
// /var/lib/pistream as home and no login (systemd-sysusers into an empty
// root).
func TestSysusers(t *testing.T) {
	conf, err := filepath.Abs("packaging/pistream.sysusers")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("systemd-sysusers", "--root="+root, conf).CombinedOutput(); err != nil {
		t.Fatalf("systemd-sysusers: %v\n%s", err, out)
	}
	passwd, _ := os.ReadFile(filepath.Join(root, "etc", "passwd"))
	group, _ := os.ReadFile(filepath.Join(root, "etc", "group"))
	if !regexp.MustCompile(`(?m)^pistream:x:\d+:\d+:[^:]*:/var/lib/pistream:/usr/sbin/nologin$`).Match(passwd) {
		t.Errorf("passwd has no pistream user with home /var/lib/pistream and no login:\n%s", passwd)
	}
	if !regexp.MustCompile(`(?m)^pistream:x:\d+:`).Match(group) {
		t.Errorf("group has no group pistream:\n%s", group)
	}
}
