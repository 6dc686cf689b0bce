// Command pistream streams a Raspberry Pi camera to browsers as MJPEG, with
// µStreamer-compatible paths, from one capture loop that encodes each frame
// once whatever the number of viewers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"charm.land/log/v2"

	"pistream/camera"
	"pistream/httpstream"
)

// options are the command-line flags.
type options struct {
	camera      string
	size        string
	fps         int
	quality     int
	idleRelease bool
	http        string
	headless    bool
	logLevel    string
}

func parseFlags(args []string) (options, camera.Settings, error) {
	var o options
	fs := flag.NewFlagSet("pistream", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "pistream streams a camera to browsers as MJPEG.\n\nUsage: pistream [flags]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.camera, "camera", envOr("PISTREAM_CAMERA", "auto"),
		"camera: auto, test, a device index (0) or path (/dev/video0), a file or URL, or a GStreamer pipeline ending in appsink (env PISTREAM_CAMERA)")
	fs.StringVar(&o.size, "size", "640x480", "frame size WxH")
	fs.IntVar(&o.fps, "fps", 30, "frames per second")
	fs.IntVar(&o.quality, "quality", 80, "JPEG quality of the feed, 1-100")
	fs.BoolVar(&o.idleRelease, "idle-release", false, "release the camera while nobody watches")
	fs.StringVar(&o.http, "http", ":8080", "HTTP listen address; empty turns HTTP off")
	fs.BoolVar(&o.headless, "headless", false, "run without the local TUI")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return o, camera.Settings{}, err
	}
	if fs.NArg() > 0 {
		return o, camera.Settings{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	w, h, err := parseSize(o.size)
	if err != nil {
		return o, camera.Settings{}, err
	}
	if o.fps < 1 || o.fps > 240 {
		return o, camera.Settings{}, fmt.Errorf("--fps %d: want 1 to 240", o.fps)
	}
	if o.quality < 1 || o.quality > 100 {
		return o, camera.Settings{}, fmt.Errorf("--quality %d: want 1 to 100", o.quality)
	}
	if _, err := log.ParseLevel(o.logLevel); err != nil {
		return o, camera.Settings{}, fmt.Errorf("--log-level: %w", err)
	}
	return o, camera.Settings{Width: w, Height: h, FPS: o.fps}, nil
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// parseSize parses "WxH".
func parseSize(s string) (int, int, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 16 || h < 16 || w > 7680 || h > 4320 || w%2 != 0 || h%2 != 0 {
		return 0, 0, fmt.Errorf("--size %q: want WxH with even numbers from 16x16 to 7680x4320, e.g. 640x480", s)
	}
	return w, h, nil
}

func main() {
	o, settings, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pistream:", err)
		os.Exit(2)
	}
	logger := log.NewWithOptions(os.Stderr, log.Options{ReportTimestamp: true, TimeFormat: "15:04:05"})
	lvl, _ := log.ParseLevel(o.logLevel)
	logger.SetLevel(lvl)
	if err := run(o, settings, logger); err != nil {
		logger.Error("pistream stopped", "err", err)
		os.Exit(1)
	}
}

func run(o options, settings camera.Settings, logger *log.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cam := camera.New(camera.Config{
		Spec: o.camera, Settings: settings, Quality: o.quality,
		IdleRelease: o.idleRelease, Logger: logger,
	})
	camCtx, stopCam := context.WithCancel(context.Background())
	camDone := make(chan struct{})
	go func() { defer close(camDone); cam.Run(camCtx) }()

	var srv *http.Server
	srvErr := make(chan error, 1)
	streamsCtx, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	if o.http != "" {
		ln, err := net.Listen("tcp", o.http)
		if err != nil {
			stopCam()
			<-camDone
			return fmt.Errorf("http: %w", err)
		}
		hs := httpstream.New(httpstream.Config{Camera: cam, Logger: logger})
		srv = &http.Server{
			Handler:           hs.Handler(),
			ReadHeaderTimeout: 5 * time.Second,
			IdleTimeout:       60 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return streamsCtx },
			ErrorLog:          logger.StandardLog(log.StandardLogOptions{ForceLevel: log.DebugLevel}),
		}
		go func() { srvErr <- srv.Serve(ln) }()
		for _, u := range httpstream.URLs(ln.Addr().(*net.TCPAddr)) {
			logger.Info("open the live feed in a browser", "url", u)
		}
	} else {
		logger.Info("HTTP is off (--http \"\")")
	}

	select {
	case <-ctx.Done():
		logger.Info("stopping")
	case err := <-srvErr:
		stopCam()
		<-camDone
		endStreams()
		return fmt.Errorf("http: %w", err)
	}
	stop() // a second signal kills at once

	// Stop accepting, end the streams, release the camera: all within 2 s.
	deadline := time.Now().Add(1500 * time.Millisecond)
	endStreams()
	stopCam()
	if srv != nil {
		sctx, cancel := context.WithDeadline(context.Background(), deadline)
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
		cancel()
	}
	select {
	case <-camDone:
	case <-time.After(time.Until(deadline) + 300*time.Millisecond):
		logger.Warn("camera did not stop in time; exiting anyway")
	}
	logger.Info("stopped")
	return nil
}
