package tui

import (
	"fmt"
	"pistream/internal/termtext"
	"reflect"
	"runtime/debug"

	tea "charm.land/bubbletea/v2"
)

// crash records and logs a panic of this session's program, with the
// stack where it happened. The first panic is the one the user is told.
func (r *root) crash(p any, stack []byte) {
	if r.crashed == "" {
		r.crashed = fmt.Sprint(p)
	}
	r.env.app.Log.Error("a session's TUI panicked; that session is closed", "panic", fmt.Sprint(p), "stack", string(stack))
}

// EndReason says why the session ended when the user did not end it: it
// was idle too long, or its program panicked. It is empty otherwise. Read
// it once the program has returned.
func (r *root) EndReason() string {
	switch {
	case r.crashed != "":
		return fmt.Sprintf("this session hit an internal error and was closed (%s); other sessions go on", termtext.SanitizeName(r.crashed))
	case r.idled:
		return fmt.Sprintf("session closed after %v without a key press away from Live", r.idle)
	}
	return ""
}

// commandPanicMsg reports a panic inside one of the session's commands,
// with the stack where it happened; Update ends the session for it.
type commandPanicMsg struct {
	value any
	stack []byte
}

// guard wraps cmd so that a panic inside it ends only this session, as a
// panic in Update does, instead of reaching Bubble Tea, which prints it on
// the process's stderr and kills the program: the command returns a
// commandPanicMsg instead. The commands cmd returns in a batch or a
// sequence are guarded in turn, so guarding what leaves Init and Update
// guards every command of the session.
func guard(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if p := recover(); p != nil {
				msg = commandPanicMsg{value: p, stack: debug.Stack()}
			}
		}()
		return guardInner(cmd())
	}
}

var cmdType = reflect.TypeFor[tea.Cmd]()

// guardInner guards the commands msg carries when it is a list of commands
// to run: tea.BatchMsg, or Bubble Tea's unexported sequence (also a
// []tea.Cmd, hence reflection). Any other message is returned as it is.
func guardInner(msg tea.Msg) tea.Msg {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != cmdType {
		return msg
	}
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	for i := range v.Len() {
		out.Index(i).Set(reflect.ValueOf(guard(v.Index(i).Interface().(tea.Cmd))))
	}
	return out.Interface()
}
