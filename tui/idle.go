package tui

import (
	"fmt"
	"time"
)

// idleWarning is how long before closing an idle session the session is
// warned: a minute, or half the idle time when that is shorter.
func idleWarning(idle time.Duration) time.Duration { return min(time.Minute, idle/2) }

// checkIdle, at each tick, reports whether the session has been idle too
// long: r.idle without a key press. Time on Live does not count: a
// session there is being watched. A session near its end is warned in the
// status bar, until a key is pressed.
func (r *root) checkIdle(now time.Time) bool {
	if r.idle <= 0 {
		return false
	}
	if r.env.shown == screenLive {
		r.lastInput = now
		r.clearIdleWarning()
		return false
	}
	left := r.idle - now.Sub(r.lastInput)
	if left <= 0 {
		r.idled = true
		return true
	}
	if left <= idleWarning(r.idle) && r.idleWarned == "" {
		r.setStatus(fmt.Sprintf("No key pressed for %v: this session closes in %v unless you press a key",
			(r.idle-left).Round(time.Second), left.Round(time.Second)), true)
		r.idleWarned = r.status
	}
	return false
}

// clearIdleWarning takes the idle warning off the status bar, if it is
// still there.
func (r *root) clearIdleWarning() {
	if r.idleWarned != "" && r.status == r.idleWarned {
		r.setStatus("", false)
	}
	r.idleWarned = ""
}
