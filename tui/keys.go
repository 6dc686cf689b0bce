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

	Up, Down     key.Binding
	Filter       key.Binding
	Open         key.Binding
	Back         key.Binding
	Delete       key.Binding
	Undo         key.Binding
	Confirm      key.Binding
	Cancel       key.Binding
	ScrollUp     key.Binding
	ScrollDown   key.Binding
	PageUp       key.Binding
	PageDown     key.Binding
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

	Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
	Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
	Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
	Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
	Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	Delete:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
	Undo:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo delete")),
	Confirm:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
	Cancel:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
	ScrollUp:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
	ScrollDown: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
	PageUp:     key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
	PageDown:   key.NewBinding(key.WithKeys("pgdown", "f"), key.WithHelp("pgdn", "page down")),

	ForceQuitKey: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
}

// helpKeys adapts the bindings of one screen to help.KeyMap.
type helpKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h helpKeys) ShortHelp() []key.Binding  { return h.short }
func (h helpKeys) FullHelp() [][]key.Binding { return h.full }

// global are the bindings every screen has.
func (k keyMap) global() []key.Binding {
	return []key.Binding{k.Live, k.Photos, k.Notes, k.NextTab, k.PrevTab, k.Snapshot, k.Colours, k.Help, k.Quit}
}
