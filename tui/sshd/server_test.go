package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"pistream/album"
	"pistream/album/index/indextest"
	"pistream/camera"
	"pistream/internal/syncbuffer"
	"pistream/notes"
	"pistream/tui"
	"pistream/tui/internal/testhook"
)

// session is an SSH session with a PTY whose output is collected.
type session struct {
	s   *gossh.Session
	in  io.Writer
	out *syncbuffer.Buffer
}

func dialSession(t *testing.T, addr string, key gossh.Signer) *session {
	t.Helper()
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "pi", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatalf("ssh: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out := &syncbuffer.Buffer{}
	s.Stdout, s.Stderr = out, out
	in, _ := s.StdinPipe()
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	return &session{s: s, in: in, out: out}
}

func (s *session) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %q in %q", want, s.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newTestApp makes a tui.App on temp directories with a camera that is
// never started, logging into logs.
func newTestApp(t *testing.T, logs *syncbuffer.Buffer) *tui.App {
	t.Helper()
	dir := t.TempDir()
	a, err := album.Open(filepath.Join(dir, "photos"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	n, err := notes.Open(filepath.Join(dir, "notes"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	r := notes.NewRenderer(notes.DefaultParallel, notes.DefaultCacheBytes, nil)
	t.Cleanup(r.Close)
	cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 640, Height: 480, FPS: 30}})
	return &tui.App{Camera: cam, Album: a, Index: indextest.Start(t, a), Notes: n, Renderer: r, Log: log.New(logs), URLs: []string{"http://127.0.0.1:8080/"}}
}

// startServer serves app's TUI on a local port for the one key it returns.
func startServer(t *testing.T, app *tui.App) (addr string, key gossh.Signer) {
	t.Helper()
	dir := t.TempDir()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	key, _ = gossh.NewSignerFromKey(priv)
	os.WriteFile(filepath.Join(dir, "authorized_keys"), gossh.MarshalAuthorizedKey(key.PublicKey()), 0o600)
	srv, err := New(app, Config{
		AuthorizedKeys: filepath.Join(dir, "authorized_keys"),
		HostKeyPath:    filepath.Join(dir, "state", "ssh_host_ed25519_key"),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), key
}

// A panic in one session's program, in Update or inside a command it
// issued, ends that session with a message and is logged with the stack
// where it happened; the other sessions and the server go on.
func TestPanicEndsOnlyThatSession(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hook  *func(tea.KeyPressMsg)
		where string // a function on the panic's stack
	}{
		{"update", &testhook.KeyPress, "(*root).update"},
		{"command", &testhook.Command, "hookCommand"},
	} {
		t.Run(tc.name, func(t *testing.T) { panicEndsOnlyThatSession(t, tc.hook, tc.where) })
	}
}

// panicEndsOnlyThatSession makes one of two sessions panic through hook
// and checks what becomes of both, of a new one and of the log.
func panicEndsOnlyThatSession(t *testing.T, hook *func(tea.KeyPressMsg), where string) {
	logs := &syncbuffer.Buffer{}
	app := newTestApp(t, logs)
	addr, key := startServer(t, app)

	*hook = func(k tea.KeyPressMsg) {
		if k.Text == "P" {
			panic("boom from a test")
		}
	}
	t.Cleanup(func() { *hook = nil })

	a := dialSession(t, addr, key)
	b := dialSession(t, addr, key)
	a.waitFor(t, "Open in a browser")
	b.waitFor(t, "Open in a browser")
	io.WriteString(a.in, "P")
	done := make(chan error, 1)
	go func() { done <- a.s.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the session that panicked did not end")
	}
	if !strings.Contains(a.out.String(), "boom from a test") {
		t.Errorf("the session ended without a message: %q", a.out.String()[max(0, len(a.out.String())-400):])
	}
	io.WriteString(b.in, "3")
	b.waitFor(t, "No notes yet")
	c := dialSession(t, addr, key)
	c.waitFor(t, "Open in a browser")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "boom from a test") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "boom from a test") {
		t.Errorf("the panic was not logged:\n%s", logs.String())
	} else if !strings.Contains(logs.String(), where) {
		t.Errorf("the panic was logged without the stack where it happened (%s):\n%s", where, logs.String())
	}
}
