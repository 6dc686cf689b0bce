package sshd

import (
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"

	"pistream/tui"
)

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

// requireTerminal ends a session that has no terminal (a command given,
// as in "ssh pi.local -p 2222 ls", or ssh -T) with one line saying what
// this is and how to reach it, and exit status 1.
func requireTerminal(next ssh.Handler) ssh.Handler {
	return func(s ssh.Session) {
		if _, _, ok := s.Pty(); ok {
			next(s)
			return
		}
		wish.Fatalln(s, "pistream: this is pistream's control TUI; it needs a terminal and runs no commands. Connect without a command, or with ssh -t")
	}
}

type modelKey struct{}

// ender is a model that says why its session ended, when the user did not
// end it; tui's root model is one.
type ender interface{ EndReason() string }

// sessionModel makes the TUI model of one SSH session and keeps it in the
// session's context for farewell.
func sessionModel(app *tui.App, s ssh.Session, idle time.Duration) (tea.Model, []tea.ProgramOption) {
	m := app.NewModel(s.Context(), idle)
	s.Context().SetValue(modelKey{}, m)
	return m, nil
}

// farewell tells a user whose session ended for idleness or an internal
// error why, once the TUI has left the screen.
func farewell(next ssh.Handler) ssh.Handler {
	return func(s ssh.Session) {
		if m, ok := s.Context().Value(modelKey{}).(ender); ok {
			if why := m.EndReason(); why != "" {
				wish.Printf(s, "pistream: %s\r\n", why)
			}
		}
		next(s)
	}
}
