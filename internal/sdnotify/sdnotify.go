// Package sdnotify tells systemd how pistream is doing, through the
// sd_notify protocol (github.com/coreos/go-systemd/v22/daemon): READY=1
// once it is up, STATUS= lines as they change, WATCHDOG=1 every half
// WATCHDOG_USEC while a health check passes, and STOPPING=1 when it stops.
// Without NOTIFY_SOCKET (not started by systemd as Type=notify) it does
// nothing.
package sdnotify

import (
	"context"
	"os"
	"time"

	"charm.land/log/v2"
	"github.com/coreos/go-systemd/v22/daemon"
)

// Service is what Run reports on.
type Service struct {
	// Ready is closed when the service is up.
	Ready <-chan struct{}
	// Healthy reports whether the service made progress within the last
	// d; systemd's watchdog is fed only while it does.
	Healthy func(d time.Duration) bool
	// Status is one line for `systemctl status`; nil or "" sends none.
	Status func() string
	Log    *log.Logger
}

// statusEvery is how often Run looks for a new status line.
const statusEvery = time.Second

// Run reports s to systemd until ctx ends: READY=1 (with the first
// STATUS=) once s.Ready is closed; then STATUS= when the line changes and,
// when systemd asks for it (WATCHDOG_USEC), WATCHDOG=1 every half interval
// while s.Healthy(interval) holds; STOPPING=1 when ctx ends. Pings that
// stop and start again are logged, one line each. It returns at once when
// NOTIFY_SOCKET is not set.
func Run(ctx context.Context, s Service) {
	if os.Getenv("NOTIFY_SOCKET") == "" {
		return
	}
	n := &notifier{log: s.Log.WithPrefix("systemd")}
	interval, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		n.log.Warn("no watchdog pings: WATCHDOG_USEC is not understood", "err", err)
		interval = 0
	}
	select {
	case <-s.Ready:
	case <-ctx.Done():
		n.send(daemon.SdNotifyStopping)
		return
	}
	status := s.status()
	n.send(daemon.SdNotifyReady + statusLine(status))

	var ping <-chan time.Time
	healthy := true
	if interval > 0 {
		t := time.NewTicker(interval / 2)
		defer t.Stop()
		ping = t.C
	}
	check := time.NewTicker(statusEvery)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			n.send(daemon.SdNotifyStopping)
			return
		case <-check.C:
			if now := s.status(); now != status && now != "" {
				status = now
				n.send("STATUS=" + status)
			}
		case <-ping:
			ok := s.Healthy(interval)
			switch {
			case ok && !healthy:
				n.log.Info("healthy again: feeding the watchdog")
			case !ok && healthy:
				n.log.Warn("no progress: the watchdog is no longer fed, systemd restarts pistream unless it recovers", "within", interval)
			}
			if healthy = ok; ok {
				n.send(daemon.SdNotifyWatchdog)
			}
		}
	}
}

func (s Service) status() string {
	if s.Status == nil {
		return ""
	}
	return s.Status()
}

// statusLine is "\nSTATUS=status" to follow another message, or "" for
// no status.
func statusLine(status string) string {
	if status == "" {
		return ""
	}
	return "\nSTATUS=" + status
}

// notifier sends to NOTIFY_SOCKET and logs its failures once, until a
// message gets through again.
type notifier struct {
	log     *log.Logger
	failing bool
}

func (n *notifier) send(msg string) {
	_, err := daemon.SdNotify(false, msg)
	switch {
	case err != nil && !n.failing:
		n.log.Warn("cannot notify systemd", "socket", os.Getenv("NOTIFY_SOCKET"), "err", err)
	case err == nil && n.failing:
		n.log.Info("notifying systemd again")
	}
	n.failing = err != nil
}
