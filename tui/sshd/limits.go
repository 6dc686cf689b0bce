package sshd

import (
	"net"
	"sync"
	"time"
)

// addrLimiter limits, per remote address and per minute, new SSH
// connections and failed authentications. An address over either limit has
// its connections closed before the SSH handshake until the minute is over.
type addrLimiter struct {
	maxConns, maxFails int
	window             time.Duration
	now                func() time.Time

	mu    sync.Mutex
	addrs map[string]*addrCount
}

type addrCount struct {
	start        time.Time
	conns, fails int
}

func newAddrLimiter(maxConns, maxFails int) *addrLimiter {
	return &addrLimiter{maxConns: maxConns, maxFails: maxFails, window: time.Minute, now: time.Now, addrs: map[string]*addrCount{}}
}

// host is the address without its port: one client, whatever its ports.
func host(a net.Addr) string {
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// count returns the counters of addr for the current window.
func (l *addrLimiter) count(addr string) *addrCount {
	now := l.now()
	if len(l.addrs) > 10000 { // forget old windows rather than grow
		for k, c := range l.addrs {
			if now.Sub(c.start) > l.window {
				delete(l.addrs, k)
			}
		}
	}
	c := l.addrs[addr]
	if c == nil || now.Sub(c.start) > l.window {
		c = &addrCount{start: now}
		l.addrs[addr] = c
	}
	return c
}

// allowConn records a new connection from addr and reports whether it may
// go on.
func (l *addrLimiter) allowConn(addr net.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.count(host(addr))
	c.conns++
	return c.conns <= l.maxConns && c.fails < l.maxFails
}

// failed records a failed authentication from addr and reports whether
// addr may still try.
func (l *addrLimiter) failed(addr net.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.count(host(addr))
	c.fails++
	return c.fails < l.maxFails
}

// blocked reports whether addr is over a limit now.
func (l *addrLimiter) blocked(addr net.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.count(host(addr))
	return c.conns > l.maxConns || c.fails >= l.maxFails
}
