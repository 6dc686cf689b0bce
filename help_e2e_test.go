package main

import (
	"strings"
	"testing"
)

// helpLine waits until the screen's last line, the help, satisfies ok, and
// returns it; it fails saying what it wanted if that never comes.
func (s *screen) helpLine(what string, ok func(string) bool) string {
	s.t.Helper()
	var line string
	waitSeen(s.t, "the help to have "+what, func() (bool, string) {
		txt := strings.TrimRight(s.text(), "\n")
		line = strings.TrimSpace(txt[strings.LastIndex(txt, "\n")+1:])
		return ok(line), txt
	})
	return line
}

// TestHelpShowsKeysThatAct: the help line lists the keys that act now: the
// y/n question's and the filter's own keys while they take every key, and
// ? and q, whole, at 80 columns.
func TestHelpShowsKeysThatAct(t *testing.T) {
	e := startTUI(t, nil)
	s := e.open(t)
	s.resize(80, 24)
	s.press("s")
	s.waitFor("Saved ")
	has := func(all ...string) func(string) bool {
		return func(line string) bool {
			for _, want := range all {
				if !strings.Contains(line, want) {
					return false
				}
			}
			return true
		}
	}
	for _, step := range []struct {
		keys, wait string
		want, not  []string
	}{
		{"", "", []string{"? help", "q quit"}, nil},
		{"2", "1 photo", []string{"? help", "q quit", "d delete"}, nil},
		{"d", "? y/n", []string{"y yes", "n/esc no"}, []string{"snapshot", "? help", "q quit", "enter", "filter"}},
		{"n", "", []string{"? help", "q quit"}, nil},
		{"/", "Filter:", []string{"enter apply filter", "esc cancel filter"}, []string{"enter open", "d delete", "snapshot", "q quit"}},
		{"\x1b", "", []string{"? help", "q quit"}, nil},
	} {
		s.press(step.keys)
		if step.wait != "" {
			s.waitFor(step.wait)
		}
		line := s.helpLine("showed "+strings.Join(step.want, ", ")+" after "+step.keys, has(step.want...))
		for _, not := range step.not {
			if strings.Contains(line, not) {
				t.Errorf("after %q the help lists %q, which does nothing now: %s", step.keys, not, line)
			}
		}
	}
}
