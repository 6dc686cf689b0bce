package rpicam

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"pistream/internal/nbio"
)

// termGrace is how long Close waits after SIGTERM before SIGKILL, and how
// long Next waits for a child that closed its stdout to exit.
const termGrace = time.Second

// ErrClosed is returned by Next once Close has been called.
var ErrClosed = errors.New("rpicam: stream closed")

// ExitError is Next's error once the child has exited (or closed its stdout
// and was killed for it).
type ExitError struct {
	Name   string           // the program's base name, e.g. "rpicam-vid"
	State  *os.ProcessState // how it ended
	Stderr []string         // its last lines on stderr, oldest first
	Err    error            // io.EOF, or an error wrapping io.ErrUnexpectedEOF when its output ended inside a JPEG
}

func (e *ExitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s exited: %v", e.Name, e.State)
	if !errors.Is(e.Err, io.EOF) {
		fmt.Fprintf(&b, " (%v)", e.Err)
	}
	if len(e.Stderr) > 0 {
		b.WriteString("; stderr: ")
		b.WriteString(strings.Join(e.Stderr, " | "))
	}
	return b.String()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Stream is a running rpicam-vid and the JPEGs it writes.
type Stream struct {
	name   string
	cmd    *exec.Cmd
	pid    int // the child's pid, also its process group's id
	stdout *os.File
	stderr *os.File
	split  *splitter
	tail   lineTail

	mu       sync.Mutex // guards signalling the group against its leader being reaped
	reaped   bool
	waitDone chan struct{} // closed when the child has been reaped

	stderrDone chan struct{} // closed when its stderr has been read to the end
	closing    chan struct{} // closed when Close starts
	closeOnce  sync.Once
	stopCtx    func() bool

	nextMu  sync.Mutex
	nextErr error // sticky error of Next
}

// Start runs bin (see Binary) with Args(o) and returns the stream of its
// JPEGs. Each line the child writes to stderr is passed to logf (if not nil),
// from another goroutine, until Close returns; logf should not block.
//
// The child runs in a process group of its own until Close is called or ctx
// is done, whichever comes first; on Linux, the kernel kills it if pistream
// dies.
func Start(ctx context.Context, bin string, o Options, logf func(line string)) (*Stream, error) {
	name := filepath.Base(bin)
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: stdout pipe: %w", name, err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("start %s: stderr pipe: %w", name, err)
	}
	// Our own pipes rather than cmd.StdoutPipe: Wait must not close the
	// read end while frames are still in it, and no copying goroutines.
	cmd := exec.Command(bin, Args(o)...)
	cmd.Stdout, cmd.Stderr = outW, errW
	cmd.SysProcAttr = sysProcAttr()
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &Stream{
		name:       name,
		cmd:        cmd,
		pid:        cmd.Process.Pid,
		stdout:     outR,
		stderr:     errR,
		split:      newSplitter(rawPipe(outR)),
		waitDone:   make(chan struct{}),
		stderrDone: make(chan struct{}),
		closing:    make(chan struct{}),
	}
	go s.wait()
	go func() {
		defer close(s.stderrDone)
		readLines(errR, logf, &s.tail)
	}()
	s.stopCtx = context.AfterFunc(ctx, s.shutdown)
	return s, nil
}

// Pid returns the child's process id, which is also its process group's.
func (s *Stream) Pid() int { return s.pid }

// wait reaps the child. On Linux it first waits for the exit without reaping
// and kills what is left of the child's process group, which can't have
// been recycled while its leader is a zombie.
func (s *Stream) wait() {
	if waitExited(s.pid) == nil {
		s.signal(syscall.SIGKILL)
	}
	_ = s.cmd.Wait() // the exit status is in cmd.ProcessState
	s.mu.Lock()
	s.reaped = true
	s.mu.Unlock()
	close(s.waitDone)
}

// signal sends sig to the child's process group while its leader is not yet
// reaped.
func (s *Stream) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.reaped {
		_ = signalGroup(s.pid, sig)
	}
}

// Next returns the next JPEG the child wrote, in a slice the caller may keep.
// It blocks until a whole JPEG has arrived. Once the child has exited, Next
// returns an *ExitError naming its exit status and last stderr lines; once
// Close has been called, ErrClosed. A JPEG over MaxFrame bytes, or MaxGarbage
// bytes of output without one, is an error too (wrapping ErrFrameTooLarge or
// ErrNoJPEG); call Close then. Errors are sticky. Next may be called while
// Close runs, but not from two goroutines at once.
func (s *Stream) Next() ([]byte, error) {
	s.nextMu.Lock()
	defer s.nextMu.Unlock()
	if s.nextErr != nil {
		return nil, s.nextErr
	}
	if s.isClosing() {
		s.nextErr = ErrClosed
		return nil, s.nextErr
	}
	f, err := s.split.next()
	if err == nil {
		return f, nil
	}
	s.nextErr = s.ended(err)
	return nil, s.nextErr
}

func (s *Stream) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// ended turns the splitter's error into Next's.
func (s *Stream) ended(err error) error {
	if s.isClosing() {
		return ErrClosed
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s output: %w", s.name, err)
	}
	// Its stdout is closed: it has exited, or is exiting, or is useless.
	t := time.NewTimer(termGrace)
	defer t.Stop()
	select {
	case <-s.waitDone:
	case <-s.closing:
		return ErrClosed
	case <-t.C:
		s.signal(syscall.SIGKILL)
		select {
		case <-s.waitDone:
		case <-s.closing:
			return ErrClosed
		}
	}
	// Its last words: stderr ends when the group is gone, unless something
	// outside the group holds it.
	t.Reset(termGrace)
	select {
	case <-s.stderrDone:
	case <-s.closing:
	case <-t.C:
	}
	return &ExitError{Name: s.name, State: s.cmd.ProcessState, Stderr: s.tail.last(), Err: err}
}

// Close stops the child: SIGTERM to its process group, SIGKILL after a
// second if it is still there; then it reaps the child and closes the pipes.
// A Next blocked meanwhile returns ErrClosed at once. Close may be called
// more than once and from several goroutines; all return once the child is
// gone. It always returns nil.
func (s *Stream) Close() error {
	s.stopCtx()
	s.shutdown()
	return nil
}

func (s *Stream) shutdown() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.stdout.Close() // wakes a Next blocked in a read
		s.signal(syscall.SIGTERM)
		t := time.NewTimer(termGrace)
		select {
		case <-s.waitDone:
		case <-t.C:
			s.signal(syscall.SIGKILL)
			<-s.waitDone
		}
		t.Stop()
		// Let the stderr reader log the child's last lines, then stop it
		// even if something outside the group still holds the pipe.
		t.Reset(termGrace / 4)
		select {
		case <-s.stderrDone:
		case <-t.C:
		}
		t.Stop()
		s.stderr.Close()
		<-s.stderrDone
	})
}

// rawPipe reads the child's stdout without waking the runtime's monitor
// thread on every frame (see internal/nbio); f itself if that can't be.
func rawPipe(f *os.File) io.Reader {
	if r, err := nbio.NewReader(f); err == nil {
		return r
	}
	return f
}
