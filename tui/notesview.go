package tui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/list"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"pistream/internal/bytesize"
	"pistream/internal/termtext"
	"pistream/notes"
)

// notesScreen is the Notes screen: the notes listed by title; enter opens
// one rendered by glamour at the session's width, in a viewport.
type notesScreen struct {
	env  *env
	list list.Model
	err  error

	open     string // note being read, "" for the list
	title    string
	vp       viewport.Model
	rendered renderKey          // what vp shows
	want     renderKey          // what the render in flight is for, if any
	seq      int                // numbers the renders asked for; the newest is in flight
	cancel   context.CancelFunc // gives up the render in flight; nil if none
	gen      int                // bumped when the notes directory changes
	bodyW    int
	bodyH    int
}

type renderKey struct {
	name  string
	width int
	dark  bool
	gen   int // bumped when the notes directory changes
}

type noteItem struct{ notes.Note }

func (n noteItem) Title() string { return n.Note.Title }
func (n noteItem) Description() string {
	return termtext.SanitizeName(n.Name) + " · " + bytesize.Format(n.Size) + " · " + n.ModTime.Local().Format("2006-01-02 15:04")
}
func (n noteItem) FilterValue() string { return n.Note.Title }

// Messages of the Notes screen.
type (
	notesChangedMsg struct{}
	notesLoadedMsg  struct {
		notes []notes.Note
		err   error
	}
	noteRenderedMsg struct {
		key  renderKey
		seq  int
		text string
		err  error
	}
)

func newNotes(e *env) *notesScreen {
	return &notesScreen{env: e, list: newList(e.dark, "note", "notes"), vp: viewport.New()}
}

func (n *notesScreen) init() tea.Cmd {
	return tea.Batch(n.load(), n.awaitChange())
}

// awaitChange waits for the next change of the notes directory. It takes
// the channel now, in Update, before any load command it is batched with
// lists: no change slips in between.
func (n *notesScreen) awaitChange() tea.Cmd {
	return waitFor(n.env, n.env.app.Notes.Changed(), notesChangedMsg{})
}

func (n *notesScreen) load() tea.Cmd {
	d := n.env.app.Notes
	return func() tea.Msg {
		ns, err := d.List()
		return notesLoadedMsg{notes: ns, err: err}
	}
}

func (n *notesScreen) capturing() bool { return n.list.SettingFilter() }

// takes reports whether the note reader takes msg before the global keys:
// space pages down, as in less.
func (n *notesScreen) takes(msg tea.KeyPressMsg) bool {
	return n.open != "" && key.Matches(msg, keys.PageDown)
}

// mouse reports whether the screen wants the mouse: the reader scrolls
// with the wheel. (Elsewhere the terminal keeps it, to select text.)
func (n *notesScreen) mouse() bool { return n.open != "" }

func (n *notesScreen) bindings() []key.Binding {
	if n.open != "" {
		return []key.Binding{keys.PageDown, keys.Top, keys.Bottom, keys.Back, keys.Scroll, keys.PageUp}
	}
	if n.list.SettingFilter() {
		return []key.Binding{keys.FilterApply, keys.FilterCancel}
	}
	return []key.Binding{keys.Open, keys.Filter, keys.Move}
}

// render starts rendering the open note for the current width and style,
// unless the viewport already shows that or it is in flight. A render in
// flight for another width, style or note is given up: a session that
// resizes again and again leaves only its newest render in the App's
// Renderer, which renders a note once for all sessions and bounds the
// renders running at once.
func (n *notesScreen) render() tea.Cmd {
	if n.open == "" || n.bodyW == 0 {
		return nil
	}
	k := renderKey{name: n.open, width: n.bodyW, dark: n.env.dark, gen: n.gen}
	if k == n.rendered || k == n.want && n.cancel != nil {
		return nil
	}
	n.stopRender()
	ctx, cancel := context.WithCancel(n.env.ctx)
	n.seq++
	n.want, n.cancel = k, cancel
	seq, d, r := n.seq, n.env.app.Notes, n.env.app.Renderer
	return func() tea.Msg {
		text, err := d.Read(k.name)
		if err == nil {
			text, err = r.Render(ctx, text, k.width, k.dark)
		}
		return noteRenderedMsg{key: k, seq: seq, text: text, err: err}
	}
}

// stopRender gives up the render in flight, if any.
func (n *notesScreen) stopRender() {
	if n.cancel != nil {
		n.cancel()
		n.cancel = nil
	}
}

func (n *notesScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case notesChangedMsg:
		n.gen++ // re-read the open note
		return tea.Batch(n.load(), n.render(), n.awaitChange())
	case notesLoadedMsg:
		n.err = msg.err
		if msg.err != nil {
			return nil
		}
		items := make([]list.Item, len(msg.notes))
		for i, nt := range msg.notes {
			items[i] = noteItem{nt}
		}
		return n.list.SetItems(items)
	case noteRenderedMsg:
		if msg.seq != n.seq || n.cancel == nil {
			return nil // given up: a newer render is in flight, or none is wanted
		}
		n.stopRender()
		n.rendered = msg.key
		if msg.err != nil {
			n.vp.SetContent(n.env.styles.bad.Render(termtext.SanitizeName(msg.err.Error())))
		} else {
			n.vp.SetContent(msg.text)
		}
		return nil
	case bodySizeMsg:
		n.bodyW, n.bodyH = msg.w, msg.h
		n.list.SetSize(msg.w, msg.h)
		n.vp.SetWidth(msg.w)
		n.vp.SetHeight(max(msg.h-2, 1))
		return n.render()
	case tea.BackgroundColorMsg:
		n.list.Styles = list.DefaultStyles(n.env.dark)
		n.list.SetDelegate(delegate(n.env.dark))
		return n.render()
	case tea.MouseWheelMsg:
		if n.open != "" {
			var cmd tea.Cmd
			n.vp, cmd = n.vp.Update(msg)
			return cmd
		}
		return nil
	case tea.KeyPressMsg:
		if n.open != "" {
			switch {
			case key.Matches(msg, keys.Back):
				n.stopRender()
				n.open, n.rendered.name = "", ""
				return nil
			case key.Matches(msg, keys.Top):
				n.vp.GotoTop()
				return nil
			case key.Matches(msg, keys.Bottom):
				n.vp.GotoBottom()
				return nil
			}
			var cmd tea.Cmd
			n.vp, cmd = n.vp.Update(msg)
			return cmd
		}
		if !n.list.SettingFilter() && key.Matches(msg, keys.Open) {
			if it, ok := n.list.SelectedItem().(noteItem); ok {
				n.open, n.title = it.Name, it.Note.Title
				n.vp.SetContent(n.env.styles.dim.Render("rendering…"))
				n.vp.GotoTop()
				return n.render()
			}
			return nil
		}
	}
	var cmd tea.Cmd
	n.list, cmd = n.list.Update(msg)
	return cmd
}

func (n *notesScreen) view(w, h int) string {
	st := n.env.styles
	if n.err != nil {
		return st.bad.Render("Cannot list the notes: " + termtext.SanitizeName(n.err.Error()))
	}
	if n.open != "" {
		head := st.value.Bold(true).Render(n.title) + "  " + st.dim.Render(termtext.SanitizeName(n.open))
		pos := st.dim.Render(n.position())
		if gap := w - lipgloss.Width(head) - lipgloss.Width(pos); gap >= 2 {
			head += strings.Repeat(" ", gap) + pos
		} else {
			head = lipgloss.JoinVertical(lipgloss.Left, head, pos)
		}
		return lipgloss.JoinVertical(lipgloss.Left, head, "", n.vp.View())
	}
	if len(n.list.Items()) == 0 {
		return st.dim.Render("No notes yet. Put markdown files (.md) in " + termtext.SanitizeName(n.env.app.Notes.Dir()))
	}
	return n.list.View()
}

// position says where the reader is in the note, as less does: the lines
// shown, of how many, and how far down.
func (n *notesScreen) position() string {
	total := n.vp.TotalLineCount()
	if total == 0 {
		return ""
	}
	if n.vp.AtTop() && n.vp.AtBottom() {
		return fmt.Sprintf("all %d lines", total)
	}
	first := n.vp.YOffset() + 1
	last := min(n.vp.YOffset()+n.vp.VisibleLineCount(), total)
	return fmt.Sprintf("lines %d–%d of %d · %d%%", first, last, total, int(n.vp.ScrollPercent()*100+0.5))
}
