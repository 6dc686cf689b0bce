package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// A burst of photos saved (a snapshot storm) has the Photos screen list
// the album a few times a second, not once a photo, and still end with
// every photo listed. Each session lists the album for itself: eight
// sessions listing a growing directory for each of 400 photos cost the
// feed frames.
func TestPhotosRelistInABurst(t *testing.T) {
	const n = 100
	app, _, _ := newTestApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := newPhotos(&env{ctx: ctx, app: app, width: 100, height: 30, dark: true})

	// Commands run as Bubble Tea runs them: each in its own goroutine,
	// their messages back to the model one at a time.
	msgs := make(chan tea.Msg)
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		go func() {
			switch msg := cmd().(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			default:
				select {
				case msgs <- msg:
				case <-ctx.Done():
				}
			}
		}()
	}

	jpeg := testJPEG(t, 64, 48)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	began := time.Now()
	run(p.init())
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

	lists, listed := 0, 0
	guard := time.After(30 * time.Second)
	for listed < n {
		select {
		case msg := <-msgs:
			if m, ok := msg.(photosLoadedMsg); ok {
				lists++
				listed = len(m.photos)
			}
			run(p.update(msg))
		case err := <-saved:
			if err != nil {
				t.Fatalf("save: %v", err)
			}
			saved = nil
		case <-guard:
			t.Fatalf("after 30 s the Photos screen lists %d of %d photos saved", listed, n)
		}
	}
	// One listing at the start, then at most one per relistEvery, and the
	// one that shows the last photo.
	most := 2 + int(time.Since(began)/relistEvery)
	if lists > most {
		t.Errorf("saving %d photos in %v listed the album %d times, want at most %d (one per %v)",
			n, time.Since(began).Round(time.Millisecond), lists, most, relistEvery)
	}
}
