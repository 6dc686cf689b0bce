package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoteReaderKeys: an open note reads as in less: space pages down
// (no photo taken), g/G and home/end go to the top and the bottom, the
// mouse wheel scrolls, and the position is shown.
func TestNoteReaderKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Long note\n\n")
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&b, "Paragraph number %03d.\n\n", i)
	}
	e := startTUI(t, map[string]string{"long.md": b.String()})
	s := e.open(t)
	s.press("3")
	s.waitFor("Long note")
	s.press("\r")
	s.waitFor("Paragraph number 001")
	pos := regexp.MustCompile(`lines (\d+)–(\d+) of (\d+) · (\d+)%`)
	position := func() []string {
		m := pos.FindStringSubmatch(s.text())
		if m == nil {
			t.Fatalf("no position shown:\n%s", s.text())
		}
		return m
	}
	// until is the screen once cond holds for it.
	until := func(what string, cond func(string) bool) string {
		t.Helper()
		var txt string
		waitSeen(t, what, func() (bool, string) { txt = s.text(); return cond(txt), txt })
		return txt
	}
	if m := position(); m[1] != "1" || m[4] != "0" {
		t.Errorf("at the top the position says %s", m[0])
	}
	s.press(" ")
	until("space paging down", func(txt string) bool {
		return !strings.Contains(txt, "Paragraph number 001") && strings.Contains(txt, "Paragraph number 0")
	})
	if photos := photosIn(t, filepath.Join(e.dir, "photos")); len(photos) != 0 || strings.Contains(s.text(), "Saved ") {
		t.Errorf("space took a photo in the reader: %v", photos)
	}
	for _, step := range []struct{ keys, want, at string }{
		{"G", "Paragraph number 200", "100"},
		{"g", "Paragraph number 001", "0"},
		{"\x1b[F", "Paragraph number 200", "100"}, // end
		{"\x1b[H", "Paragraph number 001", "0"},   // home
	} {
		s.press(step.keys)
		until(fmt.Sprintf("%q showing %s", step.keys, step.want), func(txt string) bool {
			m := pos.FindStringSubmatch(txt)
			return strings.Contains(txt, step.want) && m != nil && m[4] == step.at
		})
	}
	// The wheel, as an xterm reports it with SGR mouse mode: down at 10,10.
	s.press("\x1b[<65;10;10M")
	until("the wheel scrolling down", func(txt string) bool {
		m := pos.FindStringSubmatch(txt)
		return m != nil && m[1] != "1"
	})
	s.helpLine("listed the reader's keys", func(line string) bool {
		return strings.Contains(line, "space/pgdn page down") && strings.Contains(line, "g/home top") &&
			strings.Contains(line, "s snapshot") && !strings.Contains(line, "s/space")
	})
}
