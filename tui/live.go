package tui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"pistream/camera"
)

// live is the Live screen: the camera's picture in half-blocks beside the
// camera's state and where to watch it.
type live struct {
	env *env

	preview    string
	seq        uint64 // frame shown
	cols, rows int    // size it was drawn for
	err        error
	rendering  bool
	bodyW      int // the body size, from bodySizeMsg
	bodyH      int
}

// previewMsg is a drawn frame.
type previewMsg struct {
	seq        uint64
	cols, rows int
	text       string
	err        error
}

// infoWidth is the width of the panel beside the picture.
const infoWidth = 38

func newLive(e *env) *live { return &live{env: e} }

func (l *live) capturing() bool         { return false }
func (l *live) bindings() []key.Binding { return nil }

// previewSize is the largest picture area for a body of w×h cells.
func previewSize(w, h int) (int, int) {
	if w >= 2*infoWidth {
		return w - infoWidth - 1, h
	}
	return w, max(h-12, 3) // the panel goes below
}

func (l *live) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		f := l.env.app.Camera.Hub().Latest()
		if f == nil || l.rendering || l.bodyW == 0 {
			return nil
		}
		cols, rows := previewSize(l.bodyW, l.bodyH)
		if f.Seq == l.seq && cols == l.cols && rows == l.rows {
			return nil
		}
		l.rendering = true
		prof, previews := l.env.profile, &l.env.app.previews
		return func() tea.Msg {
			text, err := previews.Render(f, cols, rows, prof)
			return previewMsg{seq: f.Seq, cols: cols, rows: rows, text: text, err: err}
		}
	case bodySizeMsg:
		l.bodyW, l.bodyH = msg.w, msg.h
	case previewMsg:
		l.rendering = false
		if errors.Is(msg.err, camera.ErrFrameGone) {
			return nil // replaced meanwhile: the next tick draws a newer one
		}
		l.seq, l.cols, l.rows, l.err = msg.seq, msg.cols, msg.rows, msg.err
		if msg.err == nil {
			l.preview = msg.text
		}
	}
	return nil
}

func (l *live) view(w, h int) string {
	info := l.info(min(infoWidth, w))
	pic := l.preview
	if pic == "" {
		pic = l.env.styles.dim.Render("waiting for the camera…")
	}
	if l.err != nil {
		pic = l.env.styles.bad.Render("preview: " + l.err.Error())
	}
	if w >= 2*infoWidth {
		cols, _ := previewSize(w, h)
		pic = lipgloss.NewStyle().Width(cols).Render(pic)
		return lipgloss.JoinHorizontal(lipgloss.Top, pic, " ", info)
	}
	return lipgloss.JoinVertical(lipgloss.Left, pic, info)
}

// info is the panel of facts beside the picture.
func (l *live) info(w int) string {
	st := l.env.styles
	app := l.env.app
	cs := app.Camera.Status()
	row := func(label, value string) string {
		return st.label.Render(fmt.Sprintf("%-9s", label)) + st.value.Render(value)
	}
	var b []string
	b = append(b, row("Camera", stateText(st, cs)))
	src := cs.Opened
	if src == "" {
		src = cs.Source
	}
	b = append(b, row("Source", truncate(src, w-9)))
	b = append(b, row("Size", fmt.Sprintf("%dx%d", cs.Width, cs.Height)))
	b = append(b, row("FPS", fmt.Sprintf("%.1f of %d", cs.MeasuredFPS, cs.FPS)))
	if app.Viewers != nil {
		b = append(b, row("Viewers", fmt.Sprintf("%d in browsers", app.Viewers())))
	}
	b = append(b, row("SSH", plural(app.Sessions(), "session")))
	if cs.Err != "" {
		when := ""
		if !cs.ErrTime.IsZero() {
			when = cs.ErrTime.Format("15:04:05") + " "
		}
		b = append(b, "", st.label.Render("Last error"),
			st.bad.Width(w).Render(when+cs.Err))
	}
	if app.OpenFeed {
		b = append(b, "", st.bad.Width(w).Render("⚠ The feed is open to anyone on the network (--http-auth none)"))
	}
	if len(app.URLs) > 0 {
		b = append(b, "", st.label.Render("Open in a browser"))
		for _, u := range app.URLs {
			b = append(b, st.value.Width(w).Render(u))
		}
	} else {
		b = append(b, "", st.dim.Render("HTTP is off"))
	}
	if app.SSH != "" {
		b = append(b, "", st.label.Render("Control by SSH"), st.value.Width(w).Render(app.SSH))
	}
	return strings.Join(b, "\n")
}

func stateText(st styles, cs camera.Status) string {
	s := string(cs.State)
	switch cs.State {
	case camera.StateStreaming:
		return st.good.Render("● " + s)
	case camera.StateFailed:
		return st.bad.Render("● " + s)
	default:
		return st.warn.Render("● " + s)
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
