package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key binding of the TUI; the help view is generated from
// it, so what help shows is what the keys do.
type keyMap struct {
	Live, Photos, Notes key.Binding
	NextTab, PrevTab    key.Binding
	Snapshot            key.Binding
	Colours             key.Binding
	Help                key.Binding
	Quit                key.Binding

	Move         key.Binding
	Filter       key.Binding
	Open         key.Binding
	Back         key.Binding
	Delete       key.Binding
	Undo         key.Binding
	Confirm      key.Binding
	Cancel       key.Binding
	NextPhoto    key.Binding
	PrevPhoto    key.Binding
	FilterApply  key.Binding
	FilterCancel key.Binding
	Scroll       key.Binding
	PageUp       key.Binding
	PageDown     key.Binding
	Top          key.Binding
	Bottom       key.Binding
	SnapshotS    key.Binding
	ForceQuitKey key.Binding
}

var keys = keyMap{
	Live:     key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "live")),
	Photos:   key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "photos")),
	Notes:    key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "notes")),
	NextTab:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
	PrevTab:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
	Snapshot: key.NewBinding(key.WithKeys("s", "space"), key.WithHelp("s/space", "snapshot")),
	Colours:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "true colour on/off")),
	Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),

	// The lists and the note's viewport match these keys themselves.
	Move:    key.NewBinding(key.WithKeys("up", "k", "down", "j"), key.WithHelp("↑↓/kj", "move")),
	Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
	Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
	Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	Delete:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
	Undo:    key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo delete")),
	Confirm: key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
	Cancel:  key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no")),
	// The photo shown full-window: one step through the list.
	NextPhoto: key.NewBinding(key.WithKeys("right", "l", "down", "j"), key.WithHelp("→/l/j", "next photo")),
	PrevPhoto: key.NewBinding(key.WithKeys("left", "h", "up", "k"), key.WithHelp("←/h/k", "previous photo")),
	// While a filter is typed the list takes the keys: these are its own.
	FilterApply:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter")),
	FilterCancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel filter")),
	Scroll:       key.NewBinding(key.WithKeys("up", "k", "down", "j"), key.WithHelp("↑↓/kj", "scroll")),
	// The note reader's, as in less and glow; the viewport matches the
	// page keys itself.
	PageUp:    key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("b/pgup", "page up")),
	PageDown:  key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("space/pgdn", "page down")),
	Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
	Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
	SnapshotS: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "snapshot")), // where space pages

	ForceQuitKey: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
}

// helpKeys adapts the bindings of one screen to help.KeyMap.
type helpKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h helpKeys) ShortHelp() []key.Binding  { return h.short }
func (h helpKeys) FullHelp() [][]key.Binding { return h.full }

// global are the bindings every screen has, with snapshot as the screen
// takes it (s only, while it takes space itself).
func (k keyMap) global(snapshot key.Binding) []key.Binding {
	return []key.Binding{k.Live, k.Photos, k.Notes, k.NextTab, k.PrevTab, snapshot, k.Colours, k.Help, k.Quit}
}
