package main

// The one way the root tests wait for a state or an event: look again
// every pollEvery until it comes, and fail, saying what never came and what
// was last seen, only after failureGuard. A wait is never a time limit on
// pistream: how fast a thing happens is measured by the benchmarks.

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// failureGuard is how long a test waits for a state or an event before it
// fails: it only stops a hung test. A variable so that TestWaitUntil can
// see the guard fire without waiting a minute.
var failureGuard = 60 * time.Second

// pollEvery is how often waitUntil looks again.
const pollEvery = 20 * time.Millisecond

// waitUntil waits until cond holds, looking every 20 ms, and fails the test
// after failureGuard saying that what never happened.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitSeen(t, what, func() (bool, string) { return cond(), "" })
}

// waitSeen is waitUntil for a cond that also says what it saw: the last it
// saw goes into the failure message.
func waitSeen(t testing.TB, what string, cond func() (ok bool, last string)) {
	t.Helper()
	deadline := time.Now().Add(failureGuard)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if last == "" {
				t.Fatalf("waited %v for %s: it never happened", failureGuard, what)
			}
			t.Fatalf("waited %v for %s: it never happened; last seen:\n%s", failureGuard, what, last)
		}
		time.Sleep(pollEvery)
	}
}

// waitClosed waits until done is closed, failing the test after
// failureGuard saying that what never happened.
func waitClosed(t testing.TB, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(failureGuard):
		t.Fatalf("waited %v for %s: it never happened", failureGuard, what)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as the testing package's does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// waitUntil returns once its condition holds, however many looks that
// takes, and fails, saying what never happened and what was last seen,
// when it never holds: a guard that can fire.
func TestWaitUntil(t *testing.T) {
	defer func(g time.Duration) { failureGuard = g }(failureGuard)
	failureGuard = 300 * time.Millisecond
	for _, tc := range []struct {
		name  string
		holds int // the look at which the condition first holds; -1: never
		last  string
		want  string // in the failure message; "": no failure
	}{
		{"at once", 1, "", ""},
		{"at the fifth look", 5, "", ""},
		{"never", -1, "", "waited 300ms for the thing: it never happened"},
		{"never, saying what it saw", -1, "the screen", "it never happened; last seen:\nthe screen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &fatalRecorder{TB: t}
			looks := 0
			done := make(chan struct{})
			go func() {
				defer close(done)
				waitSeen(r, "the thing", func() (bool, string) {
					looks++
					return looks == tc.holds, tc.last
				})
			}()
			<-done
			switch {
			case tc.want == "" && r.msg != "":
				t.Errorf("failed with %q after %d looks, want a return at look %d", r.msg, looks, tc.holds)
			case tc.want == "" && looks != tc.holds:
				t.Errorf("returned after %d looks, want %d", looks, tc.holds)
			case tc.want != "" && !strings.Contains(r.msg, tc.want):
				t.Errorf("failure %q, want it to say %q", r.msg, tc.want)
			}
		})
	}
}
