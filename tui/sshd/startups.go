package sshd

import (
	"sync"
	"time"
)

// startups counts the connections that are logging in (accepted, neither
// logged in nor closed yet), per remote address and in all, and refuses
// one more beyond either limit, as OpenSSH's PerSourceMaxStartups and
// MaxStartups do. Connections that have closed or logged in do not count.
type startups struct {
	perAddr, total int

	mu    sync.Mutex
	n     int
	addrs map[string]int // only addresses with connections logging in
}

// startupRefusal says which limit refused a connection.
type startupRefusal int

const (
	admitted startupRefusal = iota
	overAddrLimit
	overTotalLimit
)

func newStartups(perAddr, total int) *startups {
	return &startups{perAddr: perAddr, total: total, addrs: map[string]int{}}
}

// admit counts a new connection from addr and returns the function that
// uncounts it (once, however often it is called), or says which limit
// refused it.
func (s *startups) admit(addr string) (release func(), why startupRefusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.addrs[addr] >= s.perAddr:
		return nil, overAddrLimit
	case s.n >= s.total:
		return nil, overTotalLimit
	}
	s.addrs[addr]++
	s.n++
	var once sync.Once
	return func() { once.Do(func() { s.leave(addr) }) }, admitted
}

func (s *startups) leave(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n--
	if s.addrs[addr]--; s.addrs[addr] <= 0 {
		delete(s.addrs, addr)
	}
}

// quietLog lets a line about an event through at most once a period per
// key (an address, a limit), and counts the ones it held back, so that a
// flood of connections makes one line a minute, not one per connection.
type quietLog struct {
	every time.Duration
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*quietKey
}

type quietKey struct {
	said time.Time // when a line last went through
	held int       // lines held back since
}

func newQuietLog(every time.Duration) *quietLog {
	return &quietLog{every: every, now: time.Now, keys: map[string]*quietKey{}}
}

// allow reports whether a line about key may go out now and, if so, how
// many were held back since the last one.
func (q *quietLog) allow(key string) (ok bool, held int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	if len(q.keys) > 10000 { // forget quiet keys rather than grow
		for k, e := range q.keys {
			if now.Sub(e.said) >= q.every {
				delete(q.keys, k)
			}
		}
	}
	e := q.keys[key]
	if e == nil {
		q.keys[key] = &quietKey{said: now}
		return true, 0
	}
	if now.Sub(e.said) < q.every {
		e.held++
		return false, 0
	}
	held = e.held
	e.said, e.held = now, 0
	return true, held
}
