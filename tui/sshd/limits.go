package sshd

import (
	"net"
	"sync"
	"time"
)

// loginFails counts, per remote address and minute, the keys refused to
// connections that have not logged in. An address at the limit has its
// connections closed before the SSH handshake, and every key it offers
// refused, until the minute is over. The keys refused to a connection that
// then logs in are forgiven: a client whose agent offers other keys before
// the right one is not guessing, and its own earlier logins never lock it
// out.
type loginFails struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	addrs map[string]*failWindow
}

// failWindow is an address's count of refused keys in the minute from
// start.
type failWindow struct {
	start time.Time
	fails int
}

func newLoginFails(max int) *loginFails {
	return &loginFails{max: max, window: time.Minute, now: time.Now, addrs: map[string]*failWindow{}}
}

// host is the address without its port: one client, whatever its ports.
func host(a net.Addr) string {
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// current returns the window of addr now.
func (l *loginFails) current(addr string) *failWindow {
	now := l.now()
	if len(l.addrs) > 10000 { // forget old windows rather than grow
		for k, w := range l.addrs {
			if now.Sub(w.start) > l.window {
				delete(l.addrs, k)
			}
		}
	}
	w := l.addrs[addr]
	if w == nil || now.Sub(w.start) > l.window {
		w = &failWindow{start: now}
		l.addrs[addr] = w
	}
	return w
}

// failed records a key refused to addr and returns the start of the window
// it counts in and whether addr may still try.
func (l *loginFails) failed(addr string) (window time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.current(addr)
	w.fails++
	return w.start, w.fails < l.max
}

// forgive takes back n refused keys that counted in addr's window starting
// at window, if that window is still the current one.
func (l *loginFails) forgive(addr string, window time.Time, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.current(addr); w.start.Equal(window) {
		w.fails = max(w.fails-n, 0)
	}
}

// blocked reports whether addr is at the limit now.
func (l *loginFails) blocked(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current(addr).fails >= l.max
}
