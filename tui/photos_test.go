package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

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
		screens[i] = newPhotos(&env{ctx: ctx, app: app, width: 100, height: 30, dark: true})
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
