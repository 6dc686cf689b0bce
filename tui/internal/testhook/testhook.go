// Package testhook lets the tests of the TUI and of its SSH server make one
// session's program panic, to prove that the panic ends only that session.
// Nothing sets these hooks but tests; the package is internal to tui, so
// only tui and its subpackages can reach it.
package testhook

import tea "charm.land/bubbletea/v2"

// KeyPress, when set, runs in the root model's Update on every key press.
var KeyPress func(tea.KeyPressMsg)

// Command, when set, runs inside a command the root model issues on every
// key press (nested in a batch and a sequence, as screens' commands are).
var Command func(tea.KeyPressMsg)
