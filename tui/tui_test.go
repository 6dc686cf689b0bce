package tui

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"charm.land/log/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"pistream/album"
	"pistream/album/index/indextest"
	"pistream/camera"
	"pistream/notes"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Dates on the golden screens are in UTC, whatever the machine's zone. Set
// before any test starts a goroutine that reads the clock.
func init() { time.Local = time.UTC }

// driver runs a root model in-process: it executes commands one at a time
// and feeds their messages back, as Bubble Tea would. The commands that
// wait for something from outside the session (ticks, changes of the album
// or the notes, pauses: see env.waiting) are held instead of run: fire
// delivers what one waits for, when a test says it came. Every other
// command runs to its end, however slow the machine.
type driver struct {
	t    testing.TB
	m    tea.Model
	held []tea.Msg // what the model's waits would deliver, oldest first
}

// heldMsg is what a wait gives the driver instead of waiting: the message
// it would deliver.
type heldMsg struct{ msg tea.Msg }

// commandGuard is how long the driver lets a command run before it fails
// the test: such a command waits for a change without saying so.
const commandGuard = time.Minute

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.run(cmd)
}

// run executes cmd and everything it leads to: batches and sequences one
// command after the other, in order.
func (d *driver) run(cmd tea.Cmd) {
	d.t.Helper()
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(commandGuard):
		d.t.Fatalf("a command has not returned after %v: does it wait for a change without env.waiting?", commandGuard)
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		for i := range v.Len() { // tea.BatchMsg, or Bubble Tea's unexported sequence
			d.run(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	switch msg := msg.(type) {
	case nil:
	case heldMsg:
		d.held = append(d.held, msg.msg)
	default:
		// A focused filter's cursor blinks for ever, a blink a tick.
		if strings.HasPrefix(reflect.TypeOf(msg).String(), "cursor.") {
			return
		}
		d.send(msg)
	}
}

// waits reports how many of the model's waits are for messages of msg's
// type.
func (d *driver) waits(msg tea.Msg) int {
	n := 0
	for _, h := range d.held {
		if reflect.TypeOf(h) == reflect.TypeOf(msg) {
			n++
		}
	}
	return n
}

// fire delivers msg as the oldest wait for its type would, once what it
// waits for came (the test made the change first). The model must be
// waiting for it.
func (d *driver) fire(msg tea.Msg) {
	d.t.Helper()
	for i, h := range d.held {
		if reflect.TypeOf(h) == reflect.TypeOf(msg) {
			d.held = slices.Delete(d.held, i, i+1)
			d.send(msg)
			return
		}
	}
	d.t.Fatalf("the model waits for no %T", msg)
}

func (d *driver) key(s string) {
	d.t.Helper()
	var k tea.KeyPressMsg
	switch s {
	case "enter":
		k = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		k = tea.KeyPressMsg{Code: tea.KeyEscape}
	default:
		r := []rune(s)[0]
		k = tea.KeyPressMsg{Code: r, Text: s}
	}
	d.send(k)
}

func (d *driver) screen() string {
	return ansi.Strip(d.m.View().Content)
}

// slowScreen is a screen whose command for a key press takes slow before
// it reports, as an album listing or a note's render may on a loaded
// machine.
type slowScreen struct {
	countingScreen
	slow time.Duration
}

func (s *slowScreen) update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(tea.KeyPressMsg); !ok {
		return nil
	}
	return func() tea.Msg {
		time.Sleep(s.slow)
		return statusMsg{text: "the slow command's news"}
	}
}

// The driver runs a command that works to its end, however long it takes:
// a slow one is not taken for one that waits for a change (it was, after
// 2 s, and its message silently dropped).
func TestDriverRunsSlowCommands(t *testing.T) {
	app, _, _ := newTestApp(t)
	d := newDriver(t, app)
	d.m.(*root).screens[screenLive] = &slowScreen{slow: 3 * time.Second}
	d.key("x")
	if s := d.screen(); !strings.Contains(s, "the slow command's news") {
		t.Errorf("the slow command's message did not arrive:\n%s", s)
	}
}

// The driver knows the commands that wait for a change from outside the
// session without running them: the tick and the watches of the album
// and of the notes are held from the start. A change fired through one is
// shown, and the screen waits for the next.
func TestDriverHoldsWaits(t *testing.T) {
	app, photosDir, notesDir := newTestApp(t)
	d := newDriver(t, app)
	for _, msg := range []tea.Msg{tickMsg{}, albumChangedMsg{}, notesChangedMsg{}} {
		if n := d.waits(msg); n != 1 {
			t.Errorf("the model waits %d times for %T, want 1", n, msg)
		}
	}

	d.key("3")
	if err := os.WriteFile(filepath.Join(notesDir, "garden.md"), []byte("# Garden\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.fire(notesChangedMsg{})
	if s := d.screen(); !strings.Contains(s, "Garden") {
		t.Errorf("a note written and its change fired: not listed:\n%s", s)
	}
	if n := d.waits(notesChangedMsg{}); n != 1 {
		t.Errorf("after a change the Notes screen waits %d times for the next, want 1", n)
	}

	d.key("2")
	if _, err := app.Album.Save(testJPEG(t, 64, 48), time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	d.fire(albumChangedMsg{})
	if s := strings.ReplaceAll(d.screen(), photosDir, "ALBUM"); !strings.Contains(s, "2026-11-26_10-00-00.000.jpg") {
		t.Errorf("a photo saved and its change fired: not listed:\n%s", s)
	}
	if n := d.waits(albumChangedMsg{}); n != 1 {
		t.Errorf("after a change the Photos screen waits %d times for the next, want 1", n)
	}
}

// A Photos screen that is not shown does not take the album's new
// listings (a busy album would have every hidden session copy each one):
// it lists the album again when shown, with every photo saved meanwhile.
func TestHiddenPhotosListOnShow(t *testing.T) {
	app, _, _ := newTestApp(t)
	d := newDriver(t, app) // on Live
	p := d.m.(*root).screens[screenPhotos].(*photos)
	listed := p.version // the empty album, listed at the start
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		if _, err := app.Album.Save(testJPEG(t, 64, 48), at.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			d.fire(albumChangedMsg{})
		}
	}
	if p.version != listed || len(p.list.Items()) != 0 {
		t.Errorf("hidden, the Photos screen took a new listing: version %d (was %d), %d photos", p.version, listed, len(p.list.Items()))
	}
	if n := d.waits(albumChangedMsg{}); n != 0 {
		t.Errorf("hidden and stale, the Photos screen waits %d times for changes, want 0 (it lists when shown)", n)
	}
	d.key("2")
	s := d.screen()
	for i := range 3 {
		if name := at.Add(time.Duration(i) * time.Second).Format("2006-01-02_15-04-05.000.jpg"); !strings.Contains(s, name) {
			t.Errorf("shown, Photos lacks %s:\n%s", name, s)
		}
	}
	if n := d.waits(albumChangedMsg{}); n != 1 {
		t.Errorf("shown, the Photos screen waits %d times for the next change, want 1", n)
	}
	d.key("1")
	d.key("2") // nothing changed meanwhile: nothing listed again
	if n := d.waits(albumChangedMsg{}); n != 1 {
		t.Errorf("shown again without a change, the Photos screen waits %d times, want 1", n)
	}
}

// testJPEG is a w×h JPEG with colour bars and a gradient.
func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bars := []color.RGBA{{192, 192, 192, 255}, {192, 192, 0, 255}, {0, 192, 192, 255}, {0, 192, 0, 255}, {192, 0, 192, 255}, {192, 0, 0, 255}, {0, 0, 192, 255}}
	for y := range h {
		for x := range w {
			c := bars[x*len(bars)/w]
			if y > h*3/4 {
				v := uint8(x * 255 / w)
				c = color.RGBA{v, v, v, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// newTestApp makes an App on temp directories with a camera that is never
// started (its state stays "starting", so screens are reproducible).
func newTestApp(t testing.TB) (*App, string, string) {
	t.Helper()
	dir := t.TempDir()
	photosDir, notesDir := filepath.Join(dir, "photos"), filepath.Join(dir, "notes")
	a, err := album.Open(photosDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	n, err := notes.Open(notesDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	r := notes.NewRenderer(notes.DefaultParallel, notes.DefaultCacheBytes, nil)
	t.Cleanup(r.Close)
	cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 640, Height: 480, FPS: 30}})
	return &App{Camera: cam, Album: a, Index: indextest.Start(t, a), Notes: n, Renderer: r, Log: log.New(&bytes.Buffer{}), URLs: []string{"http://127.0.0.1:8080/"}}, photosDir, notesDir
}

// Live says how the picture is turned, with width and height swapped.
func TestLiveShowsRotation(t *testing.T) {
	app, _, _ := newTestApp(t)
	app.Camera = camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 640, Height: 480, FPS: 30},
		Transform: camera.Transform{Rotate: 90, HFlip: true}})
	s := newDriver(t, app).screen()
	for _, want := range []string{"Turned   rotate 90, hflip", "Size     480x640"} {
		if !strings.Contains(s, want) {
			t.Errorf("Live lacks %q:\n%s", want, s)
		}
	}
}

// Live says how the camera is asked to focus, and nothing when it is not.
func TestLiveShowsFocus(t *testing.T) {
	for _, tt := range []struct {
		focus camera.Focus
		want  string // "" for no Focus line
	}{
		{camera.Focus{}, ""},
		{camera.Focus{Mode: camera.FocusFixed, Dioptres: 2.5}, "Focus    40cm"},
		{camera.Focus{Mode: camera.FocusContinuous}, "Focus    continuous"},
	} {
		app, _, _ := newTestApp(t)
		app.Camera = camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 640, Height: 480, FPS: 30}, Focus: tt.focus})
		s := newDriver(t, app).screen()
		if tt.want == "" && strings.Contains(s, "Focus") || tt.want != "" && !strings.Contains(s, tt.want) {
			t.Errorf("focus %v: Live should show %q:\n%s", tt.focus, tt.want, s)
		}
	}
}

func newDriver(t testing.TB, app *App) *driver {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d := &driver{t: t, m: app.NewModel(ctx, 0)}
	d.m.(*root).env.hold = func(msg tea.Msg) tea.Cmd { return func() tea.Msg { return heldMsg{msg} } }
	d.run(d.m.Init())
	d.send(tea.ColorProfileMsg{Profile: colorprofile.TrueColor})
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	return d
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	// Trailing spaces are noise for a reader of the file.
	lines := strings.Split(got, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	got = strings.Join(lines, "\n")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (go test ./tui -update rewrites it):\n%s", name, path, got)
	}
}

func TestPhotosScreen(t *testing.T) {
	app, dir, _ := newTestApp(t)
	img := testJPEG(t, 640, 480)
	for i, name := range []string{"2026-11-24_08-00-00.000.jpg", "2026-11-25_14-03-07.123.jpg", "2026-11-25_18-30-00.500.jpg"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, img, 0o644)
		at := time.Date(2026, 11, 24+i/2, 8+i*5, 0, 0, 0, time.UTC)
		os.Chtimes(p, at, at)
	}
	indextest.AwaitCurrent(t, app.Index, app.Album)
	d := newDriver(t, app)
	d.key("2")
	// The album is in a temporary directory: the golden names it ALBUM.
	golden(t, "photos", strings.ReplaceAll(d.screen(), dir, "ALBUM"))

	d.key("j") // the second photo
	d.key("d")
	if s := d.screen(); !strings.Contains(s, "Delete 2026-11-25_14-03-07.123.jpg? y/n") {
		t.Fatalf("no confirmation:\n%s", s)
	}
	d.key("n")
	if _, err := os.Stat(filepath.Join(dir, "2026-11-25_14-03-07.123.jpg")); err != nil {
		t.Fatalf("n deleted the photo: %v", err)
	}
	d.key("enter")
	golden(t, "photo-full", d.screen())
	d.key("esc")
	d.key("/")
	for _, r := range "18-30" {
		d.key(string(r))
	}
	d.key("enter")
	if s := d.screen(); strings.Contains(s, "2026-11-24_08-00-00.000.jpg") || !strings.Contains(s, "2026-11-25_18-30-00.500.jpg") {
		t.Errorf("the filter did not filter:\n%s", s)
	}
}

// The Photos filter matches the names as the list shows them: a name with
// an escape character is found by the visible symbol the list draws.
func TestPhotosFilterMatchesShownName(t *testing.T) {
	app, dir, _ := newTestApp(t)
	img := testJPEG(t, 64, 48)
	for _, name := range []string{"plain.jpg", "odd\x1bname.jpg"} {
		if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	indextest.AwaitCurrent(t, app.Index, app.Album)
	d := newDriver(t, app)
	d.key("2")
	d.key("/")
	for _, r := range "␛name" {
		d.key(string(r))
	}
	d.key("enter")
	if s := d.screen(); !strings.Contains(s, "odd␛name.jpg") || strings.Contains(s, "plain.jpg") {
		t.Errorf("filtering by what the list shows did not find the photo:\n%s", s)
	}
}

// A session resizing 20 times while a hostile note renders leaves only its
// newest render in the shared Renderer: the stale ones give up while
// queued, so at most the one already running and the newest run, and the
// screen ends showing the note at the final width.
func TestNoteResizeRendersNewestOnly(t *testing.T) {
	app, _, dir := newTestApp(t)
	os.WriteFile(filepath.Join(dir, "hostile.md"), []byte(strings.Repeat("[", 200_000)), 0o644)
	d := newDriver(t, app)
	d.key("3")
	ns := d.m.(*root).screens[screenNotes].(*notesScreen)
	// Open it by hand: the driver would wait for the render.
	ns.open, ns.title = "hostile.md", "hostile"
	msgs := make(chan tea.Msg, 32)
	var cmds sync.WaitGroup
	run := func(cmd tea.Cmd) { // as Bubble Tea does: each command at once, in its own goroutine
		if cmd != nil {
			cmds.Go(func() { msgs <- cmd() })
		}
	}
	run(ns.update(bodySizeMsg{60, 20}))
	for w := 61; w <= 80; w++ { // a user dragging the window's edge
		run(ns.update(bodySizeMsg{w, 20}))
	}
	go func() { cmds.Wait(); close(msgs) }()
	for msg := range msgs {
		if cmd := ns.update(msg); cmd != nil {
			t.Errorf("a finished render started another: %T", cmd())
		}
	}
	if n := app.Renderer.Renders(); n < 1 || n > 2 {
		t.Errorf("21 sizes rendered the note %d times, want the running one and the newest: 1 or 2", n)
	}
	if ns.rendered.width != 80 || ns.cancel != nil {
		t.Fatalf("the screen shows the render for width %d (in flight: %v), want 80", ns.rendered.width, ns.cancel != nil)
	}
	want, err := notes.Render(strings.Repeat("[", 200_000), 80, ns.env.dark)
	if err != nil {
		t.Fatal(err)
	}
	if got := ns.vp.GetContent(); got != want {
		t.Errorf("the viewport does not hold the note rendered at 80 columns (%d bytes, want %d)", len(got), len(want))
	}
}

func TestNotesScreen(t *testing.T) {
	app, _, dir := newTestApp(t)
	for name, text := range map[string]string{
		"printer.md": "# Printer setup\n\nThe **camera** looks at the bed.\n\n## Checklist\n\n- check the focus\n- clean the lens\n\n```\nmake run\n```\n",
		"garden.md":  "# Garden\n\nTomatoes, basil.\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		os.Chtimes(p, at, at)
	}
	d := newDriver(t, app)
	d.key("3")
	golden(t, "notes", d.screen())
	d.key("j")
	d.key("enter")
	golden(t, "note-printer", d.screen())
	d.send(tea.WindowSizeMsg{Width: 60, Height: 30}) // re-rendered narrower
	for _, line := range strings.Split(d.screen(), "\n") {
		if w := ansi.StringWidth(line); w > 60 {
			t.Errorf("line %q is %d wide after a resize to 60", line, w)
		}
	}
	dark := d.m.View().Content
	d.send(tea.BackgroundColorMsg{Color: color.White}) // a light terminal
	if light := d.m.View().Content; light == dark || ansi.Strip(light) != ansi.Strip(dark) {
		t.Error("a light background did not re-render the note in other colours")
	}
	d.key("esc")
	if s := d.screen(); !strings.Contains(s, "2 notes") {
		t.Errorf("esc did not go back to the list:\n%s", s)
	}
}

// Global keys: tabs, help, and screens that capture keys while typing.
func TestKeys(t *testing.T) {
	app, _, dir := newTestApp(t)
	os.WriteFile(filepath.Join(dir, "a.md"), []byte("# A\n"), 0o644)
	d := newDriver(t, app)
	if s := d.screen(); !strings.Contains(s, "Open in a browser") {
		t.Fatalf("does not start on Live:\n%s", s)
	}
	d.send(tea.KeyPressMsg{Code: tea.KeyTab})
	if r := d.m.(*root); r.env.shown != screenPhotos {
		t.Errorf("tab went to screen %d", r.env.shown)
	}
	d.send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	if r := d.m.(*root); r.env.shown != screenLive {
		t.Errorf("shift+tab went to screen %d", r.env.shown)
	}
	d.key("?")
	s := d.screen()
	for _, want := range []string{"live", "photos", "notes", "next screen", "snapshot", "quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("full help lacks %q:\n%s", want, s)
		}
	}
	d.key("?")
	d.key("3")
	d.key("/")
	d.key("q") // typed into the filter, does not quit
	if r := d.m.(*root); r.env.shown != screenNotes || !r.screens[screenNotes].capturing() {
		t.Error("q while filtering left the filter")
	}
}

func TestPreviewsRenderOncePerSize(t *testing.T) {
	var p Previews
	data := testJPEG(t, 640, 480)
	f := camera.NewJPEGFrame(data, 1, time.Now(), 640, 480)
	var wg sync.WaitGroup
	outs := make([]string, 20)
	for i := range outs { // twenty sessions at the same size
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := p.draw(f, 80, 24, colorprofile.TrueColor)
			if err != nil {
				t.Error(err)
			}
			outs[i] = d.text
		}()
	}
	wg.Wait()
	if n := p.renders.Load(); n != 1 {
		t.Errorf("20 sessions caused %d decodes, want 1", n)
	}
	for i, out := range outs {
		if out == "" || out != outs[0] {
			t.Errorf("session %d got another picture, or none", i)
		}
	}
	p.draw(f, 100, 30, colorprofile.TrueColor)
	p.draw(f, 100, 30, colorprofile.ANSI256) // the renderer downsamples: shared
	p.draw(f, 100, 30, colorprofile.ASCII)
	if n := p.renders.Load(); n != 3 {
		t.Errorf("another size in colour (true and 256) and in characters: %d decodes, want 3", n)
	}
	g := camera.NewJPEGFrame(data, 2, time.Now(), 640, 480)
	p.draw(g, 80, 24, colorprofile.TrueColor)
	if n := p.renders.Load(); n != 4 {
		t.Errorf("a new frame: %d decodes, want 4", n)
	}
}

func TestRenderJPEG(t *testing.T) {
	data := testJPEG(t, 640, 480)
	for _, tc := range []struct {
		prof       colorprofile.Profile
		want, not  string
		cols, rows int
	}{
		{colorprofile.TrueColor, "\x1b[38;2;", "\x1b[38;5;", 100, 30},
		// Bubble Tea's renderer downsamples per cell for 256 and 16 colours
		// (TestSSHColourProfile shows what reaches the terminal).
		{colorprofile.ANSI256, "\x1b[38;2;", "\x1b[38;5;", 100, 30},
		{colorprofile.ASCII, "", "\x1b[", 40, 12},
	} {
		out, err := RenderJPEG(data, tc.cols, tc.rows, tc.prof)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, tc.want) || strings.Contains(out, tc.not) {
			t.Errorf("%v: output lacks %q or has %q", tc.prof, tc.want, tc.not)
		}
		lines := strings.Split(out, "\n")
		if len(lines) > tc.rows {
			t.Errorf("%v: %d lines, want at most %d", tc.prof, len(lines), tc.rows)
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > tc.cols {
				t.Errorf("%v: line %d wide, want at most %d", tc.prof, w, tc.cols)
			}
		}
	}
	if _, err := RenderJPEG([]byte("not a jpeg"), 10, 10, colorprofile.TrueColor); err == nil {
		t.Error("garbage rendered without error")
	}
}

// BenchmarkRenderHalfBlocks: a 640x480 frame drawn at 100x30 cells (target
// < 2 ms per frame).
func BenchmarkRenderHalfBlocks(b *testing.B) {
	data := testJPEG(b, 640, 480)
	var out string
	for b.Loop() {
		var err error
		out, err = RenderJPEG(data, 100, 30, colorprofile.TrueColor)
		if err != nil {
			b.Fatal(err)
		}
	}
	ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "ms/frame")
	b.ReportMetric(float64(len(out)), "bytes/frame")
	if b.N >= 100 && ms > 2 {
		b.Errorf("half-block render took %.2f ms, target < 2 ms", ms)
	}
}

// Hostile photos: a truncated JPEG and a "JPEG bomb" whose header claims
// 65000x65000 pixels must neither crash nor take gigabytes.
func TestRenderHostileJPEGs(t *testing.T) {
	good := testJPEG(t, 64, 48)
	bomb := append([]byte(nil), good...)
	for i := 0; i+8 < len(bomb); i++ {
		if bomb[i] == 0xFF && bomb[i+1] == 0xC0 { // SOF0: length(2) precision(1) height(2) width(2)
			bomb[i+5], bomb[i+6], bomb[i+7], bomb[i+8] = 0xFD, 0xE8, 0xFD, 0xE8
			break
		}
	}
	if _, err := RenderJPEG(bomb, 100, 30, colorprofile.TrueColor); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("65000x65000 header: %v, want refused as too large", err)
	}
	for n := 0; n < len(good); n += len(good) / 7 {
		RenderJPEG(good[:n], 40, 12, colorprofile.TrueColor) // no crash, whatever it returns
	}
}

// --http-auth none: Live warns that the feed is open.
func TestLiveWarnsOpenFeed(t *testing.T) {
	app, _, _ := newTestApp(t)
	app.OpenFeed = true
	d := newDriver(t, app)
	if s := d.screen(); !strings.Contains(s, "⚠ The feed is open to") { // wrapped in a narrow panel
		t.Errorf("Live does not warn about an open feed:\n%s", s)
	}
}

// The Live screen with a picture, wide (the panel beside it) and narrow
// (the panel below).
func TestLiveScreen(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
	}{{"live", 100, 30}, {"live-narrow", 60, 24}, {"live-small", 50, 15}} {
		t.Run(tc.name, func(t *testing.T) {
			app, _, _ := newTestApp(t)
			app.SSH = "ssh -p 2222 pi.local"
			app.URLs = []string{"http://raspberrypi.local:8080/?token=3f9c0e5b7d2a41c8b6e9f0a1d2c3b4a5", "http://127.0.0.1:8080/"}
			d := newDriver(t, app)
			d.send(tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
			golden(t, tc.name, d.screen())
			l := d.m.(*root).screens[screenLive].(*live)
			d.send(testPreview(t, l))
			golden(t, tc.name+"-picture", d.screen())
		})
	}
}

// testPreview is the Live screen's picture of a test image at the size l
// draws it now, drawn and delivered as the Live screen's preview is.
func testPreview(t *testing.T, l *live) previewMsg {
	t.Helper()
	cols, rows := l.previewSize(l.bodyW, l.bodyH)
	f := camera.NewJPEGFrame(testJPEG(t, 640, 480), 1, time.Now(), 640, 480)
	pic, err := new(Previews).draw(f, cols, rows, colorprofile.TrueColor)
	if err != nil {
		t.Fatal(err)
	}
	return previewMsg{seq: 1, cols: cols, rows: rows, pic: pic}
}

// The Live screen is composed from the known widths of its picture's and
// panel's lines, and the window from its parts, without lipgloss measuring
// them again: the result is byte for byte what lipgloss lays out, at every
// size, with a picture or without, dark or light, with a preview error.
func TestLiveLayoutMatchesLipgloss(t *testing.T) {
	app, _, _ := newTestApp(t)
	app.SSH, app.OpenFeed = "ssh -p 2222 pi.local", true
	app.URLs = append(app.URLs, "http://raspberrypi.local:8080/?token=3f9c0e5b7d2a41c8b6e9f0a1d2c3b4a5")
	d := newDriver(t, app)
	r := d.m.(*root)
	l := r.screens[screenLive].(*live)
	// What the root drew before: lipgloss fits the screen's layout and
	// joins the window's parts.
	lipglossRender := func() string {
		w, h := max(r.env.width, 20), max(r.env.height, 5)
		tabs, status, help := r.tabs(w), r.statusBar(w), r.help.View(r.helpKeys())
		bodyH := max(h-lipgloss.Height(tabs)-lipgloss.Height(status)-lipgloss.Height(help), 1)
		links, _ := l.linkLines(w)
		top := min(max(bodyH-len(links), 1), bodyH)
		cs := app.Camera.Status()
		cols, _ := previewSize(w, top, cs.Width, cs.Height)
		info := l.info(l.facts(cs, panelWidth(w, cols)))
		body := lipgloss.NewStyle().Width(w).Height(top).MaxHeight(top).MaxWidth(w).Render(l.layout(w, top, cols, info))
		if n := bodyH - top; n > 0 {
			body = lipgloss.JoinVertical(lipgloss.Left, body,
				lipgloss.NewStyle().Width(w).Render(strings.Join(links[:n], "\n")))
		}
		return lipgloss.JoinVertical(lipgloss.Left, tabs, body, status, help)
	}
	for _, size := range [][2]int{{100, 30}, {200, 60}, {100, 10}, {76, 20}, {75, 20}, {60, 24}, {60, 10}} {
		d.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, step := range []struct {
			name string
			msg  tea.Msg
		}{
			{"waiting", nil},
			{"picture", testPreview(t, l)},
			{"light", tea.BackgroundColorMsg{Color: color.White}},
			{"error", previewMsg{seq: 2, err: errors.New("a failure long enough to be wrapped in a narrow window, surely")}},
			{"picture again", testPreview(t, l)},
		} {
			if step.msg != nil {
				d.send(step.msg)
			}
			if got, want := d.m.View().Content, lipglossRender(); got != want {
				t.Errorf("%dx%d, %s: the window differs from lipgloss's layout:\n%s\nwant:\n%s", size[0], size[1], step.name, got, want)
			}
		}
		d.send(tea.BackgroundColorMsg{Color: color.Black})
	}
}

// countingScreen is a screen that counts how often it is drawn.
type countingScreen struct{ views int }

func (c *countingScreen) update(tea.Msg) tea.Cmd  { return nil }
func (c *countingScreen) view(w, h int) string    { c.views++; return "drawn" }
func (c *countingScreen) capturing() bool         { return false }
func (c *countingScreen) bindings() []key.Binding { return nil }

// A tick that brings nothing new draws nothing again: not the screens it
// does not reach, and not Live without a new frame or new facts; any other
// message does.
func TestTickRedrawsNothingUnchanged(t *testing.T) {
	app, _, _ := newTestApp(t)
	d := newDriver(t, app)
	r := d.m.(*root)
	photos, notes := &countingScreen{}, &countingScreen{}
	r.screens[screenPhotos], r.screens[screenNotes] = photos, notes
	for _, tc := range []struct {
		key   string
		other *countingScreen
	}{{"2", photos}, {"3", notes}} {
		d.key(tc.key)
		d.m.View()
		drawn := tc.other.views
		for range 3 {
			d.send(tickMsg(time.Now()))
			d.m.View()
		}
		if tc.other.views != drawn {
			t.Errorf("screen %s: 3 ticks drew it %d more times, want 0", tc.key, tc.other.views-drawn)
		}
		d.send(tea.WindowSizeMsg{Width: 90, Height: 30})
		d.m.View()
		if tc.other.views != drawn+1 {
			t.Errorf("screen %s: a resize drew it %d more times, want 1", tc.key, tc.other.views-drawn)
		}
	}

	d.key("1")
	l := r.screens[screenLive].(*live)
	d.send(testPreview(t, l))
	before := d.m.View().Content
	w, h := r.body.w, r.body.h
	drawn := unsafe.StringData(l.view(w, h))
	for range 3 {
		d.send(tickMsg(time.Now())) // the camera never started: no new frame
		if unsafe.StringData(l.view(w, h)) != drawn {
			t.Fatal("a tick without a new frame composed Live again")
		}
	}
	if after := d.m.View().Content; unsafe.StringData(after) != unsafe.StringData(before) {
		t.Error("a tick without a new frame drew the window again")
	}
	d.send(testPreview(t, l))
	if unsafe.StringData(l.view(w, h)) == drawn {
		t.Error("a new frame did not compose Live again")
	}
}

// helpScreen is a screen whose keys a test sets.
type helpScreen struct {
	countingScreen
	keys []key.Binding
}

func (h *helpScreen) bindings() []key.Binding { return h.keys }

// The help bar is drawn again when what it shows changes (a key of the
// screen enabled or disabled, the width, full help, the colours) and only
// then: a window drawn again with nothing changed renders no help.
func TestHelpBarFollowsKeysAndWidth(t *testing.T) {
	app, _, _ := newTestApp(t)
	d := newDriver(t, app)
	r := d.m.(*root)
	scr := &helpScreen{keys: []key.Binding{keys.Open, keys.Delete, keys.Undo, keys.Filter, keys.Move}}
	r.screens[screenLive] = scr
	// fresh is the help bar drawn anew, as it was at every View.
	fresh := func() string {
		h := r.help
		h.SetWidth(max(r.env.width, 20))
		h.ShowAll = r.full
		return h.View(r.helpKeys())
	}
	helpLine := func() string {
		lines := strings.Split(d.screen(), "\n")
		return lines[len(lines)-1]
	}
	for _, step := range []struct {
		name      string
		do        func()
		want, not []string
	}{
		{"all enabled", func() {}, []string{"enter open", "d delete", "u undo delete", "? help"}, nil},
		{"delete disabled", func() { scr.keys[1].SetEnabled(false) }, []string{"enter open", "u undo delete"}, []string{"d delete"}},
		{"delete enabled again", func() { scr.keys[1].SetEnabled(true) }, []string{"d delete"}, nil},
		{"narrower", func() { d.send(tea.WindowSizeMsg{Width: 60, Height: 30}) }, []string{"enter open", "? help", "q quit"}, []string{"filter", "move"}},
		{"narrowest", func() { d.send(tea.WindowSizeMsg{Width: 50, Height: 30}) }, []string{"? help", "q quit"}, []string{"undo", "filter"}},
		{"wide again", func() { d.send(tea.WindowSizeMsg{Width: 120, Height: 30}) }, []string{"/ filter", "↑↓/kj move", "s/space snapshot"}, nil},
		{"light", func() { d.send(tea.BackgroundColorMsg{Color: color.White}) }, []string{"enter open"}, nil},
	} {
		step.do()
		d.m.View()
		if got, want := r.helpView(max(r.env.width, 20)), fresh(); got != want {
			t.Errorf("%s: the help bar is %q, drawn anew %q", step.name, got, want)
		}
		line := helpLine()
		for _, w := range step.want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: the help bar lacks %q: %q", step.name, w, line)
			}
		}
		for _, n := range step.not {
			if strings.Contains(line, n) {
				t.Errorf("%s: the help bar has %q: %q", step.name, n, line)
			}
		}
		drawn := r.helpRenders
		for range 3 {
			d.send(tickMsg(time.Now()))
			d.m.View()
		}
		if n := r.helpRenders - drawn; n != 0 {
			t.Errorf("%s: 3 ticks and views with nothing changed rendered help %d times, want 0", step.name, n)
		}
	}
	d.key("?")
	if s := d.screen(); !strings.Contains(s, "next screen") || r.helpView(max(r.env.width, 20)) != fresh() {
		t.Errorf("? did not draw the full help:\n%s", s)
	}
}

// BenchmarkHelpBar: the window drawn again with nothing changed (a tick
// on Photos, five keys of its own), the help bar kept from the last View,
// against the baseline drawn in the same run: the help bar drawn anew at
// every View, as before it was kept (measured to fit the width, then
// rendered).
func BenchmarkHelpBar(b *testing.B) {
	app, _, _ := newTestApp(b)
	d := newDriver(b, app)
	d.key("2")
	r := d.m.(*root)
	var kept, anew time.Duration
	var keptRenders, anewRenders int
	for b.Loop() {
		n, at := r.helpRenders, time.Now()
		r.View()
		kept += time.Since(at)
		keptRenders += r.helpRenders - n
		forgetHelp(r)
		n, at = r.helpRenders, time.Now()
		r.View()
		anew += time.Since(at)
		anewRenders += r.helpRenders - n
	}
	views := float64(b.N)
	b.ReportMetric(float64(kept.Nanoseconds())/views, "ns/View")
	b.ReportMetric(float64(anew.Nanoseconds())/views, "baseline-ns/View")
	b.ReportMetric(kept.Seconds()/anew.Seconds(), "ratio")
	b.ReportMetric(float64(keptRenders)/views, "renders/View")
	b.ReportMetric(float64(anewRenders)/views, "baseline-renders/View")
}

// forgetHelp empties r's help bar as drawn: the next View draws it anew.
func forgetHelp(r *root) { r.helpBar = cached[helpKey]{} }
