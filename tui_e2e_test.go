package main

// End-to-end tests of the control TUI: a real SSH client with a PTY talks
// to the pistream binary, and a terminal emulator reads the screen.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"image/color"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"golang.org/x/crypto/ssh"

	"pistream/internal/jpegmark"
)

// tuiEnv is a pistream with SSH on, its directories and a key allowed in.
type tuiEnv struct {
	*proc
	sshAddr string
	key     ssh.Signer
	dir     string // state, photos, notes and authorized_keys live here
	args    []string
	// background is the background colour the terminals of the sessions
	// opened next report; nil: the emulator's, black.
	background color.Color
}

func newKey(t testing.TB) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startTUI starts pistream with SSH, a notes directory holding notes, and
// an authorized_keys file holding one key; extra flags are added last.
func startTUI(t testing.TB, notes map[string]string, extra ...string) *tuiEnv {
	t.Helper()
	e := &tuiEnv{dir: t.TempDir(), key: newKey(t)}
	if err := os.WriteFile(filepath.Join(e.dir, "authorized_keys"), ssh.MarshalAuthorizedKey(e.key.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(e.dir, "notes"), 0o755)
	for name, text := range notes {
		os.WriteFile(filepath.Join(e.dir, "notes", name), []byte(text), 0o644)
	}
	e.sshAddr = "127.0.0.1:" + strconv.Itoa(freePort(t))
	e.args = []string{
		"--ssh", e.sshAddr,
		"--authorized-keys", filepath.Join(e.dir, "authorized_keys"),
		"--state", filepath.Join(e.dir, "state"),
		"--photos", filepath.Join(e.dir, "photos"),
		"--notes", filepath.Join(e.dir, "notes"),
	}
	e.args = append(e.args, extra...)
	e.proc = start(t, e.args...)
	return e
}

// screen is one SSH session's terminal, as an emulator sees it.
type screen struct {
	t    testing.TB
	raw  *countingWriter // every byte the session sent
	emu  *vt.SafeEmulator
	in   io.Writer
	sess *ssh.Session
	conn *ssh.Client

	mu     sync.Mutex
	titles []string // window titles the session set

	copied sync.WaitGroup // the copies of the session's output, until EOF

	// emuMu serialises writes into the emulator with reads of its cells:
	// CellAt hands out pointers into the screen that the next write changes.
	emuMu sync.Mutex
	// afterWrite, when set, runs under emuMu after every write into the
	// emulator: it sees each state of the screen the session's output made.
	afterWrite func()
}

// emuWriter writes into the screen's emulator under emuMu.
type emuWriter struct{ s *screen }

func (w emuWriter) Write(p []byte) (int, error) {
	w.s.emuMu.Lock()
	defer w.s.emuMu.Unlock()
	n, err := w.s.emu.Write(p)
	if w.s.afterWrite != nil {
		w.s.afterWrite()
	}
	return n, err
}

// fg is the foreground colour of the cell at x, y.
func (s *screen) fg(x, y int) string {
	s.emuMu.Lock()
	defer s.emuMu.Unlock()
	if c := s.emu.CellAt(x, y); c != nil {
		return fmt.Sprint(c.Style.Fg)
	}
	return ""
}

// countingWriter counts bytes and keeps the last 64 KiB of them.
type countingWriter struct {
	mu   sync.Mutex
	n    int64
	tail []byte
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += int64(len(p))
	c.tail = append(c.tail, p...)
	if len(c.tail) > 64<<10 {
		c.tail = c.tail[len(c.tail)-64<<10:]
	}
	return len(p), nil
}

func (c *countingWriter) stats() (int64, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, string(c.tail)
}

// connect opens an SSH session with a 100x30 PTY to the TUI.
func (e *tuiEnv) connect(t testing.TB, key ssh.Signer, env ...string) (*screen, error) {
	t.Helper()
	return e.connectSize(t, key, 100, 30, env...)
}

// connectSize opens an SSH session with a cols×rows PTY to the TUI.
func (e *tuiEnv) connectSize(t testing.TB, key ssh.Signer, cols, rows int, env ...string) (*screen, error) {
	t.Helper()
	conn, err := ssh.Dial("tcp", e.sshAddr, &ssh.ClientConfig{
		User:            "pi",
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(key)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout:         failureGuard,
	})
	if err != nil {
		return nil, err
	}
	sess, err := conn.NewSession()
	if err != nil {
		conn.Close()
		return nil, err
	}
	for i := 0; i+1 < len(env); i += 2 {
		if err := sess.Setenv(env[i], env[i+1]); err != nil {
			t.Fatalf("setenv: %v", err)
		}
	}
	if err := sess.RequestPty("xterm-256color", rows, cols, ssh.TerminalModes{ssh.ECHO: 0}); err != nil {
		t.Fatalf("pty: %v", err)
	}
	s := &screen{t: t, emu: vt.NewSafeEmulator(cols, rows), sess: sess, conn: conn, raw: &countingWriter{}}
	if e.background != nil {
		s.emu.SetDefaultBackgroundColor(e.background)
	}
	s.emu.SetCallbacks(vt.Callbacks{Title: func(title string) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.titles = append(s.titles, title)
	}})
	s.in, _ = sess.StdinPipe()
	out, _ := sess.StdoutPipe()
	errOut, _ := sess.StderrPipe() // a terminal shows both
	if err := sess.Shell(); err != nil {
		t.Fatalf("shell: %v", err)
	}
	s.copied.Go(func() { io.Copy(io.MultiWriter(emuWriter{s}, s.raw), out) })
	s.copied.Go(func() { io.Copy(io.MultiWriter(emuWriter{s}, s.raw), errOut) })
	go io.Copy(s.in, s.emu)                          // the terminal's answers to queries
	t.Cleanup(func() { sess.Close(); conn.Close() }) // (vt's Emulator.Close races with its Read: left open)
	return s, nil
}

// open connects with the authorized key and waits for the Live screen.
func (e *tuiEnv) open(t testing.TB) *screen {
	t.Helper()
	s, err := e.connect(t, e.key)
	if err != nil {
		t.Fatalf("ssh: %v", err)
	}
	s.waitFor("Open in a browser")
	return s
}

// waitEnded waits until the session ends and everything it sent has
// reached the screen; what the test fails with if it never does says why
// it should have.
func (s *screen) waitEnded(why string) {
	s.t.Helper()
	done := make(chan struct{})
	go func() { s.sess.Wait(); s.copied.Wait(); close(done) }()
	waitClosed(s.t, "the session to end: "+why, done)
}

// text is the screen as plain text, a line per row.
func (s *screen) text() string {
	s.emuMu.Lock()
	defer s.emuMu.Unlock()
	var b strings.Builder
	for y := 0; y < s.emu.Height(); y++ {
		for x := 0; x < s.emu.Width(); x++ {
			c := s.emu.CellAt(x, y)
			if c == nil || c.Content == "" {
				if c == nil || c.Width == 0 && c.Content == "" {
					b.WriteByte(' ')
				}
				continue
			}
			b.WriteString(c.Content)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// waitFor waits until the screen shows want, and returns the screen.
func (s *screen) waitFor(want string) string {
	s.t.Helper()
	var txt string
	waitSeen(s.t, fmt.Sprintf("the screen to show %q", want), func() (bool, string) {
		txt = s.text()
		return strings.Contains(txt, want), txt
	})
	return txt
}

func (s *screen) press(keys string) {
	s.t.Helper()
	if _, err := io.WriteString(s.in, keys); err != nil {
		s.t.Fatalf("send %q: %v", keys, err)
	}
}

func photosIn(t testing.TB, dir string) []string {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".jpg") {
			names = append(names, e.Name())
		}
	}
	return names
}

var savedRE = regexp.MustCompile(`Saved (\S+\.jpg)`)

func TestSSHControlTUI(t *testing.T) {
	e := startTUI(t, map[string]string{
		"printer.md": "# Printer setup\n\nThe **camera** looks at the bed.\n\n- check the focus\n- clean the lens\n",
	})
	s, err := e.connect(t, e.key)
	if err != nil {
		t.Fatalf("ssh: %v", err)
	}
	txt := s.waitFor("Open in a browser")
	if !strings.Contains(txt, e.url+"/") {
		t.Errorf("Live does not show the feed URL %s:\n%s", e.url, txt)
	}
	s.waitFor("▀") // the picture

	// Snapshot: one new complete JPEG, its name on screen.
	s.press("s")
	m := savedRE.FindStringSubmatch(s.waitFor("Saved "))
	photosDir := filepath.Join(e.dir, "photos")
	got := photosIn(t, photosDir)
	if len(got) != 1 || m == nil || got[0] != m[1] {
		t.Fatalf("photos %v, screen says %v", got, m)
	}
	data, _ := os.ReadFile(filepath.Join(photosDir, got[0]))
	if err := jpegmark.Check(data); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	name := got[0]

	// Photos: the photo is listed; d y deletes it; u restores it.
	s.press("2")
	s.waitFor(name)
	s.waitFor("640×480")
	s.press("d")
	s.waitFor("Delete " + name + "? y/n")
	s.press("y")
	s.waitFor("Deleted " + name)
	if got := photosIn(t, photosDir); len(got) != 0 {
		t.Fatalf("after delete the photos are %v", got)
	}
	s.press("u")
	s.waitFor("Restored " + name)
	if got := photosIn(t, photosDir); len(got) != 1 || got[0] != name {
		t.Fatalf("after undo the photos are %v", got)
	}
	restored, _ := os.ReadFile(filepath.Join(photosDir, name))
	if string(restored) != string(data) {
		t.Error("the restored photo differs from the one deleted")
	}

	// Notes: the note opens rendered, not as raw markdown.
	s.press("3")
	s.waitFor("Printer setup")
	s.press("\r")
	txt = s.waitFor("clean the lens")
	if strings.Contains(txt, "# Printer setup") || strings.Contains(txt, "**camera**") {
		t.Errorf("the note shows raw markdown:\n%s", txt)
	}
	if !strings.Contains(txt, "camera looks at the bed") {
		t.Errorf("the note's text is missing:\n%s", txt)
	}
	s.press("\x1b") // esc: back to the list
	s.waitFor("1 note")

	s.press("q")
	s.waitEnded("q was pressed")
}

// A key that is not in authorized_keys is refused; a session without a PTY
// gets a one-line message; the host key is the same after a restart.
func TestSSHAccess(t *testing.T) {
	e := startTUI(t, nil)
	if _, err := e.connect(t, newKey(t)); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("a key not in authorized_keys: %v, want refused", err)
	}
	// Passwords are not offered at all.
	_, err := ssh.Dial("tcp", e.sshAddr, &ssh.ClientConfig{
		User: "pi", Auth: []ssh.AuthMethod{ssh.Password("raspberry")},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	})
	if err == nil {
		t.Error("a password was accepted")
	}

	var hostKey ssh.PublicKey
	conn, err := ssh.Dial("tcp", e.sshAddr, &ssh.ClientConfig{
		User: "pi", Auth: []ssh.AuthMethod{ssh.PublicKeys(e.key)},
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { hostKey = k; return nil },
	})
	if err != nil {
		t.Fatalf("the authorized key: %v", err)
	}
	sess, _ := conn.NewSession()
	out, _ := sess.CombinedOutput("") // no PTY
	conn.Close()
	if msg := strings.TrimSpace(string(out)); msg == "" || strings.Count(msg, "\n") > 0 {
		t.Errorf("a session without a PTY got %q, want a one-line message", out)
	}
	if hostKey.Type() != ssh.KeyAlgoED25519 {
		t.Errorf("host key type %s, want ed25519", hostKey.Type())
	}
	keyFile := filepath.Join(e.dir, "state", "ssh_host_ed25519_key")
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	if fi, err := os.Stat(filepath.Join(e.dir, "state")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("state dir: %v, want mode 0700", err)
	}

	// Restart on the same state directory: the same host key.
	e.cmd.Process.Signal(os.Interrupt)
	<-e.done
	e.proc = start(t, e.args...)
	var again ssh.PublicKey
	conn, err = ssh.Dial("tcp", e.sshAddr, &ssh.ClientConfig{
		User: "pi", Auth: []ssh.AuthMethod{ssh.PublicKeys(e.key)},
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { again = k; return nil },
	})
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	conn.Close()
	if ssh.FingerprintSHA256(again) != ssh.FingerprintSHA256(hostKey) {
		t.Errorf("host key changed across a restart: %s then %s", ssh.FingerprintSHA256(hostKey), ssh.FingerprintSHA256(again))
	}

	// authorized_keys is re-read when it changes: a new key gets in, no restart.
	other := newKey(t)
	os.WriteFile(filepath.Join(e.dir, "authorized_keys"),
		append(append([]byte("garbage line\n"), ssh.MarshalAuthorizedKey(e.key.PublicKey())...), ssh.MarshalAuthorizedKey(other.PublicKey())...), 0o600)
	if _, err := e.connect(t, other); err != nil {
		t.Errorf("a key added to authorized_keys: %v", err)
	}
	if _, err := e.connect(t, e.key); err != nil {
		t.Errorf("the first key after a garbage line was added: %v", err)
	}
}

// A snapshot taken in one session appears in another session's Photos
// list without a key press there.
func TestTwoSessions(t *testing.T) {
	e := startTUI(t, nil)
	a, b := e.open(t), e.open(t)
	b.press("2")
	b.waitFor("No photos yet")
	a.waitFor("2 sessions")
	a.press(" ")
	m := savedRE.FindStringSubmatch(a.waitFor("Saved "))
	if m == nil {
		t.Fatal("no photo name on screen")
	}
	b.waitFor(m[1])

	// A photo copied in from outside appears too, without a key press.
	data, err := os.ReadFile(filepath.Join(e.dir, "photos", m[1]))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(e.dir, "photos", "from-outside.jpg"), data, 0o644)
	b.waitFor("from-outside.jpg")
}

// The Live picture uses the client's colour profile: 256 colours for
// TERM=xterm-256color, true colour when the client says COLORTERM=truecolor.
func TestSSHColourProfile(t *testing.T) {
	e := startTUI(t, nil)
	for _, tc := range []struct {
		env       []string
		want, not string
	}{
		{nil, "38;5;", "38;2;"},
		{[]string{"COLORTERM", "truecolor"}, "38;2;", "38;5;"},
	} {
		s, err := e.connect(t, e.key, tc.env...)
		if err != nil {
			t.Fatal(err)
		}
		s.waitFor("▀")
		s.waitColours(0, tc.want, tc.not) // the picture's colours: tc.want only
		s.press("q")
	}
}

// BenchmarkLiveScreenBytes: what the Live screen sends per second to a
// 100x30 SSH session watching the test pattern (256 colours and true colour).
func BenchmarkLiveScreenBytes(b *testing.B) {
	e := startTUI(b, nil)
	for _, tc := range []struct {
		name string
		env  []string
	}{{"256colour", nil}, {"truecolour", []string{"COLORTERM", "truecolor"}}} {
		b.Run(tc.name, func(b *testing.B) {
			s, err := e.connect(b, e.key, tc.env...)
			if err != nil {
				b.Fatal(err)
			}
			s.waitFor("▀")
			time.Sleep(time.Second)
			n0, _ := s.raw.stats()
			t0 := time.Now()
			b.ResetTimer()
			for range b.N {
				time.Sleep(100 * time.Millisecond)
			}
			n1, _ := s.raw.stats()
			sec := time.Since(t0).Seconds()
			b.ReportMetric(float64(n1-n0)/sec/1024, "KiB/s")
			s.press("q")
		})
	}
}

// selectedRE finds the photo the Photos list shows selected: the list marks
// it with a bar before its name.
var selectedRE = regexp.MustCompile(`│ (\S+\.jpg)`)

// A photo just taken is the selected one when the user next looks: on
// Photos after snapshots on Live (more than a page of them), and at once
// when taken on Photos.
func TestNewPhotoSelected(t *testing.T) {
	e := startTUI(t, nil)
	s := e.open(t)
	photosDir := filepath.Join(e.dir, "photos")
	var last string
	for i := range 10 { // a page of Photos at 100x30 holds 8
		s.press("s")
		waitUntil(t, fmt.Sprintf("snapshot %d to be saved", i+1), func() bool { return len(photosIn(t, photosDir)) >= i+1 })
		names := photosIn(t, photosDir)
		slices.Sort(names)
		last = names[len(names)-1]
		s.waitFor("Saved " + last)
	}
	s.press("2")
	s.waitFor("10 photos")
	if m := selectedRE.FindStringSubmatch(s.waitFor(last)); m == nil || m[1] != last {
		t.Errorf("Photos opened with %v selected, want the newest, %s:\n%s", m, last, s.text())
	}

	s.press("j") // look at another one, then take a photo here
	s.press("s")
	s.waitFor("11 photos")
	names := photosIn(t, photosDir)
	slices.Sort(names)
	newest := names[len(names)-1]
	waitSeen(t, "the photo taken on Photos, "+newest+", to be selected", func() (bool, string) {
		txt := s.text()
		sel := selectedRE.FindStringSubmatch(txt)
		return sel != nil && sel[1] == newest, txt
	})
}

// At 80x24, the classic terminal, the Live picture fills every row between
// the tabs and the status bar and a photo's details are not cut; in a
// window too small for the screens, one line says so.
func TestSmallWindows(t *testing.T) {
	e := startTUI(t, nil)
	s, err := e.connectSize(t, e.key, 80, 24)
	if err != nil {
		t.Fatalf("ssh: %v", err)
	}
	s.waitFor("Open in a browser")
	// The picture's rows are those from below the tabs to above the links
	// ("Open in a browser" and the lines after it).
	waitSeen(t, "the picture to fill every row at 80x24", func() (bool, string) {
		txt := s.text()
		lines := strings.Split(txt, "\n")
		empty := -1
		for y := 1; y < len(lines) && !strings.Contains(lines[y], "Open in a browser"); y++ {
			if !strings.Contains(lines[y], "▀") {
				empty = y
				break
			}
		}
		return empty < 0 && strings.Contains(txt, "Open in a browser"), fmt.Sprintf("row %d empty:\n%s", empty, txt)
	})

	s.press("s")
	s.waitFor("Saved ")
	s.press("2")
	s.waitFor("1 photo")
	s.waitFor("640×480") // not "640×48…"

	s.resize(40, 10)
	txt := s.waitFor("needs 50×10")
	var shown []string
	for _, line := range strings.Split(txt, "\n") {
		if strings.TrimSpace(line) != "" {
			shown = append(shown, line)
		}
	}
	if len(shown) != 1 || !strings.Contains(shown[0], "40×10") {
		t.Errorf("a 40x10 window shows %d lines, want one saying it is too small:\n%s", len(shown), txt)
	}
	s.resize(80, 24) // big enough again: the screens come back
	s.waitFor("1 photo")
}

// since is what the session sent after its first n bytes, or false when
// that is no longer all kept.
func (c *countingWriter) since(n int64) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n-n > int64(len(c.tail)) {
		return "", false
	}
	return string(c.tail[int64(len(c.tail))-(c.n-n):]), true
}

// waitColours waits until what the session sends after byte n draws the
// picture in want (an SGR prefix such as "38;2;") and no longer in not.
func (s *screen) waitColours(n int64, want, not string) {
	s.t.Helper()
	waitSeen(s.t, fmt.Sprintf("the picture to be drawn with %q only", want), func() (bool, string) {
		// The last 16 KiB sent: several updates of the picture.
		m, _ := s.raw.stats()
		from := max(n, m-16<<10)
		out, ok := s.raw.since(from)
		return ok && m-n > 16<<10 && strings.Contains(out, want) && !strings.Contains(out, not),
			fmt.Sprintf("%d bytes; has %q: %v, %q: %v", m-n, want, strings.Contains(out, want), not, strings.Contains(out, not))
	})
}

// True colour without COLORTERM (which stock OpenSSH does not send): c
// switches a session between 256 colours and true colour, the status bar
// says so at the start; a terminal that answers the capability query for
// "RGB" (XTGETTCAP, as xterm, kitty, foot and WezTerm do) gets true colour
// by itself.
func TestTrueColourWithoutCOLORTERM(t *testing.T) {
	e := startTUI(t, nil)
	s := e.open(t)
	s.waitFor("Press c for true colour")
	s.waitFor("▀")
	n, _ := s.raw.stats()
	s.waitColours(n, "38;5;", "38;2;")
	s.press("c")
	s.waitFor("True colour")
	n, _ = s.raw.stats()
	s.waitColours(n, "38;2;", "38;5;")
	s.press("c")
	s.waitFor("256 colours")
	n, _ = s.raw.stats()
	s.waitColours(n, "38;5;", "38;2;")
	s.press("q")

	// A terminal that says it has RGB.
	s, err := e.connect(t, e.key)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the TUI to ask the terminal for its capabilities (XTGETTCAP)", func() bool {
		_, tail := s.raw.stats()
		return strings.Contains(tail, "\x1bP+q")
	})
	s.press("\x1bP1+r524742\x1b\\") // RGB (hex 524742): yes
	s.waitFor("▀")
	n, _ = s.raw.stats()
	s.waitColours(n, "38;2;", "38;5;")
}

// The Photos filter finds the names that contain what is typed: "38-1"
// among 31 photos taken a second apart from 10:38:00 finds the ten of
// 10:38:1x, not every name with a 3, an 8, a dash and a 1 in that order.
func TestPhotosFilterSubstring(t *testing.T) {
	e := startTUI(t, nil)
	photosDir := filepath.Join(e.dir, "photos")
	img := getJPEG(t, e.proc, "/snapshot")
	var want []string
	for i := range 31 {
		name := fmt.Sprintf("2026-11-26_10-%02d-%02d.000.jpg", 38+i/60, i%60)
		if err := os.WriteFile(filepath.Join(photosDir, name), img, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(name, "38-1") {
			want = append(want, name)
		}
	}
	s := e.open(t)
	s.press("2")
	s.waitFor("31 photos")
	s.press("/") // as a user types: the prompt, the term, enter
	s.waitFor("Filter:")
	s.press("38-1")
	s.waitFor("Filter: 38-1")
	s.press("\r")
	s.waitFor(fmt.Sprintf("%d photos", len(want)))
	// The first page shows the newest (at least five of them fit), and only
	// names with 38-1 in them.
	waitSeen(t, "the filter 38-1 to show the newest names with 38-1 only", func() (bool, string) {
		txt := s.text()
		var wrong, missing []string
		for _, name := range regexp.MustCompile(`\S+\.jpg`).FindAllString(txt, -1) {
			if !strings.Contains(name, "38-1") {
				wrong = append(wrong, name)
			}
		}
		for _, name := range want[len(want)-5:] {
			if !strings.Contains(txt, name) {
				missing = append(missing, name)
			}
		}
		return len(wrong) == 0 && len(missing) == 0, fmt.Sprintf("shows %v, and not %v:\n%s", wrong, missing, txt)
	})
}

// OpenSSH's ssh with a command, as users try it: one line saying this is
// pistream and to use ssh -t, and exit status 1; the same without a
// command and without a terminal (ssh -T).
func TestSSHCommandSaysUseT(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	e := startTUI(t, nil)
	if err := os.WriteFile(filepath.Join(e.dir, "authorized_keys"), ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	waitSeen(t, "the new key to get in", func() (bool, string) { // authorized_keys is re-read when it changes
		s, err := e.connect(t, signer)
		if err != nil {
			return false, err.Error()
		}
		s.conn.Close()
		return true, ""
	})
	host, port, _ := net.SplitHostPort(e.sshAddr)
	for _, args := range [][]string{{"ls", "-l"}, {"-T"}} {
		cmd := exec.Command("ssh", append([]string{"-p", port, "-i", keyFile, "-o", "IdentitiesOnly=yes",
			"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "LogLevel=ERROR", "pi@" + host}, args...)...)
		cmd.Stdin = strings.NewReader("")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		var exit *exec.ExitError
		if err := cmd.Run(); !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("ssh %v: %v, want exit status 1; output %q", args, err, out.String())
		}
		msg := strings.TrimSpace(out.String())
		if strings.Count(msg, "\n") > 0 || !strings.Contains(msg, "pistream") || !strings.Contains(msg, "ssh -t") {
			t.Errorf("ssh %v said %q, want one line naming pistream and ssh -t", args, msg)
		}
	}
}

// --ssh-idle: a session watching Live is not closed, however long no key
// is pressed; away from Live it is warned before it is closed (half the
// idle time before, for one this short; a minute before for the default
// 30 minutes), and a key press takes the warning away and starts again.
func TestIdleWarnsAndSparesLive(t *testing.T) {
	e := startTUI(t, nil, "--ssh-idle", "3s")
	s := e.open(t)
	// Watching Live for three times the idle time: still there. The
	// picture goes on changing meanwhile, which the session shows.
	n0, _ := s.raw.stats()
	time.Sleep(9 * time.Second)
	waitUntil(t, "the Live picture to change (else the test cannot tell a watched session)", func() bool {
		n1, _ := s.raw.stats()
		return n1 != n0
	})
	s.press("3") // fails, or shows nothing, in a closed session
	s.waitFor("No notes yet")
	if strings.Contains(s.text(), "without a key press") {
		t.Fatal("a session watching Live was closed for idleness")
	}
	s.waitFor("this session closes in")
	s.press("j") // a key: the warning goes, the count starts again
	waitSeen(t, "a key press to take the idle warning away", func() (bool, string) {
		txt := s.text()
		return !strings.Contains(txt, "this session closes in"), txt
	})
	s.waitFor("this session closes in")
	s.waitEnded("it was idle away from Live")
	_, tail := s.raw.stats()
	if !strings.Contains(tail, "without a key press") {
		t.Errorf("the session ended without saying why: %q", tail[max(len(tail)-300, 0):])
	}
}
