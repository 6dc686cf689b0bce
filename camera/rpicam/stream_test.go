package rpicam

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeRun is a fake rpicam-vid started by startFake, and what it told us.
type fakeRun struct {
	s      *Stream
	args   string // files the fake writes, see its documentation
	frames string
	pid    string

	mu    sync.Mutex
	lines []string // its stderr, through logf
}

func (f *fakeRun) logf(line string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = append(f.lines, line)
}

func (f *fakeRun) stderr() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.lines, "\n")
}

// startFake starts the fake rpicam-vid with options o and the environment
// env; the stream is closed when the test ends.
func startFake(t *testing.T, ctx context.Context, o Options, env map[string]string) *fakeRun {
	t.Helper()
	dir := t.TempDir()
	f := &fakeRun{
		args:   filepath.Join(dir, "args"),
		frames: filepath.Join(dir, "frames"),
		pid:    filepath.Join(dir, "pid"),
	}
	t.Setenv("FAKE_RPICAM_ARGS", f.args)
	t.Setenv("FAKE_RPICAM_FRAMES", f.frames)
	t.Setenv("FAKE_RPICAM_PID", f.pid)
	for k, v := range env {
		t.Setenv(k, v)
	}
	s, err := Start(ctx, fakeBin(t), o, f.logf)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	f.s = s
	return f
}

// checkGone checks that nothing of the stream's process group is left and
// that its leader was reaped. Close guarantees both when it returns.
func checkGone(t *testing.T, s *Stream) {
	t.Helper()
	if left := groupAlive(t, s.Pid()); len(left) > 0 {
		t.Errorf("processes %v of group %d still alive", left, s.Pid())
	}
	if !reaped(s.Pid()) {
		t.Errorf("child %d not reaped", s.Pid())
	}
}

var small = Options{Width: 160, Height: 120, FPS: 30, Quality: 80}

func TestStreamFrames(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		env  map[string]string
	}{
		{"plain", small, nil},
		{"EXIF thumbnails", small, map[string]string{"FAKE_RPICAM_EXIF": "1"}},
		{"second camera, odd size, rotated and flipped",
			Options{Camera: 1, Width: 97, Height: 61, FPS: 60, Quality: 20, Rotation: 180, HFlip: true, VFlip: true},
			map[string]string{"FAKE_RPICAM_CAMERAS": "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			f := startFake(t, context.Background(), tt.o, tt.env)
			seen := map[string]bool{}
			for i := range 10 {
				frame, err := f.s.Next()
				if err != nil {
					t.Fatalf("frame %d: %v (stderr: %s)", i, err, f.stderr())
				}
				img, err := jpeg.Decode(bytes.NewReader(frame))
				if err != nil {
					t.Fatalf("frame %d does not decode: %v", i, err)
				}
				if b := img.Bounds(); b.Dx() != tt.o.Width || b.Dy() != tt.o.Height {
					t.Errorf("frame %d is %dx%d, want %dx%d", i, b.Dx(), b.Dy(), tt.o.Width, tt.o.Height)
				}
				sum := sha256.Sum256(frame)
				h := hex.EncodeToString(sum[:])
				if seen[h] {
					t.Errorf("frame %d repeats an earlier one", i)
				}
				seen[h] = true
				// The fake writes a frame's hash before the frame.
				if !slices.Contains(fileLines(t, f.frames), h) {
					t.Errorf("frame %d (%d bytes) is not one the fake wrote", i, len(frame))
				}
			}
			if tt.env["FAKE_RPICAM_EXIF"] == "1" {
				if frame, _ := f.s.Next(); !bytes.Contains(frame, []byte("Exif\x00\x00")) {
					t.Errorf("no EXIF segment in a frame")
				}
			}
			if got, want := fileLines(t, f.args), strings.Join(Args(tt.o), "\t"); len(got) != 1 || got[0] != want {
				t.Errorf("the fake was run with %q, want %q", got, want)
			}
			if err := f.s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			checkGone(t, f.s)
			if !strings.Contains(f.stderr(), "configuring streams") {
				t.Errorf("the banner on stderr did not reach logf: %q", f.stderr())
			}
			if _, err := f.s.Next(); !errors.Is(err, ErrClosed) {
				t.Errorf("Next after Close: %v, want ErrClosed", err)
			}
		})
	}
}

func TestStreamExit(t *testing.T) {
	tests := []struct {
		name       string
		o          Options
		env        map[string]string
		wantFrames int
		wantErr    []string
	}{
		{"camera stops", small, map[string]string{"FAKE_RPICAM_EXIT_AFTER": "3"}, 3,
			[]string{"rpicam-vid exited: exit status 1", "ERROR: *** camera stopped ***"}},
		{"camera stops, a child holds the pipes", small, map[string]string{"FAKE_RPICAM_EXIT_AFTER": "2", "FAKE_RPICAM_CHILD": "1"}, 2,
			[]string{"exit status 1", "camera stopped"}},
		{"no camera", small, map[string]string{"FAKE_RPICAM_NO_CAMERA": "1"}, 0,
			[]string{"exit status 255", "ERROR: *** no cameras available ***"}},
		{"no such camera", Options{Camera: 1, Width: 64, Height: 48, FPS: 30, Quality: 50}, nil, 0,
			[]string{"exit status 255", "invalid camera index 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			f := startFake(t, context.Background(), tt.o, tt.env)
			n := 0
			var err error
			for err == nil {
				if _, err = f.s.Next(); err == nil {
					n++
				}
			}
			if n != tt.wantFrames {
				t.Errorf("got %d frames before the error, want %d", n, tt.wantFrames)
			}
			var ee *ExitError
			if !errors.As(err, &ee) || !errors.Is(err, io.EOF) {
				t.Fatalf("Next: %v (%T), want an *ExitError wrapping io.EOF", err, err)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if _, err2 := f.s.Next(); err2 != err {
				t.Errorf("Next again: %v, want the same error", err2)
			}
			// The child's group is gone without Close: the leader is reaped,
			// and whatever it left in its group was killed first.
			waitFor(t, "the group to die", func() bool { return len(groupAlive(t, f.s.Pid())) == 0 })
			if !reaped(f.s.Pid()) {
				t.Errorf("child not reaped")
			}
			f.s.Close()
		})
	}
}

// A hung camera: Next blocks until Close, which leaves nothing behind.
func TestStreamStall(t *testing.T) {
	for _, ignoreTerm := range []bool{false, true} {
		name := "dies on SIGTERM"
		env := map[string]string{"FAKE_RPICAM_STALL_AFTER": "2"}
		if ignoreTerm {
			name = "needs SIGKILL"
			env["FAKE_RPICAM_IGNORE_TERM"] = "1"
		}
		t.Run(name, func(t *testing.T) {
			noLeaks(t)
			f := startFake(t, context.Background(), small, env)
			for i := range 2 {
				if _, err := f.s.Next(); err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
			}
			done := make(chan error, 1)
			go func() {
				_, err := f.s.Next()
				done <- err
			}()
			select {
			case err := <-done:
				t.Fatalf("Next returned %v from a stalled camera", err)
			case <-time.After(100 * time.Millisecond):
			}
			if err := f.s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := <-done; !errors.Is(err, ErrClosed) {
				t.Errorf("blocked Next: %v, want ErrClosed", err)
			}
			checkGone(t, f.s)
			st := f.s.cmd.ProcessState.Sys().(syscall.WaitStatus)
			if want := map[bool]syscall.Signal{false: syscall.SIGTERM, true: syscall.SIGKILL}[ignoreTerm]; !st.Signaled() || st.Signal() != want {
				t.Errorf("child ended with %v, want killed by %v", f.s.cmd.ProcessState, want)
			}
			if err := f.s.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

func TestStreamCloseConcurrently(t *testing.T) {
	noLeaks(t)
	f := startFake(t, context.Background(), small, map[string]string{"FAKE_RPICAM_STALL_AFTER": "0"})
	done := make(chan error, 1)
	go func() {
		_, err := f.s.Next()
		done <- err
	}()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { f.s.Close() })
	}
	wg.Wait()
	checkGone(t, f.s)
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("Next: %v, want ErrClosed", err)
	}
}

func TestStreamContext(t *testing.T) {
	noLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	f := startFake(t, ctx, small, nil)
	if _, err := f.s.Next(); err != nil {
		t.Fatal(err)
	}
	cancel()
	var err error
	for err == nil {
		_, err = f.s.Next()
	}
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after cancel: %v, want ErrClosed", err)
	}
	f.s.Close() // waits for the shutdown the context started
	checkGone(t, f.s)
}

func TestStartErrors(t *testing.T) {
	noLeaks(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	missing := filepath.Join(t.TempDir(), "rpicam-vid")
	notExec := filepath.Join(t.TempDir(), "libcamera-vid")
	if err := os.WriteFile(notExec, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		ctx     context.Context
		bin     string
		o       Options
		wantErr string
	}{
		{"missing binary", context.Background(), missing, small, "start rpicam-vid"},
		{"not executable", context.Background(), notExec, small, "start libcamera-vid"},
		{"bad options", context.Background(), missing, Options{Width: 640, Height: 480, FPS: 30, Quality: 80, Rotation: 90}, "rotation 90"},
		{"cancelled context", cancelled, missing, small, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Start(tt.ctx, tt.bin, tt.o, nil)
			if err == nil {
				s.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Start: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
