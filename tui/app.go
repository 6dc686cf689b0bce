// Package tui is pistream's control interface: a Bubble Tea program with the
// screens Live, Photos and Notes, run in the local terminal or served to
// every SSH session (by pistream/tui/sshd, which imports this package, never
// the other way round). All sessions share one App: the camera's hub, the
// album, the notes directory and its renderer, and the preview cache.
package tui

import (
	"context"
	"errors"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"

	"pistream/album"
	"pistream/album/index"
	"pistream/camera"
	"pistream/internal/shoot"
	"pistream/notes"
)

// App is what every session of the TUI shares.
type App struct {
	Camera   *camera.Camera
	Album    *album.Album
	Index    *index.Index // the listing of Album every Photos screen shows; it runs while sessions do
	Notes    *notes.Dir
	Renderer *notes.Renderer // renders the notes: once for all sessions, a bounded number at a time
	Viewers  func() int      // HTTP viewers now; nil when HTTP is off
	Sessions func() int      // SSH sessions now, counted by the SSH server; nil when SSH is off
	URLs     []string        // where a browser opens the feed
	SSH      string          // how to reach the TUI by SSH, e.g. "ssh -p 2222 pi.local"
	SCP      string          // user@host for scp through the Pi's own SSH server, e.g. "pi@pi.local"; "" unknown
	// OpenFeed says the feed needs no token (--http-auth none): Live warns.
	OpenFeed bool
	Log      *log.Logger

	previews Previews
	snaps    snapshots
}

// snapshots counts the snapshots asked for and not yet saved or reported.
// Once Wait has begun it takes no more: a WaitGroup must not grow from
// zero while it is waited for, and the camera is stopping by then anyway.
type snapshots struct {
	mu       sync.Mutex
	stopping bool
	wg       sync.WaitGroup
}

// start counts one more snapshot, or reports false once Wait has begun.
func (s *snapshots) start() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.wg.Add(1)
	return true
}

func (s *snapshots) wait() {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	s.wg.Wait()
}

// errStopping: a snapshot asked for while pistream stops.
var errStopping = errors.New("pistream is stopping")

// NewModel returns the root model of one session. ctx ends with the
// session; the model's subscriptions end with it. With idle > 0 the
// session quits after that long without a key press, time on Live not
// counted, warned before in the status bar. The model says why
// the session ended, if not by the user's choice, through EndReason.
func (a *App) NewModel(ctx context.Context, idle time.Duration) tea.Model {
	return newRoot(ctx, a, idle)
}

// snapshotMsg reports a snapshot saved, or why it was not.
type snapshotMsg struct {
	photo album.Photo
	err   error
}

// snapshot takes a full-quality still from the camera and saves it into the
// album. The work is the App's, not the session's: it starts at once, in
// Update, and a photo asked for is saved (or its failure logged) even if
// the session ends meanwhile. The command only waits for the outcome, to
// show it in that session.
func (a *App) snapshot(ctx context.Context) tea.Cmd {
	done := make(chan snapshotMsg, 1)
	if !a.snaps.start() {
		return func() tea.Msg { return snapshotMsg{err: errStopping} }
	}
	go func() {
		defer a.snaps.wg.Done()
		done <- a.takeSnapshot()
	}()
	return func() tea.Msg {
		select {
		case m := <-done:
			return m
		case <-ctx.Done():
			return nil
		}
	}
}

// takeSnapshot takes a photo the way every part of pistream does.
func (a *App) takeSnapshot() snapshotMsg {
	p, err := shoot.Take(a.Camera, a.Album, a.Log)
	return snapshotMsg{photo: p, err: err}
}

// Wait returns once every snapshot asked for is saved or reported; a
// snapshot asked for from then on is refused (errStopping).
func (a *App) Wait() { a.snaps.wait() }

// waitFor returns a command that delivers msg when ch, a Changed channel
// of the album's index or the notes, is closed (or a timer's channel fires), or
// nothing when the session ends first. Take ch before loading what it
// reports on, so no change slips in between.
func waitFor[T any](e *env, ch <-chan T, msg tea.Msg) tea.Cmd {
	ctx := e.ctx
	return e.waiting(msg, func() tea.Msg {
		select {
		case <-ch:
			return msg
		case <-ctx.Done():
			return nil
		}
	})
}

// waiting marks cmd as a command that waits for something from outside
// the session (the next tick, a change of the album or of the notes
// directory, the end of a pause) and then delivers a message like msg, as
// opposed to one that works and ends, however long that takes. A session
// runs cmd as it is. Under a test's driver, which sets e.hold, the command
// is hold's instead: the driver knows the wait for what it is without
// running it, and delivers msg when the test says the change came.
func (e *env) waiting(msg tea.Msg, cmd tea.Cmd) tea.Cmd {
	if e.hold != nil {
		return e.hold(msg)
	}
	return cmd
}
