package notes

import (
	"strings"
	"testing"
)

// TestCodeColoursFollowStyle: a code block takes the colours of the style
// it is rendered in, whichever style the process rendered first (glamour
// registered the first one's code colours for every later render).
func TestCodeColoursFollowStyle(t *testing.T) {
	md := "# Code\n\n```sh\npistream --fps 30\n```\n"
	codeLine := func(out string) string {
		for line := range strings.Lines(out) {
			if strings.Contains(line, "pistream") {
				return line
			}
		}
		t.Fatalf("no code line in %q", out)
		return ""
	}
	var lines [4]string
	for i, dark := range []bool{false, true, false, true} {
		lines[i] = codeLine(render(t, md, 60, dark))
	}
	if lines[0] != lines[2] || lines[1] != lines[3] {
		t.Errorf("a style's code line changed with what was rendered before:\n%q\n%q", lines[0], lines[2])
	}
	if lines[0] == lines[1] {
		t.Errorf("dark and light code lines have the same colours: %q", lines[0])
	}
	for _, c := range []struct {
		line, sgr, style string
	}{
		{lines[0], "38;5;235m", "light"}, // #2A2A2A: dark grey on a light terminal
		{lines[1], "38;5;251m", "dark"},  // #C4C4C4: light grey on a dark one
	} {
		if !strings.Contains(c.line, c.sgr) {
			t.Errorf("the %s code line lacks its text colour %q: %q", c.style, c.sgr, c.line)
		}
	}
}
