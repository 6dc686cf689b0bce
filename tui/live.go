package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"pistream/camera"
)

// live is the Live screen: the camera's picture in half-blocks beside the
// camera's state and where to watch it.
type live struct {
	env *env

	pic        drawing // the picture, as last drawn
	seq        uint64  // frame shown
	cols, rows int     // size it was drawn for
	err        error
	rendering  bool
	bodyW      int // the body size, from bodySizeMsg
	bodyH      int

	gen   int             // bumped when the picture, its error or the colours change
	panel panel           // the info panel, drawn again only when its facts change
	shown cached[liveKey] // the last view, returned again while nothing changed
	drawn linkCache       // the links as last drawn, for a width and colours
}

// liveKey is what a view of the Live screen is drawn from.
type liveKey struct {
	w, h, gen int
	facts     liveFacts
}

// liveFacts is what the info panel shows, and how: its width and colours.
type liveFacts struct {
	w           int
	dark        bool
	state       camera.State
	source      string
	kind        string // what the source is, when its name does not say
	turn        string // the rotation and who does it; empty for none
	focus       string // the focus asked and who does it; empty for none
	width       int
	height      int
	fps         int
	measuredFPS float64
	err         string
	errTime     time.Time
	viewers     int // -1 when HTTP is off
	sessions    int
}

// withBy is what was asked and, once known, who does it: "rotate 180
// (source)".
func withBy(asked, by string) string {
	if by == "" {
		return asked
	}
	return asked + " (" + by + ")"
}

// panel is the info panel drawn for facts, in lines of known width.
type panel struct {
	facts  liveFacts
	text   string
	lines  []string
	widths []int
}

// previewMsg is a drawn frame.
type previewMsg struct {
	seq        uint64
	cols, rows int
	pic        drawing
	err        error
}

// infoWidth is the width of the panel beside the picture; it narrows down
// to minInfoWidth when the picture would otherwise leave rows empty.
const (
	infoWidth    = 38
	minInfoWidth = 23
)

func newLive(e *env) *live { return &live{env: e} }

func (l *live) capturing() bool         { return false }
func (l *live) bindings() []key.Binding { return nil }

// exact: the Live screen's view always fills the size asked for.
func (l *live) exact() {}

// previewSize is the largest picture area for a body of w×h cells, the
// links below it.
func (l *live) previewSize(w, h int) (int, int) {
	cs := l.env.app.Camera.Status()
	return previewSize(w, l.topHeight(w, h), cs.Width, cs.Height)
}

// topHeight is the height left to the picture and the panel in a body of
// w×h cells, above the links.
func (l *live) topHeight(w, h int) int {
	lines, _ := l.linkLines(w)
	return max(h-len(lines), 1)
}

// previewSize is the largest picture area beside or above the panel in
// w×h cells, for a picture of aw×ah pixels (0 when not known). Wide
// enough, the panel goes beside the picture, infoWidth wide, or narrower
// (down to minInfoWidth) where that lets the picture be as tall as h.
func previewSize(w, h, aw, ah int) (int, int) {
	if w < 2*infoWidth {
		return w, max(h-7, 3) // the panel's facts go below
	}
	cols := w - infoWidth - 1
	if aw > 0 && ah > 0 {
		fill := (2*h*aw + ah - 1) / ah // columns of a picture as tall as h
		cols = max(cols, min(fill, w-minInfoWidth-1))
	}
	return cols, h
}

// panelWidth is the width of the info panel for a body w cells wide whose
// picture area is cols wide.
func panelWidth(w, cols int) int {
	if w < 2*infoWidth {
		return min(infoWidth, w)
	}
	return w - cols - 1
}

func (l *live) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		f := l.env.app.Camera.Hub().Latest()
		if f == nil || l.rendering || l.bodyW == 0 {
			return nil
		}
		cols, rows := l.previewSize(l.bodyW, l.bodyH)
		if f.Seq == l.seq && cols == l.cols && rows == l.rows {
			return nil
		}
		l.rendering = true
		prof, previews := l.env.profile, &l.env.app.previews
		return func() tea.Msg {
			pic, err := previews.draw(f, cols, rows, prof)
			return previewMsg{seq: f.Seq, cols: cols, rows: rows, pic: pic, err: err}
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
			l.pic = msg.pic
		}
		l.gen++
	case tea.BackgroundColorMsg:
		l.gen++ // new styles
	}
	return nil
}

// view is exactly w×h cells: every line padded to w, h lines. It is drawn
// again only when the picture, the panel's facts, the colours or the size
// changed since the last view.
func (l *live) view(w, h int) string {
	cs := l.env.app.Camera.Status()
	top := l.topHeight(w, h)
	cols, _ := previewSize(w, top, cs.Width, cs.Height)
	facts := l.facts(cs, panelWidth(w, cols))
	return l.shown.get(liveKey{w, h, l.gen, facts}, func() string {
		if l.panel.text == "" || l.panel.facts != facts {
			l.panel = l.drawPanel(facts)
		}
		text, ok := l.compose(w, top, cols)
		if !ok {
			text = fitBlock(l.layout(w, top, cols, l.panel.text), w, top)
		}
		return l.withLinks(text, w, h-top)
	})
}

// withLinks adds below top, exactly w cells wide, n lines of the links,
// each padded to w.
func (l *live) withLinks(top string, w, n int) string {
	lines, widths := l.linkLines(w)
	if n <= 0 {
		return top
	}
	b := newBlock(w, n, len(top)+n*w)
	b.b.WriteString(top)
	b.b.WriteByte('\n')
	for i := range min(n, len(lines)) {
		b.put(lines[i], widths[i], 0)
		b.end()
	}
	return b.String()
}

// layout places the picture (or what stands for it) and the info panel
// with lipgloss, measuring every line: for what compose cannot place.
func (l *live) layout(w, h, cols int, info string) string {
	pic := l.pic.text
	if pic == "" {
		pic = l.env.styles.dim.Render("waiting for the camera…")
	}
	if l.err != nil {
		pic = l.env.styles.bad.Render("preview: " + l.err.Error())
	}
	if w >= 2*infoWidth {
		pic = lipgloss.NewStyle().Width(cols).Render(pic)
		return lipgloss.JoinHorizontal(lipgloss.Top, pic, " ", info)
	}
	return lipgloss.JoinVertical(lipgloss.Left, pic, info)
}

// compose lays out what layout does, line by line from the known widths of
// the picture's and the panel's lines, without measuring them again. It
// reports false when a line would not fit where it goes (no picture yet, a
// picture drawn for another size, a panel wider than a narrow window):
// layout then wraps or truncates it as before.
func (l *live) compose(w, h, cols int) (string, bool) {
	if l.err != nil || l.pic.text == "" {
		return "", false
	}
	pic, info := l.pic.lines, l.panel.lines
	b := newBlock(w, h, len(l.pic.text)+len(l.panel.text))
	if w >= 2*infoWidth {
		if l.pic.width > cols || slices.Max(l.panel.widths) > w-cols-1 {
			return "", false
		}
		for i := range max(len(pic), len(info)) {
			if i < len(pic) {
				b.put(pic[i], l.pic.width, cols)
			} else {
				b.put("", 0, cols)
			}
			b.put(" ", 1, 1)
			if i < len(info) {
				b.put(info[i], l.panel.widths[i], 0)
			}
			b.end()
		}
		return b.String(), true
	}
	if l.pic.width > w || slices.Max(l.panel.widths) > w {
		return "", false
	}
	for _, line := range pic {
		b.put(line, l.pic.width, 0)
		b.end()
	}
	for i, line := range info {
		b.put(line, l.panel.widths[i], 0)
		b.end()
	}
	return b.String(), true
}

// facts gathers what the info panel shows of the camera's status cs, for
// a panel w cells wide.
func (l *live) facts(cs camera.Status, w int) liveFacts {
	app := l.env.app
	f := liveFacts{
		w: w, dark: l.env.dark, state: cs.State, source: cs.Opened, width: cs.Width, height: cs.Height,
		fps: cs.FPS, measuredFPS: cs.MeasuredFPS, err: cs.Err, errTime: cs.ErrTime,
		viewers: -1,
	}
	if f.source == "" {
		f.source = cs.Source
	}
	if cs.Kind != "" && cs.Kind != f.source {
		f.kind = cs.Kind
	}
	if !cs.Transform.IsIdentity() {
		f.turn = withBy(cs.Transform.String(), cs.TransformBy)
	}
	if !cs.Focus.IsDefault() {
		f.focus = withBy(cs.Focus.String(), cs.FocusBy)
	}
	if app.Viewers != nil {
		f.viewers = app.Viewers()
	}
	if app.Sessions != nil {
		f.sessions = app.Sessions()
	}
	return f
}

// drawPanel draws the panel of facts beside the picture.
func (l *live) drawPanel(f liveFacts) panel {
	text := l.info(f)
	p := panel{facts: f, text: text, lines: strings.Split(text, "\n")}
	p.widths = make([]int, len(p.lines))
	for i, line := range p.lines {
		p.widths[i] = lipgloss.Width(line)
	}
	return p
}

// info is the panel of facts beside the picture.
func (l *live) info(f liveFacts) string {
	st := l.env.styles
	app := l.env.app
	w := f.w
	row := func(label, value string) string {
		return st.label.Render(fmt.Sprintf("%-9s", label)) + st.value.Render(value)
	}
	var b []string
	b = append(b, row("Camera", stateText(st, f.state)))
	src := f.source
	if f.kind != "" {
		src = f.kind + ": " + src
	}
	b = append(b, row("Source", truncate(src, w-9)))
	if f.turn != "" {
		b = append(b, row("Turned", truncate(f.turn, w-9)))
	}
	if f.focus != "" {
		b = append(b, row("Focus", truncate(f.focus, w-9)))
	}
	b = append(b, row("Size", fmt.Sprintf("%dx%d", f.width, f.height)))
	b = append(b, row("FPS", fmt.Sprintf("%.1f of %d", f.measuredFPS, f.fps)))
	if f.viewers >= 0 {
		b = append(b, row("Viewers", fmt.Sprintf("%d in browsers", f.viewers)))
	}
	b = append(b, row("SSH", plural(f.sessions, "session")))
	if f.err != "" {
		when := ""
		if !f.errTime.IsZero() {
			when = f.errTime.Format("15:04:05") + " "
		}
		b = append(b, "", st.label.Render("Last error"),
			st.bad.Width(w).Render(when+f.err))
	}
	if app.OpenFeed {
		b = append(b, "", st.bad.Width(w).Render("⚠ The feed is open to anyone on the network (--http-auth none)"))
	}
	if len(app.URLs) == 0 {
		b = append(b, "", st.dim.Render("HTTP is off"))
	}
	// The URLs and the SSH command are drawn below, at full width: links.go.
	return strings.Join(b, "\n")
}

func stateText(st styles, state camera.State) string {
	s := string(state)
	switch state {
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
