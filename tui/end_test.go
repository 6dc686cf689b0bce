package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
)

// panickyScreen is a screen whose commands for a key press panic, deep in
// nested batches as screens' commands run.
type panickyScreen struct{ countingScreen }

func (p *panickyScreen) update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(tea.KeyPressMsg); !ok {
		return nil
	}
	fine := func() tea.Msg { return nil }
	return tea.Batch(fine, tea.Batch(fine, func() tea.Msg { panic("boom in a command") }))
}

// A panic inside a command a screen returned ends the session as a panic in
// Update does: logged with the stack where it happened, the session told
// why, and the program quits (here, in-process, the test survives it).
func TestCommandPanicEndsSession(t *testing.T) {
	app, _, _ := newTestApp(t)
	var logs bytes.Buffer
	app.Log = log.New(&logs)
	d := newDriver(t, app)
	r := d.m.(*root)
	r.screens[screenLive] = &panickyScreen{}
	if why := r.EndReason(); why != "" {
		t.Fatalf("EndReason %q before anything ended the session", why)
	}
	d.key("x")
	if why := r.EndReason(); !strings.Contains(why, "boom in a command") {
		t.Errorf("EndReason %q does not tell the panic", why)
	}
	if l := logs.String(); !strings.Contains(l, "boom in a command") || !strings.Contains(l, "panickyScreen") {
		t.Errorf("the panic was not logged with the stack where it happened:\n%s", l)
	}
}

// The reason a session ended for idleness names the timeout.
func TestEndReasonIdle(t *testing.T) {
	app, _, _ := newTestApp(t)
	r := newRoot(t.Context(), app, time.Minute)
	r.env.shown = screenPhotos // time on Live does not count
	r.lastInput = time.Now().Add(-2 * time.Minute)
	m, cmd := r.Update(tickMsg(time.Now()))
	if cmd == nil {
		t.Fatal("an idle session did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("an idle session did not quit")
	}
	if why := m.(*root).EndReason(); why != "session closed after 1m0s without a key press away from Live" {
		t.Errorf("EndReason %q", why)
	}
}
