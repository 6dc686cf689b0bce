package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/logging"
	"charm.land/wish/v2/recover"
)

// SSHConfig configures the SSH server of the TUI.
type SSHConfig struct {
	Addr           string        // listen address, e.g. ":2222"
	AuthorizedKeys string        // the public keys allowed in; re-read when it changes
	HostKeyPath    string        // ed25519 host key, created on first start
	IdleTimeout    time.Duration // close sessions idle this long; 0 for never
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
	ak := newAuthorizedKeys(cfg.AuthorizedKeys, app.Log.WithPrefix("ssh"))
	logger := app.Log.WithPrefix("ssh")
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithHostKeyPath(cfg.HostKeyPath),
		wish.WithPublicKeyAuth(func(_ ssh.Context, key ssh.PublicKey) bool { return ak.Allowed(key) }),
		wish.WithIdleTimeout(cfg.IdleTimeout),
		wish.WithMiddleware( // the last runs first
			recover.MiddlewareWithLogger(logger,
				bubbletea.Middleware(app.sessionHandler),
				activeterm.Middleware(),
			),
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

// sessionHandler makes the TUI model of one SSH session.
func (a *App) sessionHandler(s ssh.Session) (tea.Model, []tea.ProgramOption) {
	a.sessions.Add(1)
	go func() { <-s.Context().Done(); a.sessions.Add(-1) }()
	return a.NewModel(s.Context()), nil
}
