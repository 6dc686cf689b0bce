package main

import (
	"image/color"
	"strings"
	"testing"
)

// TestNoteCodeColoursPerSession: a light terminal's session and then a
// dark one's open the same note; each draws its code block in its own
// style's colours (they were the colours of whichever rendered first:
// colour 235 on the dark terminal, invisible).
func TestNoteCodeColoursPerSession(t *testing.T) {
	e := startTUI(t, map[string]string{
		"code.md": "# Code\n\n```sh\npistream --fps 30\n```\n",
	})
	codeColour := func(bg color.Color) string {
		e.background = bg
		s := e.open(t)
		s.press("3")
		s.waitFor("Code")
		s.press("\r")
		txt := s.waitFor("pistream --fps")
		for y, line := range strings.Split(txt, "\n") {
			if x := strings.Index(line, "pistream --fps"); x >= 0 {
				return s.fg(len([]rune(line[:x])), y)
			}
		}
		t.Fatal("no code line")
		return ""
	}
	light := codeColour(color.White)
	dark := codeColour(nil)
	// The light style's code text is #2A2A2A (235 in 256 colours), the
	// dark one's #C4C4C4 (251).
	for _, c := range []struct{ name, got, want string }{
		{"light", light, "235"},
		{"dark", dark, "251"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("the %s terminal draws code in colour %s, want %s", c.name, c.got, c.want)
		}
	}
}
