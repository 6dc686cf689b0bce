package termtext

import (
	"testing"
	"unicode/utf8"
)

// sanitizeTests are shared by TestSanitize and the fuzz seed corpora.
var sanitizeTests = []struct {
	name, in, want string
}{
	{"empty", "", ""},
	{"plain", "hello, world", "hello, world"},
	{"newline and tab kept", "a\n\tb\n", "a\n\tb\n"},
	{"unicode kept", "größe 日本 🙂 \uFFFD", "größe 日本 🙂 \uFFFD"},
	{"OSC title", "\x1b]0;pwned\x07", "␛]0;pwned␇"},
	{"OSC 8 link", "\x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\", "␛]8;;http://evil␛\\x␛]8;;␛\\"},
	{"clear screen", "\x1b[2J", "␛[2J"},
	{"SGR", "\x1b[31mred\x1b[0m", "␛[31mred␛[0m"},
	{"C1 CSI", "\u009b31m", "<U+009B>31m"},
	{"C1 range", "\u0080\u009f", "<U+0080><U+009F>"},
	{"CRLF", "a\r\nb\r\n", "a\nb\n"},
	{"lone CR", "abc\rdef", "abc␍def"},
	{"CR at end", "abc\r", "abc␍"},
	{"CR CR LF", "a\r\r\nb", "a␍\nb"},
	{"NUL", "a\x00b", "a␀b"},
	{"BEL BS", "\x07\x08", "␇␈"},
	{"VT FF", "\x0b\x0c", "␋␌"},
	{"US", "\x1f", "␟"},
	{"DEL", "a\x7fb", "a␡b"},
	{"invalid UTF-8", "a\xff\xfeb", "a\uFFFD\uFFFDb"},
	{"truncated rune", "\xe6\x97", "\uFFFD\uFFFD"},
	{"bidi override", "abc\u202egnp.exe", "abc<U+202E>gnp.exe"},
	{"bidi embeddings", "\u202a\u202b\u202c\u202d", "<U+202A><U+202B><U+202C><U+202D>"},
	{"bidi isolates", "\u2066\u2067\u2068\u2069", "<U+2066><U+2067><U+2068><U+2069>"},
	{"control pictures kept", "␛[2J", "␛[2J"},
}

func TestSanitize(t *testing.T) {
	for _, tt := range sanitizeTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSanitizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Shopping list", "Shopping list"},
		{"two\nlines", "two␊lines"},
		{"tab\there", "tab␉here"},
		{"crlf\r\n", "crlf␍␊"},
		{"\x1b]0;pwned\x07", "␛]0;pwned␇"},
		{"\u009b2J", "<U+009B>2J"},
		{"bad \xff", "bad \uFFFD"},
		{"\u202eevil", "<U+202E>evil"},
	}
	for _, tt := range tests {
		if got := SanitizeName(tt.in); got != tt.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// checkSanitized reports what makes s unacceptable as sanitised output, or "".
func checkSanitized(s string, oneLine bool) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && (oneLine || c != '\n' && c != '\t') || c == 0x7f {
			return "forbidden byte"
		}
	}
	for _, r := range s {
		if unsafeRune(r) {
			return "C1 control or bidi character"
		}
	}
	return ""
}

func FuzzSanitize(f *testing.F) {
	for _, tt := range sanitizeTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, oneLine := range []bool{false, true} {
			out := sanitize(in, oneLine)
			if msg := checkSanitized(out, oneLine); msg != "" {
				t.Fatalf("sanitize(%q, %v) = %q: %s", in, oneLine, out, msg)
			}
			if again := sanitize(out, oneLine); again != out {
				t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
			}
			if checkSanitized(in, oneLine) == "" && out != in {
				t.Fatalf("clean input changed: %q → %q", in, out)
			}
		}
	})
}
