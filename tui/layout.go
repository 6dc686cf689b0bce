package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Laying out a screen with lipgloss measures every line of it, escape
// sequences and all, several times over: for the Live picture, some 40 KB
// of colour sequences, at every update of every session. What is laid out
// here is built from pieces whose widths are already known instead.

// fitBlock makes s exactly w×h cells: lines wrapped or truncated to w and
// padded to it, lines beyond h dropped, blank lines added up to h.
func fitBlock(s string, w, h int) string {
	return lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).MaxWidth(w).Render(s)
}

// exactView is implemented by a screen whose view is always exactly the
// width×height asked for, every line padded to the width: the root uses it
// as it is, without fitting it again.
type exactView interface{ exact() }

// block builds text of exactly w×h cells, line by line, from pieces of
// known width.
type block struct {
	b    strings.Builder
	w, h int
	n    int // lines ended
	x    int // cells on the current line
}

func newBlock(w, h, size int) *block {
	b := &block{w: w, h: h}
	b.b.Grow(size + w*h)
	return b
}

// put adds s, sw cells wide, to the current line, and spaces after it up to
// pad cells. Lines beyond h are dropped.
func (b *block) put(s string, sw, pad int) {
	if b.n >= b.h {
		return
	}
	b.b.WriteString(s)
	b.space(pad - sw)
	b.x += max(sw, pad)
}

// end pads the current line with spaces to w cells and ends it.
func (b *block) end() {
	if b.n >= b.h {
		return
	}
	b.space(b.w - b.x)
	b.n++
	b.x = 0
	if b.n < b.h {
		b.b.WriteByte('\n')
	}
}

func (b *block) space(n int) {
	for range n {
		b.b.WriteByte(' ')
	}
}

// String is the block, with blank lines added up to h.
func (b *block) String() string {
	for b.n < b.h {
		b.end()
	}
	return b.b.String()
}

// cached is a drawn string and what it was drawn from.
type cached[K comparable] struct {
	key  K
	text string
}

// get returns the text drawn for key, drawing it if key changed.
func (c *cached[K]) get(key K, draw func() string) string {
	if c.text == "" || c.key != key {
		c.key, c.text = key, draw()
	}
	return c.text
}

// frame is the whole window, joined from its parts as lipgloss.JoinVertical
// would, and kept while the parts stay the same.
type frame struct {
	parts [4]string // tabs, body, status, help
	text  string
}

// join stacks tabs, body (exactly w cells wide), status and help, each line
// padded with spaces to the widest. It returns the last frame when no part
// changed.
func (f *frame) join(w int, tabs, body, status, help string) string {
	parts := [4]string{tabs, body, status, help}
	if f.text != "" && parts == f.parts {
		return f.text
	}
	type piece struct {
		lines  []string
		widths []int
	}
	pieces := make([]piece, len(parts))
	widest := w
	for i, s := range parts {
		p := piece{lines: strings.Split(s, "\n")}
		p.widths = make([]int, len(p.lines))
		for j, line := range p.lines {
			if i == 1 {
				p.widths[j] = w
			} else {
				p.widths[j] = lipgloss.Width(line)
			}
			widest = max(widest, p.widths[j])
		}
		pieces[i] = p
	}
	n := 0
	for _, p := range pieces {
		n += len(p.lines)
	}
	b := newBlock(widest, n, len(body)+len(tabs)+len(status)+len(help))
	for _, p := range pieces {
		for j, line := range p.lines {
			b.put(line, p.widths[j], 0)
			b.end()
		}
	}
	f.parts, f.text = parts, b.String()
	return f.text
}
