package httpstream

import (
	"net"
	"sync"
	"time"
)

// Wrong tokens: after limit (Config.GuessLimit, default DefaultGuessLimit)
// from one address within guessWindow, that address is refused (429) until
// the window has passed. Other addresses, and so the right token from
// elsewhere, are not slowed.
const (
	DefaultGuessLimit = 30
	guessWindow       = time.Minute
)

// guesses counts wrong tokens per address.
type guesses struct {
	limit int // < 0: no limit
	mu    sync.Mutex
	by    map[string]*guessCount
	now   func() time.Time
	last  time.Time // of the last sweep of old entries
}

type guessCount struct {
	n     int
	since time.Time
}

// blocked reports whether addr made too many wrong guesses lately.
func (g *guesses) blocked(addr string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.by[host(addr)]
	return g.limit >= 0 && c != nil && c.n >= g.limit && g.now().Sub(c.since) < guessWindow
}

// wrong counts a wrong token from addr; it reports true when that makes
// the address blocked (once, for the log).
func (g *guesses) wrong(addr string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if g.by == nil {
		g.by = map[string]*guessCount{}
	}
	if now.Sub(g.last) > guessWindow { // forget old addresses: memory stays bounded by a minute's traffic
		for k, c := range g.by {
			if now.Sub(c.since) >= guessWindow {
				delete(g.by, k)
			}
		}
		g.last = now
	}
	h := host(addr)
	c := g.by[h]
	if c == nil || now.Sub(c.since) >= guessWindow {
		c = &guessCount{since: now}
		g.by[h] = c
	}
	c.n++
	return c.n == g.limit
}

func host(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
