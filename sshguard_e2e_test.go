package main

// Attacks on the SSH server's door: connections that never finish logging
// in, too many of them at once, and an agent-forwarding request.

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pistream/internal/syncbuffer"

	"golang.org/x/crypto/ssh"
)

// watchedConn is a client connection that records when its reads fail: the
// server closed it (the client never closes it first while watching).
type watchedConn struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
	err    error // the first read error, once closed is closed
}

func (w *watchedConn) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	if err != nil {
		w.once.Do(func() { w.err = err; close(w.closed) })
	}
	return n, err
}

// dialFrom connects to addr from the loopback address ip (127.0.0.x: each
// is its own client address for the server).
func dialFrom(t testing.TB, ip, addr string) *watchedConn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: failureGuard}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, ip, err)
	}
	t.Cleanup(func() { c.Close() })
	return &watchedConn{Conn: c, closed: make(chan struct{})}
}

// drain reads c until the server closes it, in the background.
func (w *watchedConn) drain() { go io.Copy(io.Discard, w) }

// waitClosedByServer waits until the server closes c.
func (w *watchedConn) waitClosedByServer(t testing.TB, what string) {
	t.Helper()
	waitClosed(t, what+": the server's close", w.closed)
	if !errors.Is(w.err, io.EOF) && !strings.Contains(w.err.Error(), "reset") {
		t.Fatalf("%s: read failed with %v, want the server's close", what, w.err)
	}
}

// serverGreets reads what the server sends first on a fresh connection:
// true for its SSH version line, false when it closes without a byte.
func serverGreets(t testing.TB, w *watchedConn) bool {
	t.Helper()
	w.SetReadDeadline(time.Now().Add(failureGuard))
	line, err := bufio.NewReader(w).ReadString('\n')
	w.SetReadDeadline(time.Time{})
	switch {
	case strings.HasPrefix(line, "SSH-2.0-"):
		return true
	case line == "" && (errors.Is(err, io.EOF) || err != nil && strings.Contains(err.Error(), "reset")):
		return false
	}
	t.Fatalf("the server's first words: %q, %v", line, err)
	return false
}

// kexInit is an SSH_MSG_KEXINIT packet, unencrypted as the first packet is:
// sent after the version line it starts a key exchange the test never
// finishes.
func kexInit() []byte {
	payload := []byte{20} // SSH_MSG_KEXINIT
	cookie := make([]byte, 16)
	rand.Read(cookie)
	payload = append(payload, cookie...)
	for _, list := range []string{"curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes128-ctr",
		"hmac-sha2-256", "hmac-sha2-256", "none", "none", "", ""} {
		payload = binary.BigEndian.AppendUint32(payload, uint32(len(list)))
		payload = append(payload, list...)
	}
	payload = append(payload, 0, 0, 0, 0, 0) // first_kex_packet_follows, reserved
	pad := 8 - (5+len(payload))%8
	if pad < 4 {
		pad += 8
	}
	pkt := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)+pad))
	pkt = append(pkt, byte(pad))
	pkt = append(pkt, payload...)
	return append(pkt, make([]byte, pad)...)
}

// A stall is a client that stops somewhere before it has logged in.
type stall struct {
	name  string
	start func(t *testing.T, w *watchedConn, addr string)
}

func stalls() []stall {
	return []stall{
		{"silent", func(t *testing.T, w *watchedConn, _ string) { w.drain() }},
		{"version line only", func(t *testing.T, w *watchedConn, _ string) {
			io.WriteString(w, "SSH-2.0-stall\r\n")
			w.drain()
		}},
		{"mid key exchange", func(t *testing.T, w *watchedConn, _ string) {
			io.WriteString(w, "SSH-2.0-stall\r\n")
			w.Write(kexInit())
			w.drain()
		}},
		{"mid authentication", func(t *testing.T, w *watchedConn, addr string) {
			// A real client: key exchange done, then it never offers a key.
			release := make(chan struct{})
			var wg sync.WaitGroup
			t.Cleanup(func() { close(release); w.Close(); wg.Wait() })
			wg.Go(func() {
				ssh.NewClientConn(w, addr, &ssh.ClientConfig{
					User: "pi", HostKeyCallback: ssh.InsecureIgnoreHostKey(),
					Auth: []ssh.AuthMethod{ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
						<-release
						return nil, errors.New("gave up")
					})},
				})
			})
		}},
	}
}

// loginFrom logs in from ip with keys (tried in order) and opens a session
// with a PTY that shows the Live screen; it returns the error of the step
// that failed. The session stays until the test ends.
func loginFrom(t testing.TB, e *tuiEnv, ip string, keys ...ssh.Signer) error {
	t.Helper()
	client, err := loginClient(t, e, ip, keys...)
	if err == nil {
		t.Cleanup(func() { client.Close() })
	}
	return err
}

// loginClient is loginFrom, returning the client.
func loginClient(t testing.TB, e *tuiEnv, ip string, keys ...ssh.Signer) (*ssh.Client, error) {
	t.Helper()
	w := dialFrom(t, ip, e.sshAddr)
	w.SetDeadline(time.Now().Add(failureGuard))
	conn, chans, reqs, err := ssh.NewClientConn(w, e.sshAddr, &ssh.ClientConfig{
		User: "pi", Auth: []ssh.AuthMethod{ssh.PublicKeys(keys...)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		return nil, err
	}
	w.SetDeadline(time.Time{})
	client := ssh.NewClient(conn, chans, reqs)
	if err := waitLive(client); err != nil {
		client.Close()
		return nil, err
	}
	return client, nil
}

// waitLive opens a session with a PTY on client and waits for the Live
// screen.
func waitLive(client *ssh.Client) error {
	sess, err := client.NewSession()
	if err != nil {
		return err
	}
	return liveOn(sess)
}

// liveOn asks sess for a PTY and a shell and waits for the Live screen.
func liveOn(sess *ssh.Session) error {
	out := &syncbuffer.Buffer{}
	sess.Stdout, sess.Stderr = out, out
	if err := sess.RequestPty("xterm-256color", 30, 100, ssh.TerminalModes{}); err != nil {
		return err
	}
	if err := sess.Shell(); err != nil {
		return err
	}
	deadline := time.Now().Add(failureGuard)
	for !strings.Contains(out.String(), "Open in a browser") {
		if time.Now().After(deadline) {
			return fmt.Errorf("the Live screen never came; the session shows %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// Connections that stop before they have logged in (silent, after the
// version line, mid key exchange, mid authentication) are closed once
// --ssh-login-grace is over, also with --ssh-idle 0 (no idle timeout);
// the log says so; a session that logged in is not cut by it.
func TestSSHLoginGrace(t *testing.T) {
	e := startTUI(t, nil, "--ssh-login-grace", "2s", "--ssh-idle", "0")
	s := e.open(t)
	for _, st := range stalls() {
		t.Run(st.name, func(t *testing.T) {
			w := dialFrom(t, "127.0.0.1", e.sshAddr)
			st.start(t, w, e.sshAddr)
			w.waitClosedByServer(t, st.name)
		})
	}
	if !strings.Contains(e.log.String(), "login grace time over") {
		t.Errorf("the closes are not logged:\n%s", e.log.String())
	}
	// The session that logged in before them all is alive.
	s.press("3")
	s.waitFor("No notes yet")
}

// At most --ssh-max-startups-per-addr connections from one address and
// --ssh-max-startups in all may be logging in at once; the next is closed
// before a byte is sent, logged once and not once per connection; a login
// from another address still works, and connections that logged in or
// closed free their place.
func TestSSHStartupLimits(t *testing.T) {
	e := startTUI(t, nil, "--ssh-max-startups", "5", "--ssh-max-startups-per-addr", "3")
	var first []*watchedConn
	for i := range 3 {
		w := dialFrom(t, "127.0.0.1", e.sshAddr)
		if !serverGreets(t, w) {
			t.Fatalf("connection %d of 3 from 127.0.0.1 refused", i+1)
		}
		first = append(first, w)
	}
	for range 20 {
		if serverGreets(t, dialFrom(t, "127.0.0.1", e.sshAddr)) {
			t.Fatal("a 4th connection logging in from 127.0.0.1 was let in (at most 3 per address)")
		}
	}
	if err := loginFrom(t, e, "127.0.0.2", e.key); err != nil {
		t.Fatalf("a login from 127.0.0.2 beside 3 stalled ones from 127.0.0.1: %v", err)
	}
	// The session logged in: it no longer counts. Two more from .2 make 5.
	for range 2 {
		if !serverGreets(t, dialFrom(t, "127.0.0.2", e.sshAddr)) {
			t.Fatal("a connection from 127.0.0.2 refused with 4 logging in (at most 5)")
		}
	}
	if serverGreets(t, dialFrom(t, "127.0.0.3", e.sshAddr)) {
		t.Fatal("a 6th connection logging in was let in (at most 5 in all)")
	}
	// One of the stalled ones leaves: a login from .3 gets its place.
	first[0].Close()
	waitSeen(t, "a login from 127.0.0.3 after a stalled connection left", func() (bool, string) {
		if err := loginFrom(t, e, "127.0.0.3", e.key); err != nil {
			return false, err.Error()
		}
		return true, ""
	})
	logs := e.log.String()
	if n := strings.Count(logs, "too many connections logging in from this address"); n != 1 {
		t.Errorf("21 refusals from 127.0.0.1 logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs, "too many connections logging in:") {
		t.Errorf("the refusal at the overall limit is not logged:\n%s", logs)
	}
}

// Connections from one address that closed without logging in (silent,
// version line only, mid key exchange; 40 of them, more than the old limit
// of 30 a minute) do not stop that address from logging in; nor do the
// other keys a client offers before the right one, login after login.
func TestSSHLoginAfterClosedConnections(t *testing.T) {
	e := startTUI(t, nil)
	for i := range 40 {
		w := dialFrom(t, "127.0.0.1", e.sshAddr)
		switch i % 3 {
		case 1:
			io.WriteString(w, "SSH-2.0-gone\r\n")
		case 2:
			io.WriteString(w, "SSH-2.0-gone\r\n")
			w.Write(kexInit())
		}
		// Leave, and wait until the server has closed its side too.
		w.Conn.(*net.TCPConn).CloseWrite()
		w.drain()
		w.waitClosedByServer(t, "connection "+strconv.Itoa(i))
	}
	if err := loginFrom(t, e, "127.0.0.1", e.key); err != nil {
		t.Fatalf("login after 40 closed connections from the same address: %v", err)
	}
	// An agent holding two other keys offers them first: 2 refused keys
	// per login, 16 in all, more than the 10 failures an address may have
	// in a minute, yet every login succeeds.
	others := []ssh.Signer{newKey(t), newKey(t)}
	for i := range 8 {
		client, err := loginClient(t, e, "127.0.0.1", append(others, e.key)...)
		if err != nil {
			t.Fatalf("login %d with two other keys offered first: %v", i+1, err)
		}
		client.Close()
	}
}

// A request to forward the SSH agent is refused (nothing in pistream uses
// it), the session going on: asked with a reply wanted, the answer is no;
// from OpenSSH's `ssh -A` beside a running ssh-agent, which wants no reply,
// the log says it was refused.
func TestSSHAgentForwardingRefused(t *testing.T) {
	e := startTUI(t, nil, "--log-level", "debug")
	t.Run("reply wanted", func(t *testing.T) {
		client, err := ssh.Dial("tcp", e.sshAddr, &ssh.ClientConfig{
			User: "pi", Auth: []ssh.AuthMethod{ssh.PublicKeys(e.key)},
			HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: failureGuard,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		ok, err := sess.SendRequest("auth-agent-req@openssh.com", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Error("agent forwarding was accepted")
		}
		if err := liveOn(sess); err != nil {
			t.Fatalf("after the refused request: %v", err)
		}
	})
	t.Run("ssh -A", func(t *testing.T) {
		if _, err := exec.LookPath("ssh-agent"); err != nil {
			t.Skip("no OpenSSH client here (make test installs openssh-client)")
		}
		refusedBefore := strings.Count(e.log.String(), "agent forwarding refused")
		dir := t.TempDir()
		keyFile := filepath.Join(dir, "id_ed25519")
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		block, err := ssh.MarshalPrivateKey(priv, "")
		if err != nil {
			t.Fatal(err)
		}
		signer, _ := ssh.NewSignerFromKey(priv)
		os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600)
		ak, _ := os.ReadFile(filepath.Join(e.dir, "authorized_keys"))
		os.WriteFile(filepath.Join(e.dir, "authorized_keys"), append(ak, ssh.MarshalAuthorizedKey(signer.PublicKey())...), 0o600)

		sock := filepath.Join(dir, "agent.sock")
		agent := spawn(t, "", launch{}, "ssh-agent", "-D", "-a", sock)
		waitSeen(t, "ssh-agent to make its socket", func() (bool, string) {
			_, err := os.Stat(sock)
			return err == nil, agent.log.String()
		})
		port := e.sshAddr[strings.LastIndex(e.sshAddr, ":")+1:]
		cmd := exec.Command("ssh", "-tt", "-A", "-v", "-p", port, "-i", keyFile, "-o", "IdentitiesOnly=yes",
			"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "pi@127.0.0.1")
		cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
		out, errOut := &syncbuffer.Buffer{}, &syncbuffer.Buffer{}
		cmd.Stdout, cmd.Stderr = out, errOut
		in, _ := cmd.StdinPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{}) // closed once ssh has exited
		go func() { cmd.Wait(); close(done) }()
		defer func() {
			cmd.Process.Kill()
			<-done
		}()
		// Without a terminal of its own, ssh asks for a 0x0 one: the TUI
		// starts (it sets its window title) and waits for a size.
		waitSeen(t, "the TUI to start for ssh -A", func() (bool, string) {
			return strings.Contains(out.String(), "]2;pistream"), fmt.Sprintf("%q\n%s", out.String(), errOut.String())
		})
		if !strings.Contains(errOut.String(), "Requesting authentication agent forwarding") {
			t.Fatalf("ssh -A did not ask to forward the agent:\n%s", errOut.String())
		}
		waitSeen(t, "the request of ssh -A to be refused", func() (bool, string) {
			log := e.log.String()
			return strings.Count(log, "agent forwarding refused") > refusedBefore, log
		})
		io.WriteString(in, "q")
		waitClosed(t, "q to end the ssh -A session", done)
		if strings.Contains(e.log.String(), "panic") {
			t.Errorf("the session panicked:\n%s", e.log.String())
		}
	})
}
