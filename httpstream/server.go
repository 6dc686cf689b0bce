// Package httpstream serves the camera over HTTP: the live MJPEG feed
// (/stream), the newest frame (/snapshot), the state as JSON (/state),
// Prometheus metrics (/metrics), a small page (/) and the photo album
// (/photos), on paths that µStreamer and mjpg-streamer clients expect.
// Every viewer follows the camera hub on its own: a slow or vanished viewer
// costs only its own handler.
package httpstream

import (
	"bufio"
	"context"
	"crypto/tls"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
	"github.com/prometheus/client_golang/prometheus"

	"pistream/album"
	"pistream/album/index"
	"pistream/album/thumbs"
	"pistream/camera"
)

// Boundary separates the parts of /stream.
const Boundary = "pistreamframe"

// Config configures a Server. Zero durations take the defaults.
type Config struct {
	Camera *camera.Camera
	Logger *log.Logger
	// FrameWriteTimeout bounds the write of one frame to one viewer; a
	// viewer that stops reading is dropped after it (default 5 s).
	FrameWriteTimeout time.Duration
	// SnapshotWait is how long /snapshot waits for a first frame (default 2 s).
	SnapshotWait time.Duration
	// Token, when set, is required on every path (see requireToken); empty
	// opens the feed to anyone who can reach it.
	Token string
	// MaxViewers caps the /stream viewers; the next one gets 503. 0: no cap.
	MaxViewers int
	// GuessLimit is how many wrong tokens one address may send in a minute
	// before it is refused with 429 for the rest of that minute (default
	// DefaultGuessLimit; negative: no limit).
	GuessLimit int
	// NoSignalAfter is how long a /stream viewer waits for a frame, while
	// the camera is not streaming, before it gets the NO SIGNAL picture
	// (and again after each such wait; default 1 s).
	NoSignalAfter time.Duration
	// Sessions, when set, counts the SSH sessions open now, for /metrics
	// (tui/sshd's Server.Sessions).
	Sessions func() int
	// Album, when set, is served at /photos, and the page can take photos
	// into it.
	Album *album.Album
	// AlbumIndex is Album's shared listing, which the page shows; needed
	// with Album, and running while the server serves.
	AlbumIndex *index.Index
}

// Server is the HTTP side of pistream. Its Handler serves every path.
type Server struct {
	cam     *camera.Camera
	hub     *camera.Hub
	log     *log.Logger
	cfg     Config
	started time.Time
	viewers atomic.Int64
	guesses guesses // wrong tokens per address
	mux     *http.ServeMux
	sent    sent                 // what /stream wrote, for /metrics
	snap    prometheus.Histogram // /snapshot latency
	album   *album.Album         // nil: no /photos
	index   *index.Index         // album's listing
	nosig   noSignal             // the newest NO SIGNAL picture
	thumbs  *thumbs.Cache
}

// New returns a server for the camera in cfg.
func New(cfg Config) *Server {
	if cfg.FrameWriteTimeout <= 0 {
		cfg.FrameWriteTimeout = 5 * time.Second
	}
	if cfg.GuessLimit == 0 {
		cfg.GuessLimit = DefaultGuessLimit
	}
	if cfg.NoSignalAfter <= 0 {
		cfg.NoSignalAfter = time.Second
	}
	if cfg.SnapshotWait <= 0 {
		cfg.SnapshotWait = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = log.Default()
	}
	s := &Server{
		cam:     cfg.Camera,
		hub:     cfg.Camera.Hub(),
		log:     cfg.Logger.WithPrefix("http"),
		cfg:     cfg,
		started: time.Now(),
		mux:     http.NewServeMux(),
		guesses: guesses{now: time.Now, limit: cfg.GuessLimit},
		album:   cfg.Album,
		index:   cfg.AlbumIndex,
	}
	if s.album != nil && s.index == nil {
		panic("httpstream: Config.Album without its Config.AlbumIndex")
	}
	s.mux.HandleFunc("GET /stream", s.serveStream)
	s.mux.HandleFunc("GET /snapshot", s.serveSnapshot)
	s.mux.HandleFunc("GET /state", s.serveState)
	s.mux.HandleFunc("GET /{$}", s.serveIndex)
	s.mux.HandleFunc("GET /pistream.css", asset("text/css; charset=utf-8", pageCSS))
	s.mux.HandleFunc("GET /pistream.js", asset("text/javascript; charset=utf-8", pageJS))
	if s.album != nil {
		s.handlePhotos()
	}
	reg, snap := s.newMetrics()
	s.snap = snap
	s.mux.Handle("GET /metrics", metricsHandler(reg))
	return s
}

// Handler returns the handler for every path.
func (s *Server) Handler() http.Handler {
	// A POST from another site's page (CSRF) is refused with 403, also
	// one the browser would send the cookie with.
	h := http.NewCrossOriginProtection().Handler(s.mux)
	if s.cfg.Token != "" {
		h = s.requireToken(h)
	}
	return canonical(h)
}

// canonical serves only clean paths: net/http would redirect //state to
// /state with the query, the token included, echoed in Location. It also
// keeps the URL, and so the token, out of the Referer of anything the
// page links to.
func canonical(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		if p := r.URL.Path; p == "" || p[0] != '/' || path.Clean(p) != p && !(strings.HasSuffix(p, "/") && path.Clean(p)+"/" == p) {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// admit counts a new viewer unless MaxViewers are already watching: a
// refused one is never counted, not even while it is told so.
func (s *Server) admit() bool {
	for {
		n := s.viewers.Load()
		if s.cfg.MaxViewers > 0 && n >= int64(s.cfg.MaxViewers) {
			return false
		}
		if s.viewers.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Viewers is the number of /stream viewers connected now.
func (s *Server) Viewers() int { return int(s.viewers.Load()) }

// serveIndex serves the page, or the mjpg-streamer aliases
// /?action=stream and /?action=snapshot.
func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Query().Get("action") {
	case "stream":
		s.serveStream(w, r)
	case "snapshot":
		s.serveSnapshot(w, r)
	case "":
		noCache(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(indexHTML)
	default:
		http.Error(w, "unknown action: use stream or snapshot", http.StatusNotFound)
	}
}

//go:embed index.html
var indexHTML []byte

//go:embed pistream.css
var pageCSS []byte

//go:embed pistream.js
var pageJS []byte

// asset serves one of the pages' shared files.
func asset(contentType string, data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "private, max-age=3600")
		w.Write(data)
	}
}

func noCache(h http.Header) {
	h.Set("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "0")
}

// serveStream sends every new frame as one part of a
// multipart/x-mixed-replace response until the viewer leaves or the server
// stops. A failed write ends only this handler. HEAD gets the headers only.
//
// Over HTTP/1.x it takes the connection over from net/http and writes each
// part with one write (see streamConn); over HTTP/2, which cannot be taken
// over, it writes through the ResponseWriter (streamResponse).
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) {
	if !s.admit() {
		w.Header().Set("Retry-After", "10")
		http.Error(w, fmt.Sprintf("too many viewers: pistream serves at most %d at once", s.cfg.MaxViewers), http.StatusServiceUnavailable)
		return
	}
	defer s.viewers.Add(-1)
	h := w.Header()
	noCache(h)
	h.Set("Content-Type", "multipart/x-mixed-replace; boundary="+Boundary)
	h.Set("X-Accel-Buffering", "no")
	if r.Method == http.MethodHead {
		// Go discards a HEAD's body: a stream would never fail a write,
		// and never end.
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.ProtoMajor == 1 {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err == nil {
			s.streamConn(r, h, conn, brw)
			return
		}
		if !errors.Is(err, http.ErrNotSupported) {
			s.dropped(r, err)
			return
		}
	}
	s.streamResponse(w, r)
}

// streamConn streams to a connection taken over from net/http. It writes
// the response header itself (h, with Connection: close; no chunked
// encoding: the body runs until the connection closes, as µStreamer's),
// then each part with one write: a writev of header, JPEG and CRLF on TCP,
// or one buffer holding the part (one TLS write) otherwise. Each part must
// be written within FrameWriteTimeout.
//
// The connection is closed when the handler returns, when the viewer
// leaves (a reader notices it even while no frames flow) and when the
// request's context ends: that is how the server's stop ends the stream,
// since http.Server.Shutdown does not know taken-over connections.
func (s *Server) streamConn(r *http.Request, h http.Header, conn net.Conn, brw *bufio.ReadWriter) {
	closer := conn
	if tc, ok := conn.(*tls.Conn); ok {
		// Close the TCP connection under TLS: tls.Conn.Close may first
		// wait to send a close_notify to a viewer that no longer reads.
		closer = tc.NetConn()
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	stop := context.AfterFunc(ctx, func() { closer.Close() })
	left := make(chan struct{})
	go func() {
		// A viewer sends nothing after its request: a read that ends
		// means it left, or that the connection was closed here. What it
		// sent anyway is discarded, the bytes brw.Reader holds first. The
		// reads go to conn itself: through brw.Reader they would reach
		// net/http, which cancels the request's context on a read error,
		// and a viewer leaving would look like the server stopping.
		defer close(left)
		brw.Reader.Discard(brw.Reader.Buffered())
		var buf [256]byte // small: io.Copy would hold 8 KB per viewer
		for {
			if _, err := conn.Read(buf[:]); err != nil {
				cancel(fmt.Errorf("read: %w", err))
				return
			}
		}
	}()
	defer func() {
		stop()
		cancel(nil)
		closer.Close()
		<-left
	}()

	h.Set("Connection", "close")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	conn.SetWriteDeadline(time.Now().Add(s.cfg.FrameWriteTimeout))
	brw.WriteString("HTTP/1.1 200 OK\r\n")
	h.Write(brw)
	brw.WriteString("\r\n")
	if err := brw.Flush(); err != nil { // nothing stays buffered in brw.Writer
		s.dropped(r, err)
		return
	}
	conn.SetWriteDeadline(time.Time{}) // each part sets its own

	err := s.serveViewer(ctx, s.connViewer(conn))
	if r.Context().Err() == nil && !errors.Is(err, camera.ErrHubClosed) { // not the server stopping
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		s.dropped(r, err)
	}
}

// frameJPEG returns f's JPEG, made now if nobody made it yet. A frame
// replaced before its JPEG could be made, or one that failed to encode, is
// skipped (a failure is logged at debug level).
func (s *Server) frameJPEG(f *camera.Frame) ([]byte, error) {
	jpeg, err := f.JPEG()
	if err != nil && !errors.Is(err, camera.ErrFrameGone) {
		s.log.Debug("frame skipped", "seq", f.Seq, "err", err)
	}
	return jpeg, err
}

// appendPartHeader appends the boundary and headers of one part: a JPEG of
// size bytes captured at t.
func appendPartHeader(b []byte, size int, t time.Time) []byte {
	b = append(b, "--"+Boundary+"\r\nContent-Type: image/jpeg\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(size), 10)
	b = append(b, "\r\nX-Timestamp: "...)
	b = appendTimestamp(b, t)
	return append(b, "\r\n\r\n"...)
}

// appendTimestamp writes t as Unix seconds with microseconds, as µStreamer.
func appendTimestamp(b []byte, t time.Time) []byte {
	us := t.UnixMicro()
	b = strconv.AppendInt(b, us/1e6, 10)
	b = append(b, '.')
	frac := us % 1e6
	for d := int64(1e5); d > 0; d /= 10 {
		b = append(b, byte('0'+frac/d%10))
	}
	return b
}

// dropped notes, at debug level, a viewer whose connection failed: leaving
// mid-frame is normal and must not fill the log.
func (s *Server) dropped(r *http.Request, err error) {
	s.log.Debug("viewer left", "remote", r.RemoteAddr, "err", err)
}

// serveSnapshot answers the newest frame as one JPEG (encoded now if no
// viewer made it already), or 503 when the camera has produced none within
// SnapshotWait. It asks the camera for no other encode.
func (s *Server) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sub := s.hub.Watch() // also wakes a camera released for idleness
	defer sub.Close()
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.SnapshotWait)
	defer cancel()
	var (
		f    *camera.Frame
		jpeg []byte
		err  error
	)
	for {
		if f, err = sub.Next(ctx); err != nil {
			break
		}
		if time.Since(f.Time) > time.Second {
			// Stale (the camera was idle or reconnecting): prefer a fresh one.
			if g, err := sub.Next(ctx); err == nil {
				f = g
			}
		}
		if jpeg, err = s.frameJPEG(f); err == nil {
			break
		}
	}
	if jpeg == nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		st := s.cam.Status()
		msg := fmt.Sprintf("no frame yet: camera is %s", st.State)
		if st.Err != "" {
			msg += ": " + st.Err
		}
		w.Header().Set("Retry-After", "1")
		http.Error(w, msg, http.StatusServiceUnavailable)
		return
	}
	// A client that stops reading must not hold the handler forever.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.FrameWriteTimeout))
	h := w.Header()
	noCache(h)
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Length", strconv.Itoa(len(jpeg)))
	h.Set("X-Timestamp", string(appendTimestamp(nil, f.Time)))
	if _, err := w.Write(jpeg); err == nil {
		s.snap.Observe(time.Since(start).Seconds())
	}
}

// State is the JSON document served at /state.
type State struct {
	Source      string  `json:"source"`
	Opened      string  `json:"opened"`
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	FPS         int     `json:"fps"`
	MeasuredFPS float64 `json:"measured_fps"`
	Frames      uint64  `json:"frames"`
	Viewers     int     `json:"viewers"`
	Camera      string  `json:"camera"`
	Error       string  `json:"error,omitempty"`
	ErrorTime   string  `json:"error_time,omitempty"`
	Reconnects  int     `json:"reconnects"`
	Uptime      float64 `json:"uptime_seconds"`
	Goroutines  int     `json:"goroutines"`

	Kind     string   `json:"kind"`     // rpicam, v4l2-mjpeg, v4l2-raw, gstreamer, file, test
	Rotation Rotation `json:"rotation"` // --rotate, --hflip, --vflip and who does them
	Focus    Focus    `json:"focus"`    // --focus and who does it
	Encoders int      `json:"encoders"` // JPEG encoders working in parallel

	// What the frames cost: frames read from the camera, JPEG encodes
	// (feed frames and stills), frames published with the camera's own
	// JPEG, JPEG decodes (previews, rotating a camera's JPEG), frames
	// skipped because every encoder was busy.
	Captured      uint64 `json:"captured"`
	Encoded       uint64 `json:"encoded"`
	PassedThrough uint64 `json:"passed_through"`
	Decoded       uint64 `json:"decoded"`
	Dropped       uint64 `json:"dropped"`
}

// Rotation is the transform asked of the picture and who does it: none,
// source (the camera), software, or source+software.
type Rotation struct {
	Rotate int    `json:"rotate"`
	HFlip  bool   `json:"hflip"`
	VFlip  bool   `json:"vflip"`
	By     string `json:"by"`
}

// Focus is the focus asked with --focus (default, continuous, infinity, or
// a distance) and who does it: none (nothing asked), source (rpicam-vid),
// or unsupported.
type Focus struct {
	Asked string `json:"asked"`
	By    string `json:"by"`
}

// State returns what /state serves.
func (s *Server) State() State {
	st := s.cam.Status()
	out := State{
		Source: st.Source, Opened: st.Opened,
		Width: st.Width, Height: st.Height,
		FPS: st.FPS, MeasuredFPS: float64(int(st.MeasuredFPS*10+0.5)) / 10,
		Frames: st.Frames, Viewers: s.Viewers(),
		Camera: string(st.State), Error: st.Err, Reconnects: st.Reconnects,
		Uptime:     time.Since(s.started).Round(time.Millisecond).Seconds(),
		Goroutines: runtime.NumGoroutine(),
		Kind:       st.Kind,
		Rotation:   Rotation{Rotate: st.Transform.Rotate, HFlip: st.Transform.HFlip, VFlip: st.Transform.VFlip, By: st.TransformBy},
		Focus:      Focus{Asked: st.Focus.String(), By: st.FocusBy},
		Encoders:   st.Encoders,
		Captured:   st.Captured, Encoded: st.Encodes, PassedThrough: st.Passthrough,
		Decoded: st.Decodes, Dropped: st.Dropped,
	}
	if !st.ErrTime.IsZero() {
		out.ErrorTime = st.ErrTime.UTC().Format(time.RFC3339)
	}
	return out
}

func (s *Server) serveState(w http.ResponseWriter, r *http.Request) {
	noCache(w.Header())
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(s.State())
}
