package sshd

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// door is what a connection goes through before it has logged in: the
// limit on failed logins per address, the limits on connections logging in
// at once, the login grace time, and their log lines (one a minute per
// address and limit, however many connections it refuses).
type door struct {
	fails    *loginFails
	startups *startups
	grace    time.Duration
	ak       *authorizedKeys
	quiet    *quietLog
	logger   *log.Logger
}

// login is one accepted connection while it logs in: its place among the
// startups and the keys refused to it.
type login struct {
	addr    string
	release func() // frees its place; once
	fails   *loginFails

	mu     sync.Mutex
	window time.Time // the failure window its refused keys count in
	n      int       // its refused keys in that window
}

type loginKey struct{}

// loginOf is the login of the connection of ctx, nil when it has none.
func loginOf(ctx ssh.Context) *login {
	l, _ := ctx.Value(loginKey{}).(*login)
	return l
}

// refused records a key refused to this connection and reports whether
// its address may still try.
func (l *login) refused() bool {
	w, ok := l.fails.failed(l.addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !w.Equal(l.window) {
		l.window, l.n = w, 0
	}
	l.n++
	return ok
}

// loggedIn is called once the connection has logged in: it leaves the
// startups, and the keys refused to it before the right one are forgiven.
func (l *login) loggedIn() {
	l.release()
	l.mu.Lock()
	w, n := l.window, l.n
	l.n = 0
	l.mu.Unlock()
	if n > 0 {
		l.fails.forgive(l.addr, w, n)
	}
}

// loginConn is a connection with its login: closing it frees the login's
// place among the startups, if it was still logging in.
type loginConn struct {
	net.Conn
	login *login
}

func (c *loginConn) Close() error {
	c.login.release()
	return c.Conn.Close()
}

// accept is the server's ConnCallback: it closes at once (nil) a
// connection from an address with too many failed logins or too many
// connections logging in, or beyond the limit in all; else it counts the
// connection among the startups until it logs in or closes.
func (d *door) accept(ctx ssh.Context, c net.Conn) net.Conn {
	addr := host(c.RemoteAddr())
	if d.fails.blocked(addr) {
		d.logger.Debug("connection refused: too many failed logins from this address", "remote", addr)
		return nil
	}
	release, why := d.startups.admit(addr)
	switch why {
	case overAddrLimit:
		d.say("startups "+addr, "too many connections logging in from this address; closing more at once",
			"remote", addr, "limit", d.startups.perAddr)
		return nil
	case overTotalLimit:
		d.say("startups", "too many connections logging in: closing more at once", "limit", d.startups.total)
		return nil
	}
	l := &login{addr: addr, release: release, fails: d.fails}
	ctx.SetValue(loginKey{}, l)
	return &loginConn{Conn: c, login: l}
}

// publicKey is the server's public-key check: a key of authorized_keys,
// from an address not at the failed-login limit.
func (d *door) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	addr := host(ctx.RemoteAddr())
	if d.fails.blocked(addr) {
		return false
	}
	if d.ak.Allowed(key) {
		return true
	}
	var ok bool
	if l := loginOf(ctx); l != nil {
		ok = l.refused()
	} else { // not through accept: count it for the address alone
		_, ok = d.fails.failed(addr)
	}
	if !ok {
		d.logger.Warn("too many failed logins: refusing this address for a minute", "remote", addr)
	}
	return false
}

// serverConfig is the server's ServerConfigCallback: it learns when a
// connection has logged in (the login's end; the grace time stops there).
func (d *door) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		AuthLogCallback: func(_ gossh.ConnMetadata, _ string, err error) {
			if l := loginOf(ctx); err == nil && l != nil {
				l.loggedIn()
			}
		},
	}
}

// failed is the server's ConnectionFailedCallback: it logs connections
// closed because their login grace time was over.
func (d *door) failed(c net.Conn, err error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		addr := host(c.RemoteAddr())
		d.say("grace "+addr, "login grace time over: connection closed", "remote", addr, "grace", d.grace)
	}
}

// say logs msg at most once a minute per key, with the number of lines
// held back since the last one.
func (d *door) say(key, msg string, kv ...any) {
	ok, held := d.quiet.allow(key)
	if !ok {
		return
	}
	if held > 0 {
		kv = append(kv, "more_since_last_line", held)
	}
	d.logger.Warn(msg, kv...)
}
