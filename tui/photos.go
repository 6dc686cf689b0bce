package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/list"
	"charm.land/bubbles/v2/paginator"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"pistream/album"
	"pistream/album/index"
	"pistream/internal/bytesize"
	"pistream/internal/termtext"
)

// photos is the Photos screen: the album, newest first, with the selected
// photo drawn beside the list; enter shows it full-window.
type photos struct {
	env     *env
	list    list.Model
	err     error  // listing the album failed
	version uint64 // of the album index's snapshot shown; 0 before its first listing
	stale   bool   // the album changed while the screen was hidden: list it when shown

	full       bool   // the selected photo fills the window
	took       string // a photo this session took, to select once listed
	confirm    string // photo whose deletion awaits y/n
	preview    string
	previewFor photoPreviewKey // what preview shows
	pending    photoPreviewKey // what is being drawn
	bodyW      int
	bodyH      int
}

type photoPreviewKey struct {
	name       string
	size       int64
	cols, rows int
}

type photoItem struct{ album.Photo }

func (p photoItem) Title() string { return termtext.SanitizeName(p.Name) }
func (p photoItem) Description() string {
	d := p.ModTime.Local().Format("2006-01-02 15:04") + " · " + bytesize.Format(p.Size)
	if p.Width > 0 {
		d += fmt.Sprintf(" · %d×%d", p.Width, p.Height)
	}
	return d
}

// FilterValue is what the user sees, so a filter matches what is on screen.
func (p photoItem) FilterValue() string { return p.Title() }

// Messages of the Photos screen.
type (
	albumChangedMsg struct{}                 // the album's index has a newer listing
	photosListedMsg struct{ index.Snapshot } // the listing to show
	photoPreviewMsg struct {
		key  photoPreviewKey
		text string
		err  error
	}
	// statusMsg is shown in the root's status bar.
	statusMsg struct {
		text  string
		isErr bool
	}
)

func newPhotos(e *env) *photos {
	l := newList(e.dark, "photo", "photos")
	l.Filter = substringFilter
	return &photos{env: e, list: l}
}

// substringFilter keeps the names that contain term, ignoring case, in the
// list's order (newest first): a file name is looked for by a piece of it,
// such as a date or a time, which a fuzzy match scatters over every name
// that has its characters in order.
func substringFilter(term string, targets []string) []list.Rank {
	term = strings.ToLower(term)
	n := utf8.RuneCountInString(term)
	var ranks []list.Rank
	for i, t := range targets {
		lower := strings.ToLower(t)
		at := strings.Index(lower, term)
		if at < 0 {
			continue
		}
		first := utf8.RuneCountInString(lower[:at])
		matched := make([]int, n)
		for j := range matched {
			matched[j] = first + j
		}
		ranks = append(ranks, list.Rank{Index: i, MatchedIndexes: matched})
	}
	return ranks
}

// newList is a bubbles list as the screens use it: no title and no help of
// its own (the root draws those), no quit keys, filtering with /.
func newList(dark bool, singular, plural string) list.Model {
	l := list.New(nil, delegate(dark), 40, 10)
	l.SetShowTitle(false)
	l.SetShowHelp(false)
	l.DisableQuitKeybindings()
	l.KeyMap.ShowFullHelp.SetEnabled(false)
	l.KeyMap.CloseFullHelp.SetEnabled(false)
	l.SetStatusBarItemName(singular, plural)
	l.Styles = list.DefaultStyles(dark)
	return l
}

func (p *photos) init() tea.Cmd {
	return p.reload()
}

// reload asks the album's index for its listing, one that holds every
// change announced before (the one that woke the screen, a photo this
// session just deleted), to show it and wait for the next. No session
// lists the album itself: a change costs one listing however many
// sessions show it. The command returns within a listing by the index.
func (p *photos) reload() tea.Cmd {
	ix, ctx := p.env.app.Index, p.env.ctx
	return func() tea.Msg {
		// An error says the index has stopped, or the session ended: its
		// newest listing is what there is.
		s, _ := ix.Fresh(ctx)
		if ctx.Err() != nil {
			return nil
		}
		return photosListedMsg{s}
	}
}

// show puts the photos of the snapshot s in the list, keeping the
// selection (or selecting the photo this session just took).
func (p *photos) show(s index.Snapshot) tea.Cmd {
	p.version, p.err = s.Version, s.Err
	if s.Err != nil || s.Version == 0 {
		return nil
	}
	items := make([]list.Item, len(s.Photos))
	for i, ph := range s.Photos {
		items[i] = photoItem{ph}
	}
	cur, _ := p.selected()
	p.fitPaginator(len(items))
	cmd := p.list.SetItems(items)
	if !p.selectTaken() {
		p.selectName(cur.Name)
		if slices.ContainsFunc(s.Photos, func(ph album.Photo) bool { return ph.Name == p.took }) {
			p.took = "" // listed but filtered out: not looked for again
		}
	}
	return tea.Batch(cmd, p.drawPreview())
}

// fitPaginator has the list draw its pages as "page/pages" from the start
// when a dot a page would not fit across it. The list falls back to that
// by itself, but only after building the dots, one string concatenation a
// page, in every draw: for an album of thousands of photos that cost more
// than the rest of the screen. It looks the same: the list's own style for
// "page/pages".
func (p *photos) fitPaginator(items int) {
	per := max(p.list.Paginator.PerPage, 1)
	if pages := (items + per - 1) / per; pages > p.list.Width() {
		p.list.Paginator.Type = paginator.Arabic
		p.list.Paginator.ArabicFormat = p.list.Styles.ArabicPagination.Render("%d/%d")
	} else {
		p.list.Paginator.Type = paginator.Dots
	}
}

// shown lists the album again if it changed while the screen was hidden.
func (p *photos) shown() tea.Cmd {
	if !p.stale {
		return nil
	}
	p.stale = false
	return p.reload()
}

func (p *photos) capturing() bool {
	return p.confirm != "" || p.list.SettingFilter()
}

func (p *photos) bindings() []key.Binding {
	if p.confirm != "" {
		return []key.Binding{keys.Confirm, keys.Cancel}
	}
	if p.list.SettingFilter() {
		return []key.Binding{keys.FilterApply, keys.FilterCancel}
	}
	if p.full {
		return []key.Binding{keys.NextPhoto, keys.PrevPhoto, keys.Back, keys.Delete}
	}
	return []key.Binding{keys.Open, keys.Delete, keys.Undo, keys.Filter, keys.Move}
}

func (p *photos) selected() (album.Photo, bool) {
	it, ok := p.list.SelectedItem().(photoItem)
	return it.Photo, ok
}

func (p *photos) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case albumChangedMsg:
		if p.env.shown != screenPhotos {
			// Listed again when shown: a hidden screen need not copy
			// every listing of a busy album into its list.
			p.stale = true
			return nil
		}
		return p.reload()
	case photosListedMsg:
		// The channel of the snapshot shown: no newer listing slips by.
		return tea.Batch(p.show(msg.Snapshot), waitFor(p.env, msg.Changed, albumChangedMsg{}))
	case snapshotMsg:
		// The album's index lists it; the photo is selected when it is
		// listed, now or then.
		if msg.err == nil {
			p.took = msg.photo.Name
			p.selectTaken()
			return p.drawPreview()
		}
		return nil
	case photoPreviewMsg:
		if msg.key == p.pending {
			p.pending = photoPreviewKey{}
		}
		p.previewFor = msg.key
		p.preview = msg.text
		if msg.err != nil {
			p.preview = p.env.styles.bad.Render(termtext.SanitizeName(msg.err.Error()))
		}
		return p.drawPreview() // the selection may have moved meanwhile
	case bodySizeMsg:
		p.bodyW, p.bodyH = msg.w, msg.h
		// A line for the y/n question, and the footer's.
		p.list.SetSize(p.listWidth(msg.w), msg.h-1-p.photoFooterRows(msg.h))
		p.fitPaginator(len(p.list.Items()))
		return p.drawPreview()
	case tea.BackgroundColorMsg:
		p.list.Styles = list.DefaultStyles(p.env.dark)
		p.list.SetDelegate(delegate(p.env.dark))
		p.fitPaginator(len(p.list.Items()))
		return nil
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	var cmd tea.Cmd
	p.list, cmd = p.list.Update(msg)
	return cmd
}

// selectTaken selects the photo this session took last, once it is in the
// list, and reports whether it did: a photo just taken is the one the user
// sees when they next look, whatever was selected before.
func (p *photos) selectTaken() bool {
	if p.took == "" || !p.selectName(p.took) {
		return false
	}
	p.took = ""
	return true
}

// selectName selects the photo called name among those shown and reports
// whether it is there.
func (p *photos) selectName(name string) bool {
	for i, it := range p.list.VisibleItems() {
		if it.(photoItem).Name == name {
			p.list.Select(i)
			return true
		}
	}
	return false
}

func delegate(dark bool) list.DefaultDelegate {
	d := list.NewDefaultDelegate()
	d.Styles = list.NewDefaultItemStyles(dark)
	return d
}

func (p *photos) key(msg tea.KeyPressMsg) tea.Cmd {
	a := p.env.app.Album
	if p.confirm != "" {
		name := p.confirm
		switch {
		case key.Matches(msg, keys.Confirm):
			p.confirm = ""
			return func() tea.Msg {
				if err := a.Delete(name); err != nil {
					return statusMsg{"Delete failed: " + err.Error(), true}
				}
				return statusMsg{"Deleted " + name + " (u undoes)", false}
			}
		case key.Matches(msg, keys.Cancel):
			p.confirm = ""
		}
		return nil
	}
	if p.list.SettingFilter() {
		var cmd tea.Cmd
		p.list, cmd = p.list.Update(msg)
		return tea.Batch(cmd, p.drawPreview())
	}
	switch {
	case key.Matches(msg, keys.Delete):
		if ph, ok := p.selected(); ok {
			p.confirm = ph.Name
		}
		return nil
	case key.Matches(msg, keys.Undo):
		return func() tea.Msg {
			name, err := a.Undo()
			if errors.Is(err, album.ErrNothingToUndo) {
				return statusMsg{"Nothing to undo", false} // news, not a failure
			}
			if err != nil {
				return statusMsg{"Undo: " + err.Error(), true}
			}
			return statusMsg{"Restored " + name, false}
		}
	case key.Matches(msg, keys.Open) && !p.full:
		if _, ok := p.selected(); ok {
			p.full = true
			return p.drawPreview()
		}
		return nil
	case p.full && (key.Matches(msg, keys.Back) || key.Matches(msg, keys.Open)):
		p.full = false
		return p.drawPreview()
	case p.full && key.Matches(msg, keys.NextPhoto):
		p.list.CursorDown() // the list's own → and l turn a page
		return p.drawPreview()
	case p.full && key.Matches(msg, keys.PrevPhoto):
		p.list.CursorUp()
		return p.drawPreview()
	}
	var cmd tea.Cmd
	p.list, cmd = p.list.Update(msg)
	return tea.Batch(cmd, p.drawPreview())
}

// previewArea is where the selected photo is drawn for a body of w×h.
func (p *photos) previewArea(w, h int) (int, int) {
	if p.full {
		return w, h - 1
	}
	return max(w-p.listWidth(w)-2, 1), h - p.photoFooterRows(h)
}

// listWidth is the list's width in a body w cells wide: 40 cells at
// least, which an item's details take ("2026-11-25 14:03 · 12.3 MB ·
// 4608×2592" and the list's margin).
func (p *photos) listWidth(w int) int { return min(max(w*2/5, 40), w) }

// drawPreview starts drawing the selected photo if it isn't drawn yet.
func (p *photos) drawPreview() tea.Cmd {
	ph, ok := p.selected()
	if !ok || p.bodyW == 0 {
		p.preview, p.previewFor = "", photoPreviewKey{}
		return nil
	}
	cols, rows := p.previewArea(p.bodyW, p.bodyH)
	k := photoPreviewKey{ph.Name, ph.Size, cols, rows}
	if k == p.previewFor || k == p.pending || p.pending != (photoPreviewKey{}) {
		return nil
	}
	p.pending = k
	a, prof := p.env.app.Album, p.env.profile
	return func() tea.Msg {
		data, err := a.Read(k.name)
		if err != nil {
			return photoPreviewMsg{key: k, err: err}
		}
		text, err := RenderJPEG(data, k.cols, k.rows, prof)
		return photoPreviewMsg{key: k, text: text, err: err}
	}
}

func (p *photos) view(w, h int) string {
	st := p.env.styles
	if p.err != nil {
		return st.bad.Render("Cannot list the photos: " + termtext.SanitizeName(p.err.Error()))
	}
	if p.version == 0 {
		return st.dim.Render("Listing the photos…")
	}
	if len(p.list.Items()) == 0 {
		return st.dim.Render("No photos yet. Press s or space to take one.\nPhotos are saved in " +
			termtext.SanitizeName(p.env.app.Album.Dir()))
	}
	prompt := ""
	if p.confirm != "" {
		prompt = st.prompt.Render("Delete " + termtext.SanitizeName(p.confirm) + "? y/n")
	}
	if p.full {
		ph, _ := p.selected()
		title := st.value.Render(termtext.SanitizeName(ph.Name)) + "  " + st.dim.Render(photoItem{ph}.Description())
		if prompt != "" {
			title = prompt
		}
		return lipgloss.JoinVertical(lipgloss.Left, title, p.preview)
	}
	lw := p.listWidth(w)
	left := p.list.View()
	if prompt != "" {
		left = lipgloss.JoinVertical(lipgloss.Left, prompt, left)
	}
	left = lipgloss.NewStyle().Width(lw).Render(left)
	body := lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", p.preview)
	if n := p.photoFooterRows(h); n > 0 {
		ph, _ := p.selected()
		body = lipgloss.NewStyle().Height(h - n).MaxHeight(h - n).Render(body)
		body = lipgloss.JoinVertical(lipgloss.Left, body, p.photoFooter(ph.Name, w))
	}
	return body
}
