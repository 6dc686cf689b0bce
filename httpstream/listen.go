package httpstream

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"charm.land/log/v2"
)

// Listener is the HTTP server of a Server on its own socket: it owns the
// listener, the TLS setup, the timeouts and the streams' context, and
// stops them all in Shutdown.
type Listener struct {
	srv     *Server
	ln      net.Listener
	http    *http.Server
	scheme  string
	streams context.Context // every request's base: ending it ends the streams
	end     context.CancelFunc
}

// Listen opens addr for s, serving HTTPS when certFile and keyFile are
// given. Nothing is served before Serve.
func (s *Server) Listen(addr, certFile, keyFile string) (*Listener, error) {
	var cfg *tls.Config
	scheme := "http"
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		scheme = "https"
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", scheme, err)
	}
	streams, end := context.WithCancel(context.Background())
	l := &Listener{srv: s, ln: ln, scheme: scheme, streams: streams, end: end}
	l.http = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return streams },
		ErrorLog:          s.log.StandardLog(log.StandardLogOptions{ForceLevel: log.DebugLevel}),
		MaxHeaderBytes:    16 << 10,
		TLSConfig:         cfg,
	}
	return l, nil
}

// URLs are where a browser opens the feed, with the access token if there
// is one.
func (l *Listener) URLs() []string {
	return URLs(l.ln.Addr().(*net.TCPAddr), l.scheme, l.srv.cfg.Token)
}

// Serve serves until Shutdown (then it returns nil) or the listener fails.
func (l *Listener) Serve() error {
	var err error
	if l.scheme == "https" {
		err = l.http.ServeTLS(l.ln, "", "")
	} else {
		err = l.http.Serve(l.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("%s: %w", l.scheme, err)
}

// Shutdown stops accepting, ends the streams at once, gives snapshots and
// pages in flight until ctx ends, then closes what is left (a connection
// that has not sent its request yet would otherwise hold it).
func (l *Listener) Shutdown(ctx context.Context) error {
	l.end()
	err := l.http.Shutdown(ctx)
	if err != nil {
		l.http.Close()
	}
	return err
}
