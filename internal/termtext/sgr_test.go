package termtext

import "testing"

// escapeTests are shared by TestOnlySGR and the FuzzOnlySGR seed corpus.
var escapeTests = []struct {
	name, in, want string
	safe           bool
}{
	{"plain", "text\n", "text\n", true},
	{"SGR", "\x1b[1;38;5;252mbold\x1b[0m\x1b[m", "\x1b[1;38;5;252mbold\x1b[0m\x1b[m", true},
	{"SGR colon", "\x1b[38:2::1:2:3mx", "\x1b[38:2::1:2:3mx", true},
	{"OSC 8 ST", "\x1b]8;id=1;http://x\x1b\\link\x1b]8;;\x1b\\", "link", false},
	{"OSC BEL", "a\x1b]0;title\x07b", "ab", false},
	{"OSC unterminated", "a\x1b]0;title", "a", false},
	{"OSC then SGR", "\x1b]0;t\x1b[31mx", "\x1b[31mx", false},
	{"CSI clear", "\x1b[2Jx", "x", false},
	{"CSI private", "\x1b[?25lx", "x", false},
	{"CSI intermediate", "\x1b[1 qx", "x", false},
	{"CSI private m", "\x1b[>4;2mx", "x", false},
	{"CSI unterminated", "x\x1b[31", "x", false},
	{"CSI bad final", "\x1b[3\x07x", "␇x", false},
	{"DCS", "\x1bP1$r\x1b\\x", "x", false},
	{"APC", "\x1b_Gi=1\x1b\\x", "x", false},
	{"two-byte", "\x1b7x\x1b8", "x", false},
	{"charset", "\x1b(0x", "x", false},
	{"lone ESC", "x\x1b", "x", false},
	{"ESC ESC", "\x1b\x1b[1mx", "\x1b[1mx", false},
	{"C0 in text", "a\x07b\rc", "a␇b␍c", false},
	{"C1 in text", "a\u009b2Jb", "a<U+009B>2Jb", false},
	{"invalid UTF-8", "a\xffb", "a\uFFFDb", false},
}

func TestOnlySGR(t *testing.T) {
	for _, tt := range escapeTests {
		t.Run(tt.name, func(t *testing.T) {
			got := OnlySGR(tt.in)
			if got != tt.want {
				t.Errorf("OnlySGR(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !SafeANSI(got) {
				t.Errorf("SafeANSI(OnlySGR(%q)) = false", tt.in)
			}
			if SafeANSI(tt.in) != tt.safe {
				t.Errorf("SafeANSI(%q) = %v, want %v", tt.in, !tt.safe, tt.safe)
			}
		})
	}
}

func FuzzOnlySGR(f *testing.F) {
	for _, tt := range escapeTests {
		f.Add(tt.in)
	}
	for _, tt := range sanitizeTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := OnlySGR(in)
		if !SafeANSI(out) {
			t.Fatalf("OnlySGR(%q) = %q, not safe", in, out)
		}
		if again := OnlySGR(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
	})
}
