package httpstream

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"pistream/camera"
	"pistream/internal/mjpegtest"
)

// A Listener serves until Shutdown, which ends a stream in progress at
// once and makes Serve return nil.
func TestListenerServesAndShutsDown(t *testing.T) {
	cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 160, Height: 120, FPS: 30}})
	ctx, cancel := context.WithCancel(context.Background())
	camDone := make(chan struct{})
	go func() { defer close(camDone); cam.Run(ctx) }()
	defer func() { cancel(); <-camDone }()

	l, err := New(Config{Camera: cam}).Listen("127.0.0.1:0", "", "")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- l.Serve() }()
	urls := l.URLs()
	if len(urls) == 0 || !strings.HasPrefix(urls[0], "http://127.0.0.1:") {
		t.Fatalf("URLs = %v", urls)
	}
	resp, err := http.Get(urls[0] + "stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	pr := mjpegtest.NewPartReader(resp.Body, Boundary)
	if _, err := pr.Next(nil); err != nil {
		t.Fatal(err)
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	l.Shutdown(sctx)
	if err := <-served; err != nil {
		t.Errorf("Serve after Shutdown = %v, want nil", err)
	}
	for {
		if _, err := pr.Next(nil); err != nil {
			break // the stream ended
		}
	}
}

func TestListenRefusesBadTLS(t *testing.T) {
	cam := camera.New(camera.Config{Spec: "test"})
	if _, err := New(Config{Camera: cam}).Listen("127.0.0.1:0", "/missing.pem", "/missing.key"); err == nil || !strings.Contains(err.Error(), "tls") {
		t.Errorf("Listen with missing certificate files = %v, want a tls error", err)
	}
}
