package tui

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"pistream/internal/termtext"
	"pistream/tui/internal/testhook"
)

// screen is one of the TUI's screens, owned by the root model.
type screen interface {
	// update handles a message routed to this screen.
	update(msg tea.Msg) tea.Cmd
	// view draws the screen in width×height cells.
	view(width, height int) string
	// capturing reports whether the screen takes every key now (typing a
	// filter, answering a question), so global keys must not act.
	capturing() bool
	// bindings are the screen's own keys, for help.
	bindings() []key.Binding
}

const (
	screenLive = iota
	screenPhotos
	screenNotes
)

var screenNames = []string{"Live", "Photos", "Notes"}

// env is what every screen of a session knows about its terminal.
type env struct {
	ctx     context.Context
	app     *App
	width   int
	height  int
	dark    bool
	profile colorprofile.Profile
	styles  styles
	shown   int // the screen shown now: screenLive, screenPhotos, screenNotes

	// hold, set only by a test's driver, stands in for the commands that
	// wait for something from outside the session: see waiting.
	hold func(msg tea.Msg) tea.Cmd
}

// root routes messages to the screens and draws tabs, status bar and help.
type root struct {
	env     *env
	screens []screen
	help    help.Model
	full    bool // full help shown

	status     string
	statusErr  bool
	statusAt   time.Time
	body       bodySizeMsg // last sent to the screens
	frame      frame       // the last window drawn
	tabsView   cached[tabsKey]
	statusView cached[statusKey]
	bodyView   cached[bodyKey] // the last view of a screen that is not exact

	helpBar     cached[helpKey]
	helpRenders int // times help was rendered, to measure or to fit it

	colourHint bool   // the hint to press c for true colour was shown
	idleWarned string // the idle warning shown, until a key is pressed

	idle      time.Duration // quit after this long without a key (off Live); 0 never
	lastInput time.Time
	idled     bool   // quit for idleness
	crashed   string // quit after this panic
}

// bodySizeMsg tells the screens the size of the area between the tabs and
// the status bar.
type bodySizeMsg struct{ w, h int }

// tickMsg drives the Live preview and the status bar.
type tickMsg time.Time

const tickEvery = 150 * time.Millisecond

// tick returns the command that delivers the next tickMsg. Ticks fire on
// the wall clock's multiples of tickEvery, the same instants in every
// session: the sessions on Live then ask for the same frame, which
// Previews decodes once for all of them. (Ticking tickEvery after each
// session's own last tick, they asked for frames a few ms apart: a decode
// per session.)
func (e *env) tick() tea.Cmd {
	return e.waiting(tickMsg{}, tea.Every(tickEvery, func(t time.Time) tea.Msg { return tickMsg(t) }))
}

func newRoot(ctx context.Context, app *App, idle time.Duration) *root {
	e := &env{ctx: ctx, app: app, width: 80, height: 24, dark: true, profile: colorprofile.TrueColor}
	e.styles = newStyles(e.dark)
	r := &root{env: e, help: help.New(), idle: idle, lastInput: time.Now()}
	r.screens = []screen{newLive(e), newPhotos(e), newNotes(e)}
	return r
}

// Init starts the screens' subscriptions and the ticks. Its commands are
// guarded: a panic in one ends only this session.
func (r *root) Init() tea.Cmd {
	// A terminal that answers it has true colour ("RGB", or tmux's "Tc"):
	// Bubble Tea then draws in true colour, COLORTERM or not.
	cmds := []tea.Cmd{r.env.tick(), tea.RequestBackgroundColor, tea.RequestCapability("RGB"), tea.RequestCapability("Tc")}
	for _, s := range r.screens {
		if i, ok := s.(interface{ init() tea.Cmd }); ok {
			cmds = append(cmds, i.init())
		}
	}
	return guard(tea.Batch(cmds...))
}

// Update routes msg. A panic in it, or in a command it returns, ends only
// this session: it is logged with its stack and the program quits, telling
// the user why.
func (r *root) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	defer func() {
		if p := recover(); p != nil {
			r.crash(p, debug.Stack())
			m, cmd = r, tea.Quit
		}
	}()
	m, cmd = r.update(msg)
	return m, guard(cmd)
}

func (r *root) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tickMsg); !ok {
		// Only a tick leaves every screen but Live as it was: any other
		// message may change the screen shown, so it is drawn again.
		r.bodyView = cached[bodyKey]{}
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		r.env.width, r.env.height = msg.Width, msg.Height
		return r, tea.Batch(r.broadcast(msg), r.relayout())
	case tea.BackgroundColorMsg:
		r.env.dark = msg.IsDark()
		r.env.styles = newStyles(r.env.dark)
		r.help.Styles = help.DefaultStyles(r.env.dark)
		return r, r.broadcast(msg)
	case tea.ColorProfileMsg:
		r.colourProfile(msg.Profile)
		return r, nil
	case tickMsg:
		if r.checkIdle(time.Now()) {
			return r, tea.Quit
		}
		if r.env.shown != screenLive {
			return r, r.env.tick()
		}
		return r, tea.Batch(r.env.tick(), r.screens[screenLive].update(msg))
	case snapshotMsg:
		if msg.err != nil {
			r.setStatus("Snapshot failed: "+msg.err.Error(), true)
		} else {
			r.setStatus("Saved "+msg.photo.Name, false)
		}
		return r, tea.Batch(r.broadcast(msg), r.relayout())
	case commandPanicMsg:
		r.crash(msg.value, msg.stack)
		return r, tea.Quit
	case statusMsg:
		r.setStatus(msg.text, msg.isErr)
		return r, r.relayout() // an error may take more lines
	case previewMsg: // only Live draws the camera's frames
		return r, r.screens[screenLive].update(msg)
	case tea.MouseWheelMsg: // only the screen shown scrolls
		return r, r.screens[r.env.shown].update(msg)
	case tea.KeyPressMsg:
		r.lastInput = time.Now()
		r.clearIdleWarning()
		if testhook.KeyPress != nil {
			testhook.KeyPress(msg)
		}
		cmd := r.key(msg)
		return r, tea.Batch(cmd, r.relayout(), hookCommand(msg))
	}
	return r, r.broadcast(msg)
}

// hookCommand is the command a test asks for through testhook.Command, if
// any: the hook runs second in a sequence inside a batch, as deep as the
// screens' commands run.
func hookCommand(msg tea.KeyPressMsg) tea.Cmd {
	hook := testhook.Command
	if hook == nil {
		return nil
	}
	return tea.Sequence(
		func() tea.Msg { return nil },
		func() tea.Msg { hook(msg); return nil },
	)
}

// key handles global keys unless the active screen is capturing them.
func (r *root) key(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, keys.ForceQuitKey) {
		return tea.Quit
	}
	cur := r.screens[r.env.shown]
	if cur.capturing() {
		return cur.update(msg)
	}
	if t, ok := cur.(keyTaker); ok && t.takes(msg) {
		return cur.update(msg)
	}
	switch {
	case key.Matches(msg, keys.Quit):
		return tea.Quit
	case key.Matches(msg, keys.Help):
		r.full = !r.full
	case r.full && key.Matches(msg, keys.Back):
		r.full = false
	case key.Matches(msg, keys.Live):
		return r.show(screenLive)
	case key.Matches(msg, keys.Photos):
		return r.show(screenPhotos)
	case key.Matches(msg, keys.Notes):
		return r.show(screenNotes)
	case key.Matches(msg, keys.NextTab):
		return r.show((r.env.shown + 1) % len(r.screens))
	case key.Matches(msg, keys.PrevTab):
		return r.show((r.env.shown + len(r.screens) - 1) % len(r.screens))
	case key.Matches(msg, keys.Colours):
		return r.switchColours()
	case key.Matches(msg, keys.Snapshot):
		r.setStatus("Taking a snapshot…", false)
		return r.env.app.snapshot(r.env.ctx)
	default:
		return cur.update(msg)
	}
	return nil
}

// show makes screen i the one shown, and gives it the chance to catch up
// with what it let go by while hidden (see shower).
func (r *root) show(i int) tea.Cmd {
	r.env.shown = i
	if s, ok := r.screens[i].(shower); ok {
		return s.shown()
	}
	return nil
}

// shower is a screen that does some of its work only while shown (Photos
// does not copy the album's listings while hidden).
type shower interface{ shown() tea.Cmd }

// keyTaker is a screen that takes some keys before the global ones (the
// note reader's space).
type keyTaker interface{ takes(tea.KeyPressMsg) bool }

// mouser is a screen that may want the mouse.
type mouser interface{ mouse() bool }

// helpKeys are the bindings help shows now: the keys that act now. While
// the screen takes every key (a y/n question, a filter being typed), its
// own and ctrl+c; else its own and the global ones, the short help dropping
// the screen's last keys (each screen lists its keys most used first),
// then snapshot, to fit the window: ? and q stay.
func (r *root) helpKeys() helpKeys {
	cur := r.screens[r.env.shown]
	own := cur.bindings()
	if cur.capturing() {
		return helpKeys{
			short: append(append([]key.Binding(nil), own...), keys.ForceQuitKey),
			full:  [][]key.Binding{own, {keys.ForceQuitKey}},
		}
	}
	snapshot := keys.Snapshot
	if takesSpace(cur) {
		snapshot = keys.SnapshotS
	}
	global := []key.Binding{snapshot, keys.Help, keys.Quit}
	h := r.help
	h.SetWidth(0) // measure, not truncate
	tooWide := func(short []key.Binding) bool {
		r.helpRenders++
		return lipgloss.Width(h.ShortHelpView(short)) > max(r.env.width, 20)
	}
	short := append(append([]key.Binding(nil), own...), global...)
	for n := len(own); n > 0 && tooWide(short); n-- {
		short = append(append(short[:0:0], own[:n-1]...), global...)
	}
	if tooWide(short) {
		short = short[1:] // snapshot too: ? and q stay
	}
	return helpKeys{short: short, full: [][]key.Binding{own, keys.global(snapshot)}}
}

// takesSpace reports whether the screen takes space itself (a filter box
// being typed in), so that only s takes a snapshot.
func takesSpace(s screen) bool {
	t, ok := s.(keyTaker)
	return ok && t.takes(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
}

// helpView is the help bar for a window w cells wide. It is drawn again
// only when what it is drawn from changed: fitting it to the width renders
// it up to as many times as the screen has keys.
func (r *root) helpView(w int) string {
	cur := r.screens[r.env.shown]
	k := helpKey{w: w, full: r.full, dark: r.env.dark, profile: r.env.profile,
		capturing: cur.capturing(), keys: bindingsKey(cur.bindings()), takesSpace: takesSpace(cur)}
	return r.helpBar.get(k, func() string {
		r.help.SetWidth(w)
		r.help.ShowAll = r.full
		r.helpRenders++
		return r.help.View(r.helpKeys())
	})
}

// helpKey is what the help bar is drawn from: the active screen's keys
// and what it does with them (the global keys never change), the window's
// width, full help or short, the colours.
type helpKey struct {
	w                     int
	full, dark            bool
	profile               colorprofile.Profile
	capturing, takesSpace bool
	keys                  string
}

// bindingsKey says what help shows of bs: each binding's help, and
// whether it is enabled.
func bindingsKey(bs []key.Binding) string {
	var b strings.Builder
	for _, k := range bs {
		h := k.Help()
		b.WriteString(h.Key)
		b.WriteByte(0)
		b.WriteString(h.Desc)
		if k.Enabled() {
			b.WriteByte(1)
		} else {
			b.WriteByte(2)
		}
	}
	return b.String()
}

// relayout tells the screens their new size when it changed.
func (r *root) relayout() tea.Cmd {
	w := max(r.env.width, 20)
	h := max(r.env.height, 5) - 1 - lipgloss.Height(r.statusBar(w)) - lipgloss.Height(r.helpView(w))
	b := bodySizeMsg{w: w, h: max(h, 1)}
	if b == r.body {
		return nil
	}
	r.body = b
	return r.broadcast(b)
}

// setStatus shows s in the status bar; names in it (photos, notes, paths in
// errors) are made harmless to the terminal first.
func (r *root) setStatus(s string, isErr bool) {
	r.status, r.statusErr, r.statusAt = termtext.SanitizeName(s), isErr, time.Now()
}

// broadcast sends msg to every screen.
func (r *root) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(r.screens))
	for _, s := range r.screens {
		cmds = append(cmds, s.update(msg))
	}
	return tea.Batch(cmds...)
}

func (r *root) View() (v tea.View) {
	defer func() {
		if p := recover(); p != nil {
			r.crash(p, debug.Stack())
			v = tea.NewView("pistream: internal error; closing this session")
		}
	}()
	v = tea.NewView(r.render())
	v.AltScreen = true
	if m, ok := r.screens[r.env.shown].(mouser); ok && m.mouse() {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "pistream"
	return v
}

// render draws the whole window: tabs, the active screen, status and help.
func (r *root) render() string {
	e := r.env
	if e.width < minWidth || e.height < minHeight {
		return tooSmall(e.width, e.height)
	}
	w, h := max(e.width, 20), max(e.height, 5)
	tabs := r.tabs(w)
	status := r.statusBar(w)
	helpView := r.helpView(w)
	bodyH := max(h-lipgloss.Height(tabs)-lipgloss.Height(status)-lipgloss.Height(helpView), 1)
	scr := r.screens[r.env.shown]
	var body string
	if _, ok := scr.(exactView); ok {
		body = scr.view(w, bodyH) // it keeps its own view while nothing changes
	} else {
		body = r.bodyView.get(bodyKey{r.env.shown, w, bodyH}, func() string {
			return fitBlock(scr.view(w, bodyH), w, bodyH)
		})
	}
	return r.frame.join(w, tabs, body, status, helpView)
}

// The smallest window the TUI draws its screens in: the tabs, the status
// bar on one line, the Photos list (40 wide) beside a picture.
const minWidth, minHeight = 50, 10

// tooSmall is the one line shown instead of the screens in a window
// smaller than minWidth×minHeight.
func tooSmall(w, h int) string {
	return truncate(fmt.Sprintf("pistream: window %d×%d, needs %d×%d", w, h, minWidth, minHeight), max(w, 1))
}

type bodyKey struct{ active, w, h int }

type tabsKey struct {
	w, active int
	dark      bool
}

func (r *root) tabs(w int) string {
	return r.tabsView.get(tabsKey{w, r.env.shown, r.env.dark}, func() string {
		st := r.env.styles
		var parts []string
		for i, name := range screenNames {
			label := " " + string(rune('1'+i)) + " " + name + " "
			if i == r.env.shown {
				parts = append(parts, st.tabActive.Render(label))
			} else {
				parts = append(parts, st.tab.Render(label))
			}
		}
		line := st.title.Render(" pistream ") + " " + strings.Join(parts, " ")
		return lipgloss.NewStyle().MaxWidth(w).Render(line)
	})
}

type statusKey struct {
	w           int
	left, right string
	isErr, dark bool
}

func (r *root) statusBar(w int) string {
	left := r.status
	if left == "" || time.Since(r.statusAt) > 8*time.Second && !r.statusErr {
		left = ""
	}
	k := statusKey{w: w, left: left, right: cameraSummary(r.env.app.Camera.Status()), isErr: r.statusErr && left != "", dark: r.env.dark}
	return r.statusView.get(k, func() string {
		st := r.env.styles
		style := st.status
		if k.isErr {
			style = st.statusErr
		}
		left, right := k.left, truncate(k.right, w-2)
		room := max(w-lipgloss.Width(right)-3, 0)
		var above []string // an error's lines before the last
		if lipgloss.Width(left) > room {
			if k.isErr && room >= 10 {
				// An error is read whole: wrapped at words, on as many
				// lines as it takes, up to maxStatusLines, the camera's
				// state on the last.
				lines := strings.Split(ansi.Wrap(left, room, ""), "\n")
				if len(lines) > maxStatusLines {
					lines = lines[:maxStatusLines]
					lines[maxStatusLines-1] = truncate(lines[maxStatusLines-1]+" …", room)
				}
				above, left = lines[:len(lines)-1], lines[len(lines)-1]
			} else {
				left = truncate(left, room)
			}
		}
		var bar []string
		for _, line := range above {
			bar = append(bar, style.Width(w).MaxWidth(w).Render(" "+line))
		}
		gap := max(w-lipgloss.Width(left)-lipgloss.Width(right)-2, 1)
		bar = append(bar, style.Width(w).MaxWidth(w).Render(" "+left+strings.Repeat(" ", gap)+right+" "))
		return strings.Join(bar, "\n")
	})
}

// maxStatusLines is the most lines the status bar takes for an error.
const maxStatusLines = 4

// truncate shortens s to n cells with an ellipsis.
func truncate(s string, n int) string {
	if lipgloss.Width(s) <= n {
		return s
	}
	if n <= 1 {
		return ""
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r))+1 > n {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
