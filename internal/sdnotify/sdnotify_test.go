package sdnotify

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"charm.land/log/v2"

	"pistream/internal/notifytest"
)

// guard is how long a test waits for an event before it fails.
const guard = 30 * time.Second

// listen is a notify socket as systemd's, named by NOTIFY_SOCKET for the
// test; next returns its messages one by one as they come.
func listen(t *testing.T) (sock *notifytest.Socket, next func() string) {
	t.Helper()
	sock = notifytest.Listen(t)
	t.Setenv("NOTIFY_SOCKET", sock.Path)
	i := 0
	return sock, func() string {
		t.Helper()
		i++
		return sock.Nth(t, i-1).Text
	}
}

// run runs Run for s until the test ends or stop is called.
func run(t *testing.T, s Service) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); Run(ctx, s) }()
	stop = sync.OnceFunc(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(guard):
			t.Error("Run did not return after its context ended")
		}
	})
	t.Cleanup(stop)
	return stop
}

// Without NOTIFY_SOCKET, Run returns at once and sends nothing.
func TestRunWithoutSocketDoesNothing(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	done := make(chan struct{})
	go func() { defer close(done); Run(context.Background(), Service{Ready: make(chan struct{})}) }()
	select {
	case <-done:
	case <-time.After(guard):
		t.Fatal("Run waited although systemd does not listen")
	}
}

// READY=1 waits for Ready and carries the status; a changed status is
// sent; STOPPING=1 ends it. Without WATCHDOG_USEC nothing is pinged.
func TestReadyStatusStopping(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "")
	sock, next := listen(t)
	ready := make(chan struct{})
	var status atomic.Value
	status.Store("camera starting")
	stop := run(t, Service{
		Ready:   ready,
		Healthy: func(time.Duration) bool { t.Error("Healthy called without a watchdog"); return true },
		Status:  func() string { return status.Load().(string) },
		Log:     log.New(&strings.Builder{}),
	})
	time.Sleep(100 * time.Millisecond) // no event to wait for: a short look
	if ms := sock.Messages(); len(ms) > 0 {
		t.Fatalf("%q sent before the service was ready", ms[0].Text)
	}
	status.Store("camera streaming")
	close(ready)
	if m := next(); m != "READY=1\nSTATUS=camera streaming" {
		t.Fatalf("first message %q, want READY=1 with the status", m)
	}
	status.Store("camera reconnecting")
	if m := next(); m != "STATUS=camera reconnecting" {
		t.Fatalf("after a change: %q, want the new status", m)
	}
	stop()
	if m := next(); m != "STOPPING=1" {
		t.Fatalf("at the stop: %q, want STOPPING=1", m)
	}
}

// WATCHDOG=1 comes every half WATCHDOG_USEC while Healthy holds (asked
// about WATCHDOG_USEC), never while it does not, and again once it holds
// again; each change is logged once.
func TestWatchdogOnlyWhileHealthy(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "200000")
	t.Setenv("WATCHDOG_PID", "")
	sock, next := listen(t)
	mark := func(m string) { // a marker in the stream of messages
		c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock.Path, Net: "unixgram"})
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		c.Write([]byte(m))
	}
	var healthy atomic.Bool
	healthy.Store(true)
	sick := make(chan struct{}, 100) // one per Healthy call that said no
	var sickCalls atomic.Int64
	ready := make(chan struct{})
	close(ready)
	logs := &strings.Builder{} // read once Run has returned
	stop := run(t, Service{
		Ready: ready,
		Healthy: func(d time.Duration) bool {
			if d != 200*time.Millisecond {
				t.Errorf("Healthy(%v), want the watchdog's 200ms", d)
			}
			if healthy.Load() {
				return true
			}
			if sickCalls.Add(1) == 1 {
				mark("SICK")
			}
			sick <- struct{}{}
			return false
		},
		Log: log.New(logs),
	})
	if m := next(); m != "READY=1" {
		t.Fatalf("first message %q, want READY=1", m)
	}
	for range 3 {
		if m := next(); m != "WATCHDOG=1" {
			t.Fatalf("while healthy: %q, want WATCHDOG=1", m)
		}
	}
	healthy.Store(false)
	for m := ""; m != "SICK"; {
		if m = next(); m != "SICK" && m != "WATCHDOG=1" {
			t.Fatalf("unexpected %q", m)
		}
	}
	for range 3 { // three pings due, none sent
		select {
		case <-sick:
		case <-time.After(guard):
			t.Fatal("Healthy is no longer asked")
		}
	}
	mark("WELL")
	healthy.Store(true)
	if m := next(); m != "WELL" {
		t.Fatalf("%q while not healthy, want nothing", m)
	}
	if m := next(); m != "WATCHDOG=1" {
		t.Fatalf("healthy again: %q, want WATCHDOG=1", m)
	}
	stop()
	for _, want := range []string{"no progress", "healthy again"} {
		if n := strings.Count(logs.String(), want); n != 1 {
			t.Errorf("log says %q %d times, want once:\n%s", want, n, logs.String())
		}
	}
}
