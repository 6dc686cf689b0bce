package tui

import (
	"net/url"
	"path/filepath"
	"strings"

	"pistream/internal/termtext"
)

// The Photos screen's footer says where the photos live and how to get
// the selected one off the Pi: its address on the album page (a link) and
// an scp command (through the Pi's own SSH server: pistream's serves no
// files).

// photoFooterRows is how many rows the footer takes in a body h rows high:
// none in a small window, where the list and the photo need them (nor in
// the full-window photo, which draws none).
func (p *photos) photoFooterRows(h int) int {
	if h < 14 {
		return 0
	}
	return 3
}

// photoURL is the selected photo's address on the album page, with the
// feed URL's token, or "" without HTTP.
func (a *App) photoURL(name string) string {
	if len(a.URLs) == 0 {
		return ""
	}
	u, err := url.Parse(a.URLs[0])
	if err != nil {
		return ""
	}
	u.Path, u.RawPath = "/photos/"+name, ""
	u.Fragment = ""
	return u.String()
}

// photoSCP is the scp command that copies the photo name to the current
// directory, or "" when the Pi's address for scp is not known.
func (a *App) photoSCP(name string) string {
	if a.SCP == "" {
		return ""
	}
	return "scp " + shellQuote(a.SCP+":"+filepath.Join(a.Album.Dir(), name)) + " ."
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '@' || r == '+' ||
			(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// photoFooter draws the footer for the selected photo name, w cells wide:
// each value on one line, cut with "…" when it does not fit (a link still
// opens the whole address).
func (p *photos) photoFooter(name string, w int) string {
	st := p.env.styles
	app := p.env.app
	rows := []link{{label: "Photos in", value: termtext.SanitizeName(app.Album.Dir())}}
	if u := app.photoURL(name); u != "" {
		rows = append(rows, link{label: "Open", value: u, url: true})
	}
	if c := app.photoSCP(name); c != "" {
		rows = append(rows, link{label: "Copy", value: termtext.SanitizeName(c)})
	}
	const labelW = len("Photos in  ")
	var lines []string
	for _, r := range rows {
		line, _ := r.draw(st, labelW, w)
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
