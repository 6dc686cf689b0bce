package tui

import (
	"fmt"

	"charm.land/lipgloss/v2"

	"pistream/camera"
)

// styles are the TUI's colours for a dark or a light terminal.
type styles struct {
	title, tab, tabActive lipgloss.Style
	status, statusErr     lipgloss.Style
	label, value, dim     lipgloss.Style
	good, warn, bad       lipgloss.Style
	box                   lipgloss.Style
	prompt                lipgloss.Style
}

func newStyles(dark bool) styles {
	ld := lipgloss.LightDark(dark)
	accent := ld(lipgloss.Color("#5A56E0"), lipgloss.Color("#7D79F6"))
	fg := ld(lipgloss.Color("#1A1A1A"), lipgloss.Color("#E8E8E8"))
	dim := ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#8A8A8A"))
	barBG := ld(lipgloss.Color("#E4E4EC"), lipgloss.Color("#26263A"))
	return styles{
		title:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(accent),
		tab:       lipgloss.NewStyle().Foreground(dim),
		tabActive: lipgloss.NewStyle().Bold(true).Foreground(fg).Underline(true),
		status:    lipgloss.NewStyle().Foreground(fg).Background(barBG),
		statusErr: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#B3261E")),
		label:     lipgloss.NewStyle().Foreground(dim),
		value:     lipgloss.NewStyle().Foreground(fg),
		dim:       lipgloss.NewStyle().Foreground(dim),
		good:      lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#1B7F3B"), lipgloss.Color("#4CC276"))),
		warn:      lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#8A6100"), lipgloss.Color("#E8B73A"))),
		bad:       lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#B3261E"), lipgloss.Color("#F2665C"))),
		box:       lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(dim).Padding(0, 1),
		prompt:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#B3261E")).Padding(0, 1),
	}
}

// cameraSummary is the camera's state in a few words, for the status bar.
func cameraSummary(s camera.Status) string {
	switch s.State {
	case camera.StateStreaming:
		return fmt.Sprintf("● %s %dx%d %.1f fps", s.State, s.Width, s.Height, s.MeasuredFPS)
	default:
		return "○ camera " + string(s.State)
	}
}
