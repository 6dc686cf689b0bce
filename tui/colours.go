package tui

import (
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// colourHintText tells a session drawn in fewer colours than true colour
// how to switch: most SSH clients do not send COLORTERM, so a terminal that
// has true colour is often taken for a 256-colour one.
const colourHintText = "Press c for true colour if your terminal has it"

// colourProfile records the colour profile the session draws in now, as
// Bubble Tea found it (TERM, COLORTERM, the terminal's answer to a
// capability query) or as the user switched it. The first time it is less
// than true colour, the status bar says how to switch.
func (r *root) colourProfile(p colorprofile.Profile) {
	r.env.profile = p
	switch {
	case p == colorprofile.TrueColor && r.status == colourHintText:
		r.setStatus("", false) // the terminal said it has true colour after all
	case p < colorprofile.TrueColor && p >= colorprofile.ANSI && !r.colourHint:
		r.colourHint = true
		r.setStatus(colourHintText, false)
	}
}

// switchColours switches the session between true colour and 256 colours:
// Bubble Tea's renderer takes the new profile and the screen is drawn
// again in it.
func (r *root) switchColours() tea.Cmd {
	p, text := colorprofile.TrueColor, "True colour (c: 256 colours)"
	if r.env.profile == colorprofile.TrueColor {
		p, text = colorprofile.ANSI256, "256 colours (c: true colour)"
	}
	r.colourHint = true
	r.env.profile = p
	r.setStatus(text, false)
	return tea.Sequence(func() tea.Msg { return tea.ColorProfileMsg{Profile: p} }, tea.ClearScreen)
}
