package journal

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"charm.land/log/v2"
)

// Each entry gets the priority of its level; text that is no entry of a
// known level passes unchanged.
func TestWriterPriorities(t *testing.T) {
	for _, tt := range []struct {
		log  func(*log.Logger)
		want string
	}{
		{func(l *log.Logger) { l.Debug("d") }, "<7>DEBUG d\n"},
		{func(l *log.Logger) { l.Info("i", "k", 1) }, "<6>INFO  i k=1\n"},
		{func(l *log.Logger) { l.Warn("w") }, "<4>WARN  w\n"},
		{func(l *log.Logger) { l.Error("e") }, "<3>ERROR e\n"},
		{func(l *log.Logger) { l.Print("plain") }, "plain\n"},
		{func(l *log.Logger) { l.WithPrefix("camera").Warn("stalled") }, "<4>WARN  camera: stalled\n"},
	} {
		var b strings.Builder
		l := log.NewWithOptions(Writer{&b}, log.Options{Level: log.DebugLevel})
		tt.log(l)
		if b.String() != tt.want {
			t.Errorf("wrote %q, want %q", b.String(), tt.want)
		}
	}
}

// Stderr is true only when JOURNAL_STREAM names stderr's device and inode.
func TestStderr(t *testing.T) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(os.Stderr.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		env  string
		want bool
	}{
		{fmt.Sprintf("%d:%d", st.Dev, st.Ino), true},
		{fmt.Sprintf("%d:%d", st.Dev, st.Ino+1), false},
		{"", false},
		{"garbage", false},
	} {
		t.Setenv("JOURNAL_STREAM", tt.env)
		if got := Stderr(); got != tt.want {
			t.Errorf("JOURNAL_STREAM=%q: Stderr() = %v, want %v", tt.env, got, tt.want)
		}
	}
}
