package notes

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"pistream/internal/termtext"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// render calls Render and fails the test on an error or unsafe output.
func render(t testing.TB, md string, width int, dark bool) string {
	t.Helper()
	out, err := Render(md, width, dark)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !termtext.SafeANSI(out) {
		t.Fatalf("Render(%q) output has escapes other than SGR: %q", md, out)
	}
	return out
}

// checkWidth fails t if a line of out is wider than width cells.
func checkWidth(t testing.TB, out string, width int) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(line); w > width {
			t.Fatalf("line %d is %d cells wide, more than %d: %q", i+1, w, width, ansi.Strip(line))
		}
	}
}

func TestRender(t *testing.T) {
	out := ansi.Strip(render(t, "# Heading\n\n- item one\n- item **bold** two\n", 60, true))
	for _, want := range []string{"Heading", "item one", "bold"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"# Heading", "**", "- item"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains raw markdown %q:\n%s", bad, out)
		}
	}
}

func TestRenderWidth(t *testing.T) {
	note, err := os.ReadFile("testdata/note.md")
	if err != nil {
		t.Fatal(err)
	}
	md := string(note) + "\n" +
		"A very long word: " + strings.Repeat("x", 150) + "\n\n" +
		"Wide characters: " + strings.Repeat("日本語 ", 30) + "\n\n" +
		"```\n\tindented\twith\ttabs " + strings.Repeat("y", 100) + "\n```\n\n" +
		strings.Repeat("- nested\n  ", 12) + "- deepest item with some words to wrap around\n"
	for _, width := range []int{0, 20, 33, 60, 100} {
		out := render(t, md, width, true)
		checkWidth(t, out, max(width, MinWidth))
		if strings.Contains(out, "\t") {
			t.Errorf("width %d: output contains a tab", width)
		}
	}
}

func TestRenderEscapes(t *testing.T) {
	md := "# Title \x1b]0;pwned\x07\n\nclear \x1b[2J red \x1b[31mred\x1b[0m c1 \u009b31m bell \x07 cr \r bidi \u202eabc\n\n" +
		"[link](https://example.com/\x1b]8;;evil\x1b\\) <https://example.com/auto>\n"
	out := render(t, md, 80, true)
	text := ansi.Strip(out)
	for _, want := range []string{"␛]0;pwned␇", "␛[2J", "␛[31mred␛[0m", "<U+009B>31m", "␇", "␍", "<U+202E>abc"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks visible %q:\n%s", want, text)
		}
	}
	if strings.Contains(out, "\x1b]") {
		t.Error("output contains an OSC sequence")
	}
}

func TestRenderStyles(t *testing.T) {
	md := "# Title\n\nSome *text* and `code`.\n"
	dark, light := render(t, md, 60, true), render(t, md, 60, false)
	if dark == light {
		t.Error("dark and light renderings are the same")
	}
	if ansi.Strip(dark) == "" || !strings.Contains(ansi.Strip(light), "Title") {
		t.Error("rendering lost the text")
	}
}

func TestRenderGolden(t *testing.T) {
	note, err := os.ReadFile("testdata/note.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, style := range []struct {
		name string
		dark bool
	}{{"dark", true}, {"light", false}} {
		out := render(t, string(note), 60, style.dark)
		golden := filepath.Join("testdata", "note."+style.name+".golden")
		if *update {
			must(t, os.WriteFile(golden, []byte(out), 0o644))
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if out != string(want) {
			t.Errorf("%s rendering differs from %s (run go test -update to accept):\n%s", style.name, golden, ansi.Strip(out))
		}
	}
}

func TestTame(t *testing.T) {
	note, err := os.ReadFile("testdata/note.md")
	if err != nil {
		t.Fatal(err)
	}
	ordinary := termtext.Sanitize(string(note)) + strings.Repeat("- a\n  - b\n    - c\n", 100) + "> > > quote\n"
	if got, shown := tame(ordinary, 80); got != ordinary || shown != 100 {
		t.Errorf("tame changed an ordinary note (shown %d%%)", shown)
	}

	tests := []struct {
		name, in, want string
	}{
		{"quotes", strings.Repeat(">", 100) + " x\n", ">>>>>>>>x\n"},
		{"indented markers", strings.Repeat(" ", 50) + "-" + strings.Repeat(" ", 50) + "x\n", strings.Repeat(" ", maxIndent) + "-" + strings.Repeat(" ", maxIndent) + "x\n"},
		{"spaced quotes", strings.Repeat("> ", 100) + "x\n", "> > > > > > > > x\n"},
		{"bullets", strings.Repeat("- ", 100) + "x\n", "- - - - - - - - x\n"},
		{"ordered", strings.Repeat("1. ", 100) + "x", "1. 1. 1. 1. 1. 1. 1. 1. x"},
		{"indent", strings.Repeat(" ", 100) + "- x\n", strings.Repeat(" ", maxIndent) + "- x\n"},
		{"thematic break", strings.Repeat("* ", 20) + "\n", "* * * * * * * * \n"},
		{"not markers", "-x *y 1.z >w\n", "-x *y 1.z >w\n"},
	}
	for _, tt := range tests {
		if got, _ := tame(tt.in, 80); got != tt.want {
			t.Errorf("tame(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}

	long := strings.Repeat("é", maxLine) // 2 bytes a rune: the cut falls on a rune boundary
	got, _ := tame(long, 80)
	for line := range strings.Lines(got) {
		if len(line) > maxLine+1 {
			t.Errorf("tame left a %d-byte line", len(line))
		}
	}
	if strings.ReplaceAll(got, "\n", "") != long {
		t.Error("tame lost text splitting a long line")
	}

	para := strings.Repeat(strings.Repeat("w", 99)+"\n", 1000)
	got, _ = tame(para, 80)
	if n := strings.Count(got, "\n\n"); n < len(para)/maxParagraph {
		t.Errorf("tame split a %d-byte paragraph %d times", len(para), n)
	}

	huge := strings.Repeat("- item\n", 100_000)
	got, shown := tame(huge, 80)
	if shown >= 100 || len(got) >= len(huge) {
		t.Errorf("tame kept %d%% (%d bytes) of a huge note", shown, len(got))
	}
	out := render(t, huge, 60, true)
	if !strings.Contains(ansi.Strip(out), "note too long to display") {
		t.Error("truncated rendering does not say so")
	}
}

// hostile is the note of issue 9: 200,000 "[", under MaxSize. Eight
// sessions rendering it at once took 650 MB.
var hostile = strings.Repeat("[", 200_000)

// pathological returns notes built to be slow to render.
func pathological() []struct{ name, md string } {
	fill := func(unit string) string { return strings.Repeat(unit, MaxSize/len(unit)) }
	deep := func() string {
		var b strings.Builder
		for i := 0; b.Len() < MaxSize; i++ {
			b.WriteString(strings.Repeat(" ", i%8*8) + strings.Repeat("- ", 10) + "x\n")
		}
		return b.String()
	}()
	return []struct{ name, md string }{
		{"10,000 nested quotes", strings.Repeat(">", 10_000) + " x\n"},
		{"10,000 nested lists", strings.Repeat("- ", 10_000) + "x\n"},
		{"1 MiB of 100-deep quotes", fill(strings.Repeat("> ", 100) + "x\n\n")},
		{"1 MiB of indented lists", deep},
		{"1 MiB line of words", fill("word ")},
		{"1 MiB word", fill("a")},
		{"1 MiB code line", "```\n" + fill("x") + "\n```\n"},
		{"1 MiB of list items", fill("- x\n")},
		{"1 MiB of headings", fill("# x\n")},
		{"1 MiB of paragraphs", fill("x\n\n")},
		{"1 MiB of escapes", fill("\x1b]0;x\x07\x1b[2J")},
		{"unclosed links", fill("[a](")},
		{"unclosed code spans", fill("`a")},
		{"emphasis runs", fill("*a_b*c_d**e_f*g**h*i_j**")},
		{"link titles", fill("[ (](")},
		{"200,000 link openers", hostile},
	}
}

// TestPathological checks that notes built to be slow render to safe
// output of the asked width. How long they take is BenchmarkPathological's
// business: a time limit here failed on slow or busy machines.
func TestPathological(t *testing.T) {
	for _, tt := range pathological() {
		out := render(t, tt.md, 80, true)
		checkWidth(t, out, 80)
		if strings.TrimSpace(ansi.Strip(out)) == "" {
			t.Errorf("%s: rendered to nothing", tt.name)
		}
	}
}

// renderTarget is the longest a pathological note may take to render: 4×
// the worst seen on a laptop.
const renderTarget = 2 * time.Second

// BenchmarkPathological renders each pathological note and reports the
// time per render in ms and as a share of renderTarget; it fails a note
// that misses the target.
func BenchmarkPathological(b *testing.B) {
	for _, tt := range pathological() {
		b.Run(strings.ReplaceAll(tt.name, " ", "_"), func(b *testing.B) {
			var out string
			for b.Loop() {
				out = render(b, tt.md, 80, true)
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "ms/render")
			b.ReportMetric(float64(per)/float64(renderTarget), "of-target")
			b.ReportMetric(float64(len(out)), "out-bytes")
			if per > renderTarget {
				b.Errorf("%s: rendering took %v, more than the target %v", tt.name, per, renderTarget)
			}
		})
	}
}

func FuzzRender(f *testing.F) {
	note, err := os.ReadFile("testdata/note.md")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(note), 60, true)
	// Hostile text; termtext's tests have many more.
	for _, in := range []string{
		"\x1b]0;pwned\x07", "\x1b[2J\x1b[H", "\x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\",
		"\x1bP1$r\x1b\\x", "x\x1b[31", "a\r\nb\rc\x00\x7f", "\u009b31m \u202egnp.exe", "a\xff\xfeb",
	} {
		f.Add(in, 20, false)
		f.Add(in, 40, true)
	}
	f.Add(strings.Repeat(">", 1000)+" x", 30, true)
	f.Add(strings.Repeat("- ", 1000)+"x", 25, false)
	f.Add("[x](https://e.com/\x1b]8;;y\x07) <https://a.b/\u009b>", 20, true)
	f.Add("|a|b|\n|-|-|\n|"+strings.Repeat("日本", 50)+"|x|\n", 21, true)
	f.Fuzz(func(t *testing.T, md string, width int, dark bool) {
		if len(md) > 4<<10 {
			t.Skip("input over 4 KiB")
		}
		width = max(width%200, 0)
		out := render(t, md, width, dark)
		checkWidth(t, out, max(width, MinWidth))
	})
}
