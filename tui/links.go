package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// The Live screen's links, the feed's URLs and the SSH command, are drawn
// across the whole width below the picture and the panel: each on one
// line, so that copying it gives it whole. A URL is a hyperlink (OSC 8) to
// itself; one that does not fit is cut with "…", never shown cut as if it
// were whole, and its link still opens it whole.

// link is one line of the links: a label and the value to copy.
type link struct {
	label string // "" continues the label above
	value string
	url   bool // the value is a URL: a hyperlink to itself
}

// linkLabelWidth is the column the values start at when they fit beside
// their labels.
const linkLabelWidth = len("Open in a browser  ")

// links lists the lines of the links, without layout.
func (l *live) links() []link {
	app := l.env.app
	var out []link
	for i, u := range app.URLs {
		label := ""
		if i == 0 {
			label = "Open in a browser"
		}
		out = append(out, link{label: label, value: u, url: true})
	}
	if app.SSH != "" {
		out = append(out, link{label: "Control by SSH", value: app.SSH})
	}
	return out
}

// linkCache holds the links drawn for a width and colours: they are asked
// for at every tick and view (their number sets the picture's height), and
// change only with those.
type linkCache struct {
	w      int
	dark   bool
	lines  []string
	widths []int
}

// linkLines is drawLinkLines(w), drawn again only when w or the colours
// changed.
func (l *live) linkLines(w int) ([]string, []int) {
	c := &l.drawn
	if c.lines == nil || c.w != w || c.dark != l.env.dark {
		c.lines, c.widths = l.drawLinkLines(w)
		c.w, c.dark = w, l.env.dark
		if c.lines == nil {
			c.lines = []string{}
		}
	}
	return c.lines, c.widths
}

// drawLinkLines draws the links for a body w cells wide: each value beside
// its label when every value fits so, else the labels on lines of their
// own and each value on the next, cut with "…" at w. It returns the lines
// and their widths.
func (l *live) drawLinkLines(w int) ([]string, []int) {
	st := l.env.styles
	all := l.links()
	beside := true
	for _, k := range all {
		if linkLabelWidth+lipgloss.Width(k.value) > w {
			beside = false
		}
	}
	var lines []string
	var widths []int
	add := func(s string, sw int) { lines, widths = append(lines, s), append(widths, sw) }
	for _, k := range all {
		switch {
		case beside:
			add(k.draw(st, linkLabelWidth, w))
		case k.label != "":
			add(st.label.Render(k.label), len(k.label))
			fallthrough
		default:
			add(k.draw(st, 0, w))
		}
	}
	return lines, widths
}

// draw draws the link on a line w cells wide: its label padded to labelW
// (none when labelW is 0), then its value, cut with "…" where it does not
// fit, a URL linking to itself whole. It returns the line and its width.
func (k link) draw(st styles, labelW, w int) (string, int) {
	value, vw := k.value, lipgloss.Width(k.value)
	if room := w - labelW; vw > room {
		value = truncate(value, max(room, 1))
		vw = lipgloss.Width(value)
	}
	style := st.value
	if k.url {
		style = style.Hyperlink(k.value)
	}
	if labelW == 0 {
		return style.Render(value), vw
	}
	label := st.label.Render(k.label + strings.Repeat(" ", max(labelW-len(k.label), 0)))
	return label + style.Render(value), labelW + vw
}
