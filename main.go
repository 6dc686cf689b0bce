// Command pistream streams a Raspberry Pi camera to browsers as MJPEG, with
// µStreamer-compatible paths, from one capture loop that encodes each frame
// once whatever the number of viewers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"golang.org/x/sync/errgroup"
	"io"
	"net"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"pistream/album"
	"pistream/album/index"
	"pistream/camera"
	"pistream/camera/v4l2"
	"pistream/httpstream"
	"pistream/internal/clog"
	"pistream/internal/config"
	"pistream/internal/journal"
	"pistream/internal/sdnotify"
	"pistream/internal/statedir"
	"pistream/notes"
	"pistream/tui"
	"pistream/tui/sshd"
)

// options are the settings: command-line flags, also read from the
// config file and PISTREAM_* variables (see internal/config).
type options struct {
	camera         string
	size           string
	fps            int
	quality        int
	idleRelease    bool
	rotate         int
	hflip          bool
	focus          string
	v4l2Controls   string
	vflip          bool
	encoders       int
	listCameras    bool
	http           string
	httpAuth       string
	httpToken      string
	maxViewers     int
	tlsCert        string
	tlsKey         string
	ssh            string
	sshIdle        time.Duration
	sshGrace       time.Duration
	maxStartups    int
	maxStartupsPer int
	maxSessions    int
	authorizedKeys string
	state          string
	photos         string
	notes          string
	trashDays      int
	headless       bool
	logLevel       string
	configFile     string
	printConfig    bool

	config *config.Config // where each value came from, for --print-config
}

// parseFlags reads the settings: the flags in args over PISTREAM_*
// variables over the config file over the defaults. Help and flag errors
// are written to out.
func parseFlags(args []string, out io.Writer) (options, camera.Settings, error) {
	var o options
	fs := newFlags(&o, out)
	cfg, err := config.Load(fs, args, configOptions(&o))
	if err != nil {
		return o, camera.Settings{}, err
	}
	o.config = cfg
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return o, camera.Settings{}, errors.New("--tls-cert and --tls-key go together")
	}
	w, h, _ := parseSize(o.size) // checked by o.check
	return o, camera.Settings{Width: w, Height: h, FPS: o.fps}, nil
}

// configOptions is how pistream's flags are layered: the config file of
// --config or $PISTREAM_CONFIG, else /etc/pistream/pistream.toml, else the
// user's config directory's pistream/pistream.toml.
func configOptions(o *options) config.Options {
	defaults := []string{"/etc/pistream/pistream.toml"}
	if dir, err := os.UserConfigDir(); err == nil {
		defaults = append(defaults, filepath.Join(dir, "pistream", "pistream.toml"))
	}
	return config.Options{
		ConfigFlag: "config",
		Defaults:   defaults,
		EnvPrefix:  "PISTREAM_",
		Commands:   []string{"list-cameras", "print-config"},
		Secrets:    []string{"http-token"},
		Check:      o.check,
	}
}

// newFlags defines pistream's flags over o, with their built-in defaults.
func newFlags(o *options, out io.Writer) *flag.FlagSet {
	home, _ := os.UserHomeDir()
	fs := flag.NewFlagSet("pistream", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "pistream streams a camera to browsers as MJPEG and serves a control TUI over SSH.\n\n"+
			"Usage: pistream [flags]\n\nEvery flag but --config, --print-config and --list-cameras can also be set in the config file\n"+
			"(key max-viewers) or the environment (PISTREAM_MAX_VIEWERS); the command line wins, then the environment.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.configFile, "config", "",
		"config file (TOML); default: /etc/pistream/pistream.toml, else ~/.config/pistream/pistream.toml, when it exists; \"\" reads none (env PISTREAM_CONFIG)")
	fs.BoolVar(&o.printConfig, "print-config", false, "print the effective configuration as TOML, secrets masked, and exit")
	fs.StringVar(&o.camera, "camera", "auto",
		"camera: auto, test, rpicam or rpicam:N (Raspberry Pi camera through rpicam-vid), a device index (0) or path (/dev/video0), a file or URL, or a GStreamer pipeline ending in appsink")
	fs.BoolVar(&o.listCameras, "list-cameras", false, "list the cameras pistream can find (rpicam, V4L2 devices with their formats, sizes and controls) and exit")
	fs.IntVar(&o.rotate, "rotate", 0, "turn the picture clockwise: 0, 90, 180 or 270 degrees (after --hflip/--vflip)")
	fs.BoolVar(&o.hflip, "hflip", false, "mirror the picture left-right")
	fs.BoolVar(&o.vflip, "vflip", false, "mirror the picture top-bottom")
	fs.StringVar(&o.focus, "focus", "",
		"focus of a Camera Module 3 (rpicam): continuous, infinity, or a distance such as 40cm or 1.5m to hold the lens at; empty: the camera's own (continuous autofocus)")
	fs.StringVar(&o.v4l2Controls, "v4l2-controls", "",
		"controls of a V4L2 device (USB webcam), set in this order at each open, as v4l2-ctl -c takes them: name=value,name=value, e.g. focus_automatic_continuous=0,focus_absolute=30; the names are in --list-cameras")
	fs.IntVar(&o.encoders, "encoders", 0, "JPEG encoders working in parallel; 0: the number of cores, at most 4")
	fs.StringVar(&o.size, "size", "640x480", "frame size WxH")
	fs.IntVar(&o.fps, "fps", 30, "frames per second")
	fs.IntVar(&o.quality, "quality", 80, "JPEG quality of the feed, 1-100")
	fs.BoolVar(&o.idleRelease, "idle-release", false, "release the camera while nobody watches")
	fs.StringVar(&o.http, "http", ":8080", "HTTP listen address; empty turns HTTP off")
	fs.StringVar(&o.httpAuth, "http-auth", "token", "HTTP access: token (every path needs the access token) or none (open to anyone who can reach it)")
	fs.StringVar(&o.httpToken, "http-token", "", "HTTP access token; default: a random one kept in the state directory")
	fs.IntVar(&o.maxViewers, "max-viewers", 32, "most /stream viewers at once; the next gets 503 (0: no cap)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "TLS certificate file (PEM); serves HTTPS with --tls-key")
	fs.StringVar(&o.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fs.StringVar(&o.ssh, "ssh", ":2222", "SSH listen address of the control TUI; empty turns SSH off")
	fs.DurationVar(&o.sshIdle, "ssh-idle", 30*time.Minute, "close SSH sessions this long without a key press (time on Live not counted), warned before; 0 never")
	fs.IntVar(&o.maxSessions, "max-sessions", 8, "most SSH sessions at once")
	fs.DurationVar(&o.sshGrace, "ssh-login-grace", sshd.DefaultLoginGrace, "close an SSH connection that has not logged in this long after connecting")
	fs.IntVar(&o.maxStartups, "ssh-max-startups", sshd.DefaultMaxStartups, "most SSH connections logging in at once; more are closed at once")
	fs.IntVar(&o.maxStartupsPer, "ssh-max-startups-per-addr", sshd.DefaultMaxStartupsPerAddr, "most SSH connections logging in at once from one address; more are closed at once")
	d := defaultPaths(home)
	fs.StringVar(&o.authorizedKeys, "authorized-keys", d.authorizedKeys,
		"public keys allowed to log in by SSH; re-read when it changes")
	fs.StringVar(&o.state, "state", d.state, "state directory (SSH host key, HTTP token, log of the local TUI)")
	fs.StringVar(&o.photos, "photos", d.photos, "photos directory")
	fs.StringVar(&o.notes, "notes", d.notes, "notes directory (markdown files)")
	fs.IntVar(&o.trashDays, "trash-days", 7, "days deleted photos stay in the trash")
	fs.BoolVar(&o.headless, "headless", false, "run without the local TUI, even in a terminal")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	return fs
}

// check rejects a setting's bad value, naming the setting; config.Load
// runs it after each layer, so the error names where the value came from.
func (o *options) check() error {
	_, _, sizeErr := parseSize(o.size)
	var tokenErr error
	if o.httpToken != "" {
		tokenErr = httpstream.ValidToken(o.httpToken)
	}
	_, levelErr := log.ParseLevel(o.logLevel)
	_, focusErr := camera.ParseFocus(o.focus)
	_, controlsErr := v4l2.ParseSettings(o.v4l2Controls)
	for _, c := range []struct {
		flag string
		err  error
	}{
		{"size", sizeErr},
		{"fps", inRange(o.fps, 1, 240)},
		{"rotate", camera.ParseRotation(o.rotate)},
		{"focus", focusErr},
		{"v4l2-controls", controlsErr},
		{"encoders", inRange(o.encoders, 0, 64)},
		{"quality", inRange(o.quality, 1, 100)},
		{"http-auth", oneOf(o.httpAuth, "token", "none")},
		{"http-token", tokenErr},
		{"max-viewers", atLeast(o.maxViewers, 0)},
		{"max-sessions", atLeast(o.maxSessions, 1)},
		{"ssh-idle", atLeast(o.sshIdle, 0)},
		{"ssh-login-grace", atLeast(o.sshGrace, time.Second)},
		{"ssh-max-startups", atLeast(o.maxStartups, 1)},
		{"ssh-max-startups-per-addr", atLeast(o.maxStartupsPer, 1)},
		{"trash-days", atLeast(o.trashDays, 0)},
		{"log-level", levelErr},
	} {
		if c.err != nil {
			return config.Invalid(c.flag, c.err)
		}
	}
	return nil
}

// inRange says what v should be unless it is within lo..hi.
func inRange(v, lo, hi int) error {
	if v >= lo && v <= hi {
		return nil
	}
	return fmt.Errorf("want %d to %d", lo, hi)
}

// atLeast says what v should be unless it is lo or more.
func atLeast[T int | time.Duration](v, lo T) error {
	if v >= lo {
		return nil
	}
	return fmt.Errorf("want %v or more", lo)
}

// oneOf says what v should be unless it is one of choices.
func oneOf(v string, choices ...string) error {
	if slices.Contains(choices, v) {
		return nil
	}
	return fmt.Errorf("want %s", strings.Join(choices, " or "))
}

// paths are the default places of pistream's files.
type paths struct{ state, photos, notes, authorizedKeys string }

// defaultPaths are the places of pistream's files for a user: state in
// $XDG_STATE_HOME/pistream or ~/.local/state/pistream, photos in
// ~/Pictures/pistream, notes in ~/pistream-notes, the SSH keys of
// ~/.ssh/authorized_keys. Under systemd, the directories the unit asks
// for come first: state, photos and notes beneath $STATE_DIRECTORY
// (/var/lib/pistream), authorized_keys in $CONFIGURATION_DIRECTORY
// (/etc/pistream), so the unit needs no flags and the config file decides.
func defaultPaths(home string) paths {
	p := paths{
		state:          filepath.Join(home, ".local", "state", "pistream"),
		photos:         filepath.Join(home, "Pictures", "pistream"),
		notes:          filepath.Join(home, "pistream-notes"),
		authorizedKeys: filepath.Join(home, ".ssh", "authorized_keys"),
	}
	if x := os.Getenv("XDG_STATE_HOME"); x != "" {
		p.state = filepath.Join(x, "pistream")
	}
	if sd := systemdDir("STATE_DIRECTORY"); sd != "" {
		p.state, p.photos, p.notes = filepath.Join(sd, "state"), filepath.Join(sd, "photos"), filepath.Join(sd, "notes")
	}
	if cd := systemdDir("CONFIGURATION_DIRECTORY"); cd != "" {
		p.authorizedKeys = filepath.Join(cd, "authorized_keys")
	}
	return p
}

// systemdDir is the first directory of a list systemd passes in the
// environment variable name (colon-separated, absolute), or "".
func systemdDir(name string) string {
	first, _, _ := strings.Cut(os.Getenv(name), ":")
	if !filepath.IsAbs(first) {
		return ""
	}
	return first
}

// parseSize parses "WxH".
func parseSize(s string) (int, int, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 16 || h < 16 || w > 7680 || h > 4320 || w%2 != 0 || h%2 != 0 {
		return 0, 0, errors.New("want WxH with even numbers from 16x16 to 7680x4320, e.g. 640x480")
	}
	return w, h, nil
}

func main() {
	o, settings, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pistream:", err)
		os.Exit(2)
	}
	if o.printConfig {
		if err := o.config.Print(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "pistream:", err)
			os.Exit(1)
		}
		return
	}
	if o.listCameras {
		if err := camera.ListCameras(context.Background(), os.Stdout); err != nil {
			for line := range strings.Lines(err.Error()) { // one per place it could not look
				fmt.Fprintln(os.Stderr, "pistream: --list-cameras:", strings.TrimSuffix(line, "\n"))
			}
			os.Exit(1)
		}
		return
	}
	if err := run(o, settings); err != nil {
		fmt.Fprintln(os.Stderr, "pistream:", err)
		os.Exit(1)
	}
}

// run starts the camera, the HTTP and SSH servers and, in a terminal, the
// local TUI, until a signal, the local TUI's quit or a server's failure;
// then it stops them all through their own Shutdown and waits for every
// goroutine it started, within 2 s.
func run(o options, settings camera.Settings) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	loose, err := statedir.Prepare(o.state)
	if err != nil {
		return err
	}
	local := !o.headless && term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd())
	logger, closeLog, err := newLogger(o, local)
	if err != nil {
		return err
	}
	defer closeLog()
	// OpenCV and GStreamer read their levels when they start: now.
	if err := clog.SetLevels(logger.GetLevel()); err != nil {
		return err
	}
	var tty *os.File // the terminal of the local TUI
	if local {
		// What C libraries print would land on the TUI: it goes to the
		// log, and the TUI gets the terminal.
		capture, err := clog.Start(logger)
		if err != nil {
			return err
		}
		defer capture.Stop()
		tty = capture.Terminal
	}
	if loose != 0 {
		logger.Warn("tightened the state directory: others could enter it", "path", o.state, "was", fmt.Sprintf("%04o", loose), "now", "0700")
	}
	logConfigFile(o, logger)

	photos, err := album.Open(o.photos)
	if err != nil {
		return err
	}
	defer photos.Close()
	// One listing of the album for every session and the album page; it
	// runs in the group below, which awaits it before photos.Close.
	photoIndex := index.New(photos)
	notesDir, err := notes.Open(o.notes)
	if err != nil {
		return err
	}
	defer notesDir.Close()
	renderer := notes.NewRenderer(notes.DefaultParallel, notes.DefaultCacheBytes, logger)
	defer renderer.Close()
	focus, _ := camera.ParseFocus(o.focus)            // checked by o.check
	controls, _ := v4l2.ParseSettings(o.v4l2Controls) // checked by o.check
	cam := camera.New(camera.Config{
		Spec: o.camera, Settings: settings, Quality: o.quality,
		Transform:    camera.Transform{Rotate: o.rotate, HFlip: o.hflip, VFlip: o.vflip},
		Focus:        focus,
		V4L2Controls: controls,
		Encoders:     o.encoders, IdleRelease: o.idleRelease, Logger: logger,
	})

	// The servers listen before anything runs, so the App is complete
	// when the first session starts.
	var sshSrv *sshd.Server // set below, before any session or request can start
	sessions := func() int {
		if sshSrv == nil {
			return 0
		}
		return sshSrv.Sessions()
	}
	if o.ssh == "" {
		sessions = nil // no SSH: /metrics has no pistream_ssh_sessions
	}
	feed, err := listenHTTP(o, cam, photos, photoIndex, sessions, logger)
	if err != nil {
		return err
	}
	app := &tui.App{Camera: cam, Album: photos, Index: photoIndex, Notes: notesDir, Renderer: renderer, Log: logger, Sessions: sessions,
		SCP: scpTarget()}
	if feed != nil {
		app.Viewers, app.URLs, app.OpenFeed = feed.server.Viewers, feed.URLs(), feed.open
		for _, u := range app.URLs { // before serving: whoever sees a URL can use it
			logger.Info("open the live feed in a browser", "url", u)
		}
	} else {
		logger.Info("HTTP is off (--http \"\")")
	}
	var sshLn net.Listener
	if o.ssh != "" {
		if sshSrv, sshLn, err = listenSSH(o, app); err != nil {
			if feed != nil {
				feed.Shutdown(context.Background())
			}
			return err
		}
		app.SSH = sshCommand(sshLn.Addr().(*net.TCPAddr))
		logger.Info("control it by SSH", "cmd", app.SSH, "keys", o.authorizedKeys)
	} else {
		logger.Info("SSH is off (--ssh \"\")")
	}

	g, gctx := errgroup.WithContext(ctx)
	camCtx, stopCam := context.WithCancel(context.Background())
	defer stopCam()
	g.Go(func() error { cam.Run(camCtx); return nil })
	g.Go(func() error { photoIndex.Run(gctx); return nil })
	g.Go(func() error { emptyTrash(gctx, photos, time.Duration(o.trashDays)*24*time.Hour, logger); return nil })
	if feed != nil {
		g.Go(feed.Serve)
	}
	if sshSrv != nil {
		g.Go(func() error { return sshSrv.Serve(sshLn) })
	}
	// Under systemd (Type=notify): ready once the listeners are up and
	// the camera opened or failed; the watchdog is fed while the capture
	// loop makes progress.
	g.Go(func() error {
		sdnotify.Run(gctx, sdnotify.Service{
			Ready: cam.Settled(), Healthy: cam.Alive, Status: func() string { return serviceStatus(cam, feed) }, Log: logger,
		})
		return nil
	})
	if local {
		p := tea.NewProgram(app.NewModel(gctx, 0), tea.WithContext(gctx), tea.WithOutput(tty))
		g.Go(func() error {
			_, err := p.Run()
			if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
				logger.Error("the local TUI failed", "err", err)
			}
			if gctx.Err() == nil {
				logger.Info("the local TUI quit: stopping")
			}
			return errQuit
		})
	}
	// Stop everything once anything ends it: a signal, a quit, a failure.
	g.Go(func() error {
		<-gctx.Done()
		if ctx.Err() != nil { // a signal
			logger.Info("stopping")
		}
		stop() // a second signal kills at once
		if feed != nil {
			// The streams end at once; snapshots and pages in flight get
			// a moment, then what is left is closed.
			sctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			feed.Shutdown(sctx)
		}
		if sshSrv != nil {
			sshSrv.Close() // ends every session's program
		}
		stopCam()
		app.Wait() // photos asked for are saved, or their failure logged
		return nil
	})
	err = g.Wait()
	logger.Info("stopped")
	if errors.Is(err, errQuit) {
		return nil
	}
	return err
}

// logConfigFile logs the config file read, and warns when it holds the
// access token and others than its owner may read it.
func logConfigFile(o options, logger *log.Logger) {
	if o.config == nil || o.config.File == "" {
		return
	}
	logger.Info("read the config file", "path", o.config.File)
	if o.config.Origin("http-token").Source != config.File {
		return
	}
	if fi, err := os.Stat(o.config.File); err == nil && fi.Mode().Perm()&0o077 != 0 {
		logger.Warn("the config file holds the HTTP token and others may read it: chmod 600 it",
			"path", o.config.File, "mode", fmt.Sprintf("%04o", fi.Mode().Perm()))
	}
}

// errQuit ends the run when the local TUI quits: a stop, not a failure.
var errQuit = errors.New("the local TUI quit")

// feed is the HTTP server of the feed, listening.
type feed struct {
	*httpstream.Listener
	server *httpstream.Server
	open   bool // no token: anyone who reaches it can watch
}

// listenHTTP opens the HTTP server of the feed on o.http, with the access
// token (from the flag, the environment or the state directory) and the
// SSH session count for /metrics (nil: no SSH); nil when HTTP is off.
func listenHTTP(o options, cam *camera.Camera, photos *album.Album, photoIndex *index.Index, sessions func() int, logger *log.Logger) (*feed, error) {
	if o.http == "" {
		return nil, nil
	}
	token := ""
	if o.httpAuth == "token" {
		if token = o.httpToken; token == "" {
			var err error
			if token, err = httpstream.LoadOrCreateToken(filepath.Join(o.state, "http_token"), logger); err != nil {
				return nil, err
			}
		}
	} else {
		logger.Warn("the feed is open to anyone who can reach this port (--http-auth none)")
	}
	hs := httpstream.New(httpstream.Config{Camera: cam, Logger: logger, Token: token, MaxViewers: o.maxViewers, Sessions: sessions, Album: photos, AlbumIndex: photoIndex})
	l, err := hs.Listen(o.http, o.tlsCert, o.tlsKey)
	if err != nil {
		return nil, err
	}
	return &feed{Listener: l, server: hs, open: token == ""}, nil
}

// listenSSH opens the SSH server of the TUI on o.ssh.
func listenSSH(o options, app *tui.App) (*sshd.Server, net.Listener, error) {
	ln, err := net.Listen("tcp", o.ssh)
	if err != nil {
		return nil, nil, fmt.Errorf("ssh: %w", err)
	}
	srv, err := sshd.New(app, sshd.Config{
		AuthorizedKeys:     o.authorizedKeys,
		HostKeyPath:        filepath.Join(o.state, "ssh_host_ed25519_key"),
		IdleTimeout:        o.sshIdle,
		MaxSessions:        o.maxSessions,
		LoginGrace:         o.sshGrace,
		MaxStartups:        o.maxStartups,
		MaxStartupsPerAddr: o.maxStartupsPer,
	})
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	return srv, ln, nil
}

// newLogger logs to stderr, or, while the local TUI has the terminal, to
// pistream.log in the state directory, which then also gets the report of
// a crash. When stderr is systemd's journal, lines carry their priority
// and neither timestamps nor colours.
func newLogger(o options, local bool) (*log.Logger, func(), error) {
	w, closeFn := io.Writer(os.Stderr), func() {}
	if local {
		path := filepath.Join(o.state, "pistream.log")
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("log file: %w", err)
		}
		fmt.Fprintf(os.Stderr, "pistream: logging to %s while the TUI runs\n", path)
		// A crash's report, written to descriptor 2, would go to the
		// log's pipe and die with the process: the file gets it too.
		if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("log file: %w", err)
		}
		w, closeFn = f, func() { f.Close() }
	}
	var logger *log.Logger
	if !local && journal.Stderr() {
		// systemd's journal stamps each line itself and shows no
		// colours: write neither, and give each line its priority.
		logger = log.NewWithOptions(journal.Writer{W: w}, log.Options{})
		logger.SetColorProfile(colorprofile.NoTTY)
	} else {
		logger = log.NewWithOptions(w, log.Options{ReportTimestamp: true, TimeFormat: "15:04:05"})
	}
	lvl, _ := log.ParseLevel(o.logLevel)
	logger.SetLevel(lvl)
	return logger, closeFn, nil
}

// serviceStatus is the line `systemctl status` shows: the camera's state
// and the feed's viewers.
func serviceStatus(cam *camera.Camera, feed *feed) string {
	st := cam.Status()
	s := fmt.Sprintf("camera %s", st.State)
	if st.Opened != "" {
		s += " (" + st.Opened + ")"
	}
	if st.State == camera.StateStreaming {
		s += fmt.Sprintf(" at %.0f fps", st.MeasuredFPS)
	}
	if feed != nil {
		s += fmt.Sprintf(", %d viewers", feed.server.Viewers())
	}
	if st.State != camera.StateStreaming && st.Err != "" {
		s += ": " + st.Err
	}
	return s
}

// emptyTrash removes photos deleted longer ago than keep, now and hourly.
func emptyTrash(ctx context.Context, a *album.Album, keep time.Duration, logger *log.Logger) {
	for {
		if n, err := a.EmptyTrash(keep); err != nil {
			logger.Warn("empty the trash", "err", err)
		} else if n > 0 {
			logger.Info("emptied the trash", "photos", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

// scpTarget is user@host for copying photos off this machine with scp
// (through its own SSH server), or "" when either is unknown.
func scpTarget() string {
	u, err := user.Current()
	h := httpstream.LocalName()
	if err != nil || u.Username == "" || h == "" {
		return ""
	}
	return u.Username + "@" + h
}

// sshCommand is how a user reaches the TUI listening on addr.
func sshCommand(addr *net.TCPAddr) string {
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		if host = httpstream.LocalName(); host == "" {
			host = "localhost"
		}
	}
	if addr.Port == 22 {
		return "ssh " + host
	}
	return fmt.Sprintf("ssh -p %d %s", addr.Port, host)
}
