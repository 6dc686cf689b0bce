package notes

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/glamour/v2"
	"github.com/charmbracelet/x/ansi"

	"pistream/internal/termtext"
)

// MinWidth is the narrowest word-wrap width [Render] uses.
const MinWidth = 20

// Limits applied before rendering. Glamour's time grows with the square of
// the nesting depth and linearly with the size of the document, and
// goldmark's inline parsing is quadratic in the paragraph size for some
// inputs (unclosed links, backticks, runs of emphasis), so pathological
// notes are reshaped and very large ones cut short. Ordinary notes pass
// unchanged.
const (
	maxMarkers   = 8       // container markers (">", "-", "1.") per line
	maxIndent    = 40      // spaces in a run before or between markers
	maxLine      = 4 << 10 // bytes per line
	maxParagraph = 8 << 10 // bytes of consecutive non-blank lines
	maxCost      = 10_000  // total lineCost rendered, ≈ ½ s on a laptop
	maxCells     = 250_000 // total cellCost rendered, ≈ 35 MB of glamour's heap
)

// Render sanitises markdown (see [termtext.Sanitize]) and renders it for a terminal
// with glamour's standard dark or light style, wrapped to width display
// cells (at least MinWidth). The only escape sequences in the result are
// glamour's SGR colour and attribute sequences ("ESC [ … m"); hyperlinks
// and anything else are removed.
//
// To bound the time taken, Render caps nesting, line and paragraph length,
// and renders only the beginning of a very large note (a few thousand lines
// of typical text), ending the result with a line that says so.
func Render(markdown string, width int, dark bool) (string, error) {
	width = max(width, MinWidth)
	r, err := glamour.NewTermRenderer(
		glamour.WithStyles(glamourStyle(dark)),
		glamour.WithWordWrap(width),
	)
	if err != nil {
		return "", fmt.Errorf("render note: %w", err)
	}
	md, shown := tame(expandTabs(termtext.Sanitize(markdown)), width)
	out, err := r.Render(md)
	if err != nil {
		return "", fmt.Errorf("render note: %w", err)
	}
	out = termtext.OnlySGR(out)
	if shown < 100 {
		out += fmt.Sprintf("\n  … note too long to display: only the first %d%% is shown\n", shown)
	}
	// Glamour does not break long words, URLs or code lines.
	return ansi.Hardwrap(out, width, true), nil
}

// expandTabs replaces tabs with spaces up to the next multiple of four
// columns, CommonMark's tab stop, so that the output's width is known.
func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	col := 0
	for _, r := range s {
		switch r {
		case '\t':
			n := 4 - col%4
			b.WriteString("    "[:n])
			col += n
		case '\n':
			b.WriteByte('\n')
			col = 0
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

// tame enforces the limits above for a rendering width columns wide. It
// splits lines longer than maxLine, separates runs of non-blank lines
// longer than maxParagraph with a blank line, drops container markers and
// indentation beyond maxMarkers and maxIndent, and stops once the lines'
// cost reaches maxCost or their cells maxCells. It returns the result and
// the percentage of md it covers.
func tame(md string, width int) (out string, shown int) {
	var b strings.Builder
	b.Grow(len(md))
	cost, cells := 0, 0
	para := 0     // bytes in the current run of non-blank lines
	headings := 0 // lines that may be headings
	rest := md
	for rest != "" && cost < maxCost && cells < maxCells {
		line := rest
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		if len(line) > maxLine {
			cut := maxLine
			for !utf8.RuneStart(line[cut]) {
				cut--
			}
			line = line[:cut]
		}
		rest = rest[len(line):]
		line, depth := capPrefix(line)
		cost += lineCost(line, depth)
		cells += cellCost(line, width)
		if heading(line) {
			// Goldmark makes heading IDs unique by trying "id-1", "id-2",
			// … in turn: quadratic in the number of equal headings.
			headings++
			cost += headings / 128
			cells += width // and glamour writes a blank row after it
		}
		if strings.TrimSpace(line) == "" {
			para = 0
		} else {
			if para > 0 && para+len(line) > maxParagraph {
				b.WriteByte('\n')
				para = 0
			}
			para += len(line)
		}
		b.WriteString(line)
		if !strings.HasSuffix(line, "\n") && rest != "" {
			b.WriteByte('\n') // split a long line
		}
	}
	if rest == "" {
		return b.String(), 100
	}
	return b.String(), min(99, max(1, 100*(len(md)-len(rest))/len(md)))
}

// lineCost estimates the cost of rendering line, nested depth levels deep,
// in units of roughly 50 µs on a laptop (see TestPathological).
func lineCost(line string, depth int) int {
	return (1+depth)*(1+depth) + len(line)/16
}

// cellCost estimates the memory glamour takes to render line width
// columns wide, in cells of its output: glamour pads every line it writes
// to the full width, keeps each cell's colour apart, and holds the whole
// output and the syntax tree at once (about 130 bytes of heap a cell). The
// wrapped line takes width cells a row; each run of inline markup (an
// unclosed "[", a backtick, an emphasis run) becomes a node of its own and
// costs nodeCells.
func cellCost(line string, width int) int {
	const nodeCells = 5
	nodes := 0
	for i := 0; i < len(line); i++ {
		c := line[i]
		if !strings.ContainsRune(inlineMarkup, rune(c)) {
			continue
		}
		if c == '[' || i == 0 || line[i-1] != c {
			nodes++
		}
	}
	return (1+len(line)/width)*width + nodes*nodeCells
}

// inlineMarkup holds the bytes that open goldmark's inline parsers.
const inlineMarkup = "[]!`<\\&*_~"

// heading reports whether line may be an ATX heading or a setext heading
// underline, after any container markers.
func heading(line string) bool {
	text := strings.TrimLeft(line, " \t>-*+0123456789.)")
	if strings.HasPrefix(text, "#") {
		return true
	}
	text = strings.TrimSpace(line)
	return text != "" && (strings.Trim(text, "=") == "" || strings.Trim(text, "- ") == "")
}

// capPrefix drops from the start of line, whose tabs have been expanded,
// the container markers beyond maxMarkers with the spaces after them, and
// the spaces of a run beyond maxIndent. It also returns the nesting depth
// the remaining prefix may open: a level per marker and per two columns of
// indentation.
func capPrefix(line string) (capped string, depth int) {
	var b strings.Builder
	markers, run, indent, i := 0, 0, 0, 0
	dropped := false
	for i < len(line) {
		if line[i] == ' ' {
			run++
			if markers == 0 {
				indent = run
			}
			if run > maxIndent || markers > maxMarkers {
				dropped = true
			} else {
				b.WriteByte(' ')
			}
			i++
			continue
		}
		n := markerLen(line[i:])
		if n == 0 {
			break
		}
		markers++
		run = 0
		if markers > maxMarkers {
			dropped = true
		} else {
			b.WriteString(line[i : i+n])
		}
		i += n
	}
	depth = min(markers, maxMarkers) + min(indent, maxIndent)/2
	if !dropped {
		return line, depth
	}
	b.WriteString(line[i:])
	return b.String(), depth
}

// markerLen returns the length of the block quote marker (">") or list
// marker ("-", "*", "+", "1.", "1)") s starts with, or 0.
func markerLen(s string) int {
	n := 0
	switch {
	case s[0] == '>':
		return 1
	case s[0] == '-' || s[0] == '*' || s[0] == '+':
		n = 1
	default:
		for n < 9 && n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 0 || n == len(s) || s[n] != '.' && s[n] != ')' {
			return 0
		}
		n++
	}
	// A list marker is followed by whitespace or the end of the line.
	if n < len(s) && !strings.ContainsRune(" \t\r\n", rune(s[n])) {
		return 0
	}
	return n
}
