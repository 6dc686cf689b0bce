package tui

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/logging"
	"charm.land/wish/v2/recover"

	"pistream/notes"
)

// SSHConfig configures the SSH server of the TUI.
type SSHConfig struct {
	Addr           string        // listen address, e.g. ":2222"
	AuthorizedKeys string        // the public keys allowed in; re-read when it changes
	HostKeyPath    string        // ed25519 host key, created on first start
	IdleTimeout    time.Duration // close sessions without a key press this long; 0 for never
	MaxSessions    int           // most sessions at once (default 8)
	ConnsPerMinute int           // new connections per address and minute (default 30)
	FailsPerMinute int           // failed authentications per address and minute (default 10)
}

// NewSSHServer returns the wish server that runs one TUI program per SSH
// session. Only public keys in cfg.AuthorizedKeys get in; passwords and
// keyboard-interactive are off.
func NewSSHServer(app *App, cfg SSHConfig) (*ssh.Server, error) {
	// The key's directory must exist before wish generates the key, or it
	// silently runs with a new key on every start.
	if err := os.MkdirAll(filepath.Dir(cfg.HostKeyPath), 0o700); err != nil {
		return nil, fmt.Errorf("ssh host key directory: %w", err)
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 8
	}
	if cfg.ConnsPerMinute <= 0 {
		cfg.ConnsPerMinute = 30
	}
	if cfg.FailsPerMinute <= 0 {
		cfg.FailsPerMinute = 10
	}
	logger := app.Log.WithPrefix("ssh")
	ak := newAuthorizedKeys(cfg.AuthorizedKeys, logger)
	lim := newAddrLimiter(cfg.ConnsPerMinute, cfg.FailsPerMinute)
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithHostKeyPath(cfg.HostKeyPath),
		wish.WithPublicKeyAuth(func(ctx ssh.Context, key ssh.PublicKey) bool {
			if lim.blocked(ctx.RemoteAddr()) {
				return false
			}
			if ak.Allowed(key) {
				return true
			}
			if !lim.failed(ctx.RemoteAddr()) {
				logger.Warn("too many failed logins: refusing this address for a minute", "remote", host(ctx.RemoteAddr()))
			}
			return false
		}),
		func(s *ssh.Server) error {
			s.ConnCallback = func(_ ssh.Context, c net.Conn) net.Conn {
				if !lim.allowConn(c.RemoteAddr()) {
					logger.Debug("connection refused: over the rate limit", "remote", host(c.RemoteAddr()))
					return nil
				}
				return c
			}
			return nil
		},
		// The session's own idle check (key presses) closes it politely;
		// this one, later, closes connections whose client is gone.
		wish.WithIdleTimeout(connIdle(cfg.IdleTimeout)),
		wish.WithMiddleware( // the last runs first
			recover.MiddlewareWithLogger(logger,
				farewell,
				bubbletea.Middleware(func(s ssh.Session) (tea.Model, []tea.ProgramOption) {
					return app.sessionModel(s, cfg.IdleTimeout)
				}),
				activeterm.Middleware(),
			),
			limitSessions(&app.sessions, cfg.MaxSessions),
			logging.StructuredMiddlewareWithLogger(logger, log.InfoLevel),
			requireAuthorizedKey(ak),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	if fi, err := os.Stat(cfg.HostKeyPath); err != nil {
		return nil, fmt.Errorf("ssh host key %s was not created: %w", cfg.HostKeyPath, err)
	} else if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(cfg.HostKeyPath, 0o600); err != nil {
			return nil, fmt.Errorf("ssh host key: %w", err)
		}
	}
	return srv, nil
}

// requireAuthorizedKey checks again, after the handshake, the key the
// session actually authenticated with: the public-key callback may also see
// keys a client offers but does not use (CVE-2024-45337).
func requireAuthorizedKey(ak *authorizedKeys) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(s ssh.Session) {
			if k := s.PublicKey(); k == nil || !ak.Allowed(k) {
				wish.Fatalln(s, "pistream: access denied")
				return
			}
			next(s)
		}
	}
}

// connIdle is the connection-level idle timeout for a session idle
// timeout d: a little later, so the session's own check says goodbye first.
func connIdle(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + 30*time.Second
}

// limitSessions refuses a session beyond max, and counts the others in n.
func limitSessions(n *atomic.Int64, max int) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(s ssh.Session) {
			defer n.Add(-1)
			if n.Add(1) > int64(max) {
				wish.Fatalf(s, "pistream: too many sessions (at most %d at once); try again later\n", max)
				return
			}
			next(s)
		}
	}
}

type modelKey struct{}

// sessionModel makes the TUI model of one SSH session.
func (a *App) sessionModel(s ssh.Session, idle time.Duration) (tea.Model, []tea.ProgramOption) {
	m := newRoot(s.Context(), a, idle)
	s.Context().SetValue(modelKey{}, m)
	return m, nil
}

// farewell tells a user whose session ended for idleness or an internal
// error why, once the TUI has left the screen.
func farewell(next ssh.Handler) ssh.Handler {
	return func(s ssh.Session) {
		if m, ok := s.Context().Value(modelKey{}).(*root); ok {
			switch {
			case m.crashed != "":
				wish.Printf(s, "pistream: this session hit an internal error and was closed (%s); other sessions go on\r\n", notes.SanitizeName(m.crashed))
			case m.idled:
				wish.Printf(s, "pistream: session closed after %v without a key press\r\n", m.idle)
			}
		}
		next(s)
	}
}
