package tui

import (
	"fmt"
	"runtime/debug"

	"pistream/notes"
)

// crash records and logs a panic of this session's program.
func (r *root) crash(p any) {
	r.crashed = fmt.Sprint(p)
	r.env.app.Log.Error("a session's TUI panicked; that session is closed", "panic", r.crashed, "stack", string(debug.Stack()))
}

// EndReason says why the session ended when the user did not end it: it
// was idle too long, or its program panicked. It is empty otherwise. Read
// it once the program has returned.
func (r *root) EndReason() string {
	switch {
	case r.crashed != "":
		return fmt.Sprintf("this session hit an internal error and was closed (%s); other sessions go on", notes.SanitizeName(r.crashed))
	case r.idled:
		return fmt.Sprintf("session closed after %v without a key press", r.idle)
	}
	return ""
}
