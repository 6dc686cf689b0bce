// Package sshd serves pistream's TUI over SSH with wish: one Bubble Tea
// program per session, for the public keys of an authorized_keys file
// only, with a login grace time, limits on connections logging in (per
// remote address and in all), on failed logins per address and on sessions
// at once. It imports pistream/tui; tui knows nothing of SSH.
package sshd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/logging"
	"charm.land/wish/v2/recover"

	"pistream/tui"
)

// Config configures the SSH server of the TUI.
type Config struct {
	AuthorizedKeys string        // the public keys allowed in; re-read when it changes
	HostKeyPath    string        // ed25519 host key, created on first start
	IdleTimeout    time.Duration // close sessions without a key press this long (off Live); 0 for never
	MaxSessions    int           // most sessions at once (default 8)
	FailsPerMinute int           // keys refused per address and minute, forgiven at a login (default 10)
	// LoginGrace closes a connection that has not logged in this long
	// after it was accepted (default 60 s).
	LoginGrace time.Duration
	// MaxStartups and MaxStartupsPerAddr are the most connections logging
	// in (accepted, neither logged in nor closed) at once, in all (default
	// 100) and per remote address (default 10); beyond, a connection is
	// closed at once.
	MaxStartups, MaxStartupsPerAddr int
}

// Defaults of Config.
const (
	DefaultLoginGrace         = 60 * time.Second
	DefaultMaxStartups        = 100
	DefaultMaxStartupsPerAddr = 10
)

// Server runs one TUI program per SSH session.
type Server struct {
	ssh      *ssh.Server
	sessions atomic.Int64 // sessions now, counting the one being refused
}

// New returns the server of app's TUI. Only public keys in
// cfg.AuthorizedKeys get in; passwords and keyboard-interactive are off.
// The host key at cfg.HostKeyPath is created if missing.
func New(app *tui.App, cfg Config) (*Server, error) {
	if err := prepareHostKey(cfg.HostKeyPath, app.Log.WithPrefix("ssh")); err != nil {
		return nil, err
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 8
	}
	if cfg.FailsPerMinute <= 0 {
		cfg.FailsPerMinute = 10
	}
	if cfg.LoginGrace <= 0 {
		cfg.LoginGrace = DefaultLoginGrace
	}
	if cfg.MaxStartups <= 0 {
		cfg.MaxStartups = DefaultMaxStartups
	}
	if cfg.MaxStartupsPerAddr <= 0 {
		cfg.MaxStartupsPerAddr = DefaultMaxStartupsPerAddr
	}
	logger := app.Log.WithPrefix("ssh")
	d := &door{
		fails:    newLoginFails(cfg.FailsPerMinute),
		startups: newStartups(cfg.MaxStartupsPerAddr, cfg.MaxStartups),
		grace:    cfg.LoginGrace,
		ak:       newAuthorizedKeys(cfg.AuthorizedKeys, logger),
		quiet:    newQuietLog(time.Minute),
		logger:   logger,
	}
	s := &Server{}
	srv, err := wish.NewServer(
		wish.WithHostKeyPath(cfg.HostKeyPath),
		wish.WithPublicKeyAuth(d.publicKey),
		func(s *ssh.Server) error {
			s.ConnCallback = d.accept
			s.ServerConfigCallback = d.serverConfig
			s.ConnectionFailedCallback = d.failed
			// The handshake deadline covers the key exchange and the
			// login, and is lifted once logged in: the login grace time.
			s.HandshakeTimeout = cfg.LoginGrace
			s.ChannelHandlers = map[string]ssh.ChannelHandler{
				"session": refuseAgentForwarding(ssh.DefaultSessionHandler, logger),
			}
			return nil
		},
		// The session's own idle check (key presses) closes it politely;
		// this one, later, closes connections whose client is gone.
		wish.WithIdleTimeout(connIdle(cfg.IdleTimeout)),
		wish.WithMiddleware( // the last runs first
			recover.MiddlewareWithLogger(logger,
				farewell,
				bubbletea.Middleware(func(sess ssh.Session) (tea.Model, []tea.ProgramOption) {
					return sessionModel(app, sess, cfg.IdleTimeout)
				}),
				requireTerminal,
			),
			limitSessions(&s.sessions, cfg.MaxSessions),
			logging.StructuredMiddlewareWithLogger(logger, log.InfoLevel),
			requireAuthorizedKey(d.ak),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	if err := checkHostKey(cfg.HostKeyPath, logger); err != nil {
		return nil, err
	}
	s.ssh = srv
	return s, nil
}

// Serve accepts connections on ln until the server is closed (then it
// returns nil) or ln fails.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.ssh.Serve(ln); err != nil && !errors.Is(err, ssh.ErrServerClosed) {
		return fmt.Errorf("ssh serve %s: %w", ln.Addr(), err)
	}
	return nil
}

// Close stops accepting and closes every connection, which ends every
// session's program.
func (s *Server) Close() error {
	if err := s.ssh.Close(); err != nil {
		return fmt.Errorf("ssh close: %w", err)
	}
	return nil
}

// Shutdown stops accepting and waits for the sessions to end, until ctx
// ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.ssh.Shutdown(ctx); err != nil {
		return fmt.Errorf("ssh shutdown: %w", err)
	}
	return nil
}

// Sessions is the number of SSH sessions now; it fits tui.App.Sessions.
func (s *Server) Sessions() int { return int(s.sessions.Load()) }
