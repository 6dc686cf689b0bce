package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/paginator"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"pistream/album"
	"pistream/album/index"
)

// A burst of photos saved (a snapshot storm) with eight sessions on
// Photos costs a few listings of the album a second, not one per photo
// per session: every screen shows the one listing of the album's index,
// and each ends with every photo listed.
func TestPhotosShareOneListing(t *testing.T) {
	const n, sessions = 100, 8
	app, _, _ := newTestApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Commands run as Bubble Tea runs them: each in its own goroutine,
	// their messages back to their screen's model one at a time.
	type addressed struct {
		to  int
		msg tea.Msg
	}
	msgs := make(chan addressed)
	var run func(int, tea.Cmd)
	run = func(to int, cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		go func() {
			switch msg := cmd().(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range msg {
					run(to, c)
				}
			default:
				select {
				case msgs <- addressed{to, msg}:
				case <-ctx.Done():
				}
			}
		}()
	}
	screens := make([]*photos, sessions)
	for i := range screens {
		screens[i] = newPhotos(&env{ctx: ctx, app: app, width: 100, height: 30, dark: true, shown: screenPhotos})
		run(i, screens[i].init())
	}

	jpeg := testJPEG(t, 64, 48)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	began := time.Now()
	before := app.Index.Listings()
	saved := make(chan error, 1)
	go func() {
		for i := range n {
			if _, err := app.Album.Save(jpeg, at.Add(time.Duration(i)*time.Millisecond)); err != nil {
				saved <- err
				return
			}
		}
		saved <- nil
	}()

	done := func() bool {
		for _, p := range screens {
			if len(p.list.Items()) < n {
				return false
			}
		}
		return true
	}
	guard := time.After(60 * time.Second)
	for !done() {
		select {
		case m := <-msgs:
			run(m.to, screens[m.to].update(m.msg))
		case err := <-saved:
			if err != nil {
				t.Fatalf("save: %v", err)
			}
			saved = nil
		case <-guard:
			for i, p := range screens {
				t.Logf("screen %d lists %d photos", i, len(p.list.Items()))
			}
			t.Fatalf("after 60 s not every Photos screen lists the %d photos saved", n)
		}
	}
	took := time.Since(began)
	want := app.Index.Snapshot().Version
	for i, p := range screens {
		if p.version != want {
			t.Errorf("screen %d shows the index's version %d, want %d", i, p.version, want)
		}
	}
	// At most one listing per Throttle, and the one that shows the last
	// photo: for all screens together.
	lists := app.Index.Listings() - before
	most := 2 + uint64(took/index.Throttle)
	t.Logf("%d photos saved in %v: %d listings of the album for %d screens", n, took.Round(time.Millisecond), lists, sessions)
	if lists > most {
		t.Errorf("saving %d photos in %v listed the album %d times for %d screens, want at most %d (one per %v)",
			n, took.Round(time.Millisecond), lists, sessions, most, index.Throttle)
	}
}

// BenchmarkPhotosLargeAlbum: a Photos screen of 5,000 photos against one
// of 50, in the same run. A screen draws one page of its list whatever
// the album's size: drawing it (done several times for each change, in
// every session) should cost about the same (target: ratio ≤ 2). Taking a
// new listing (show) is reported too; it grows with the album.
func BenchmarkPhotosLargeAlbum(b *testing.B) {
	app, _, _ := newTestApp(b)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	measure := func(n int) (show, view time.Duration) {
		p := newPhotos(&env{ctx: b.Context(), app: app, width: 100, height: 30, dark: true})
		p.update(bodySizeMsg{w: 100, h: 28})
		ps := make([]album.Photo, n)
		for i := range ps {
			ps[i] = album.Photo{Name: fmt.Sprintf("photo-%05d.jpg", i), Size: 600 << 10, ModTime: at}
		}
		for i := range b.N {
			began := time.Now()
			p.show(index.Snapshot{Version: uint64(i + 1), Photos: ps})
			show += time.Since(began)
			began = time.Now()
			_ = p.view(100, 28)
			view += time.Since(began)
		}
		return show / time.Duration(b.N), view / time.Duration(b.N)
	}
	show50, view50 := measure(50)
	show5000, view5000 := measure(5000)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	b.ReportMetric(ms(view5000), "ms/view-5000")
	b.ReportMetric(ms(view50), "ms/view-50")
	b.ReportMetric(ms(show5000), "ms/show-5000")
	b.ReportMetric(ms(show50), "ms/show-50")
	ratio := float64(view5000) / float64(view50)
	b.ReportMetric(ratio, "view-5000/50")
	b.ReportMetric(0, "ns/op")
	if b.N >= 20 && ratio > 2 {
		b.Errorf("drawing a Photos screen of 5,000 photos costs %.1f times one of 50, want at most 2", ratio)
	}
}

// The Photos list shows its pages as dots while they fit across it, else
// as page/pages, exactly as the list draws them by itself (only without
// building the dots first).
func TestPhotosPages(t *testing.T) {
	app, _, _ := newTestApp(t)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		photos int
		want   string // in the view
		not    string
	}{
		{3, "3 photos", "1/"},
		{30, "•", "1/"},
		{5000, "1/", "•••"},
	}
	for _, tt := range tests {
		p := newPhotos(&env{ctx: t.Context(), app: app, width: 100, height: 30, dark: true})
		p.update(bodySizeMsg{w: 100, h: 28})
		ps := make([]album.Photo, tt.photos)
		for i := range ps {
			ps[i] = album.Photo{Name: fmt.Sprintf("photo-%05d.jpg", i), Size: 600 << 10, ModTime: at}
		}
		p.show(index.Snapshot{Version: 1, Photos: ps})
		v := p.list.View()
		if plain := ansi.Strip(v); !strings.Contains(plain, tt.want) || strings.Contains(plain, tt.not) {
			t.Errorf("%d photos: the list shows no %q, or a %q:\n%s", tt.photos, tt.want, tt.not, plain)
		}
		// The same as the list draws by itself, dots first.
		own := p.list
		own.Paginator.Type, own.Paginator.ArabicFormat = paginator.Dots, "%d/%d"
		if want := own.View(); v != want {
			t.Errorf("%d photos: the list draws\n%q\nby itself\n%q", tt.photos, v, want)
		}
	}
}
