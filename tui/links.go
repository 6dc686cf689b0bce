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

// linkLines draws the links for a body w cells wide: each value beside
// its label when every value fits so, else the labels on lines of their
// own and each value on the next, cut with "…" at w. It returns the lines
// and their widths.
func (l *live) linkLines(w int) ([]string, []int) {
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
		value, vw := k.value, lipgloss.Width(k.value)
		room := w
		if beside {
			room = w - linkLabelWidth
		}
		if vw > room {
			value = truncate(value, room)
			vw = lipgloss.Width(value)
		}
		style := st.value
		if k.url {
			style = style.Hyperlink(k.value)
		}
		drawn := style.Render(value)
		switch {
		case beside:
			label := st.label.Render(k.label + strings.Repeat(" ", linkLabelWidth-len(k.label)))
			add(label+drawn, linkLabelWidth+vw)
		case k.label != "":
			add(st.label.Render(k.label), len(k.label))
			fallthrough
		default:
			add(drawn, vw)
		}
	}
	return lines, widths
}
