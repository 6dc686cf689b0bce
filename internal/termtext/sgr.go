package termtext

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// OnlySGR returns s without escape sequences other than SGR ("ESC [ … m",
// colours and attributes): other CSI sequences, OSC (hyperlinks, titles),
// DCS, SOS, PM and APC strings and two-byte escapes are dropped whole, an
// unterminated one to the end of s, and the text between sequences is
// sanitised (see [Sanitize]).
func OnlySGR(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	p := ansi.NewParser()
	for s != "" {
		i := strings.IndexByte(s, ansi.ESC)
		if i < 0 {
			b.WriteString(Sanitize(s))
			break
		}
		b.WriteString(Sanitize(s[:i]))
		seq, sgr := escape(p, s[i:])
		if sgr {
			b.WriteString(seq)
		}
		s = s[i+len(seq):]
	}
	return b.String()
}

// SafeANSI reports whether every ESC in s begins a plain SGR sequence
// ("ESC [" parameters of digits, ';' and ':', then "m") and s holds no other
// control character but '\n' and '\t', no C1 control and no invalid UTF-8:
// whether s, as OnlySGR returns it, is safe to send to a terminal.
func SafeANSI(s string) bool {
	p := ansi.NewParser()
	for s != "" {
		i := strings.IndexByte(s, ansi.ESC)
		if i < 0 {
			return clean(s, false)
		}
		if !clean(s[:i], false) {
			return false
		}
		seq, sgr := escape(p, s[i:])
		if !sgr {
			return false
		}
		s = s[i+len(seq):]
	}
	return true
}

// escape splits off the escape sequence s starts with (s[0] is ESC), as a
// terminal's parser reads it, and reports whether it is a plain SGR
// sequence: no private prefix ("?", ">") or intermediate bytes, and
// parameters of digits, ';' and ':' only. A sequence cut short by a control
// character or a new ESC ends there; an unterminated one runs to the end
// of s.
func escape(p *ansi.Parser, s string) (seq string, sgr bool) {
	p.Reset()
	_, _, n, state := ansi.DecodeSequence(s, ansi.NormalState, p)
	seq = s[:max(n, 1)]
	params, _ := strings.CutPrefix(seq, "\x1b[")
	params, ok := strings.CutSuffix(params, "m")
	if !ok || state != ansi.NormalState {
		return seq, false
	}
	cmd := ansi.Cmd(p.Command())
	sgr = cmd.Final() == 'm' && cmd.Prefix() == 0 && cmd.Intermediate() == 0 &&
		strings.Trim(params, "0123456789;:") == ""
	return seq, sgr
}
