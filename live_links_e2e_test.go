package main

import (
	"fmt"
	"strings"
	"testing"
)

// resize makes the session's terminal w×h, as a user dragging the window.
func (s *screen) resize(w, h int) {
	s.t.Helper()
	s.emuMu.Lock()
	s.emu.Resize(w, h)
	s.emuMu.Unlock()
	if err := s.sess.WindowChange(h, w); err != nil {
		s.t.Fatalf("window change: %v", err)
	}
}

// link is the target of the hyperlink (OSC 8) of the cell at x, y.
func (s *screen) link(x, y int) string {
	s.emuMu.Lock()
	defer s.emuMu.Unlock()
	if c := s.emu.CellAt(x, y); c != nil {
		return c.Link.URL
	}
	return ""
}

// TestLiveShowsWholeLinks: the feed's URL, with its token, and the SSH
// command are each on one line, whole when the window is wide enough,
// else cut with "…" (never a cut one that looks whole, never missing);
// the URL is a hyperlink to the whole URL at every size.
func TestLiveShowsWholeLinks(t *testing.T) {
	const token = "3f9c0e5b7d2a41c8b6e9f0a1d2c3b4a5"
	e := startTUI(t, nil, "--http-auth", "token", "--http-token", token)
	url := e.url + "/?token=" + token
	s := e.open(t)
	ssh := "ssh -p " + e.sshAddr[strings.LastIndex(e.sshAddr, ":")+1:] + " 127.0.0.1"
	for _, size := range [][2]int{{100, 30}, {60, 20}, {50, 15}} {
		w, h := size[0], size[1]
		s.resize(w, h)
		var txt string
		waitSeen(t, fmt.Sprintf("the screen to take the size %dx%d", w, h), func() (bool, string) {
			txt = s.waitFor("Open in a browser")
			// The status bar, on its row for h, ends a cell before w.
			lines := strings.Split(txt, "\n")
			return len(lines) >= h && strings.Contains(lines[h-2], "● streaming") &&
				len([]rune(strings.TrimRight(lines[h-2], " "))) == w-1, txt
		})
		for _, want := range []struct {
			name, text string
			link       bool
		}{{"URL", url, true}, {"SSH command", ssh, false}} {
			y, line := lineWith(txt, want.text[:16])
			if y < 0 {
				t.Errorf("%dx%d: no line shows the %s %s:\n%s", w, h, want.name, want.text, txt)
				continue
			}
			shown := strings.TrimSpace(line[strings.Index(line, want.text[:16]):])
			whole := len(want.text) <= w // it fits on a line of its own
			switch {
			case shown == want.text:
			case strings.HasSuffix(shown, "…") && strings.HasPrefix(want.text, strings.TrimSuffix(shown, "…")):
				if whole {
					t.Errorf("%dx%d: the %s is cut though it fits: %q", w, h, want.name, shown)
				}
			default:
				t.Errorf("%dx%d: the %s shows as %q: neither whole nor cut with …\n%s", w, h, want.name, shown, txt)
			}
			if want.link {
				x := len([]rune(line[:strings.Index(line, want.text[:16])]))
				if got := s.link(x, y); got != url {
					t.Errorf("%dx%d: the URL links to %q, want %q", w, h, got, url)
				}
			}
		}
	}
}

// lineWith is the first line of txt holding s, and its index; -1 if none.
func lineWith(txt, s string) (int, string) {
	for y, line := range strings.Split(txt, "\n") {
		if strings.Contains(line, s) {
			return y, line
		}
	}
	return -1, ""
}
