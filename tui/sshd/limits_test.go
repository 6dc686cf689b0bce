package sshd

import (
	"testing"
	"time"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock      { return &fakeClock{t: time.Unix(1e9, 0)} }
func (c *fakeClock) now() time.Time { return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.t = c.t.Add(d)
}

// Connections logging in are capped per address and in all; a released
// place (closed or logged in) is free again, and releasing twice frees it
// once.
func TestStartups(t *testing.T) {
	type step struct {
		op   string // "admit" an address, "release" the nth admitted, "release again"
		addr string
		n    int
		want startupRefusal
	}
	for _, tc := range []struct {
		name           string
		perAddr, total int
		steps          []step
	}{
		{"per address", 2, 10, []step{
			{op: "admit", addr: "a", want: admitted},
			{op: "admit", addr: "a", want: admitted},
			{op: "admit", addr: "a", want: overAddrLimit},
			{op: "admit", addr: "b", want: admitted},
			{op: "release", n: 0},
			{op: "admit", addr: "a", want: admitted},
			{op: "admit", addr: "a", want: overAddrLimit},
		}},
		{"in all", 5, 3, []step{
			{op: "admit", addr: "a", want: admitted},
			{op: "admit", addr: "b", want: admitted},
			{op: "admit", addr: "c", want: admitted},
			{op: "admit", addr: "d", want: overTotalLimit},
			{op: "release", n: 1},
			{op: "admit", addr: "d", want: admitted},
			{op: "admit", addr: "e", want: overTotalLimit},
		}},
		{"released twice frees one place", 1, 2, []step{
			{op: "admit", addr: "a", want: admitted},
			{op: "admit", addr: "b", want: admitted},
			{op: "release", n: 0},
			{op: "release", n: 0},
			{op: "admit", addr: "a", want: admitted},
			{op: "admit", addr: "c", want: overTotalLimit},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStartups(tc.perAddr, tc.total)
			var releases []func()
			for i, st := range tc.steps {
				switch st.op {
				case "admit":
					release, why := s.admit(st.addr)
					if why != st.want {
						t.Fatalf("step %d: admit %s: %v, want %v", i, st.addr, why, st.want)
					}
					if why == admitted {
						releases = append(releases, release)
					}
				case "release":
					releases[st.n]()
				}
			}
		})
	}
	s := newStartups(1, 1)
	release, _ := s.admit("a")
	release()
	if s.n != 0 || len(s.addrs) != 0 {
		t.Errorf("after every release: %d counted, %d addresses kept", s.n, len(s.addrs))
	}
}

// Refused keys count against the address for a minute; those of a
// connection that then logs in are forgiven, unless they fell in an
// earlier minute (then they are gone anyway).
func TestLoginFails(t *testing.T) {
	for _, tc := range []struct {
		name        string
		refused     []int // refused keys on each connection
		loggedIn    []bool
		pause       time.Duration // before the last connection
		wantBlocked bool
	}{
		{"guesser", []int{4, 4, 4}, []bool{false, false, false}, 0, true},
		{"agent with other keys", []int{3, 3, 3, 3, 3}, []bool{true, true, true, true, true}, 0, false},
		{"guesses, then the owner", []int{4, 4, 3}, []bool{false, false, true}, 0, false},
		{"guesses, then more after the minute", []int{9, 9}, []bool{false, false}, 61 * time.Second, false},
		{"the owner after the minute", []int{9, 2, 9}, []bool{false, true, false}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			f := newLoginFails(10)
			f.now = clock.now
			for i, n := range tc.refused {
				if i == len(tc.refused)-1 {
					clock.add(tc.pause)
				}
				l := &login{addr: "a", release: func() {}, fails: f}
				for range n {
					l.refused()
					clock.add(time.Second)
				}
				if tc.loggedIn[i] {
					l.loggedIn()
				}
			}
			if got := f.blocked("a"); got != tc.wantBlocked {
				t.Errorf("blocked: %v, want %v", got, tc.wantBlocked)
			}
			if f.blocked("b") {
				t.Error("another address is blocked")
			}
		})
	}
}

// A line about a key goes out once a minute, with the number held back.
func TestQuietLog(t *testing.T) {
	clock := newFakeClock()
	q := newQuietLog(time.Minute)
	q.now = clock.now
	type want struct {
		ok   bool
		held int
	}
	for i, st := range []struct {
		after time.Duration
		key   string
		want
	}{
		{0, "a", want{true, 0}},
		{time.Second, "a", want{false, 0}},
		{time.Second, "b", want{true, 0}},
		{time.Second, "a", want{false, 0}},
		{time.Second, "a", want{false, 0}},
		{time.Minute, "a", want{true, 3}},
		{time.Second, "a", want{false, 0}},
		{2 * time.Minute, "a", want{true, 1}},
	} {
		clock.add(st.after)
		ok, held := q.allow(st.key)
		if (want{ok, held}) != st.want {
			t.Errorf("line %d (%s): %v %d, want %v", i, st.key, ok, held, st.want)
		}
	}
}
