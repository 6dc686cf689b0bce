// Package journal fits pistream's log to systemd's journal when systemd
// runs it: it tells whether stderr is the journal's stream, and gives each
// log entry the syslog priority journald reads from a "<N>" prefix, so
// `journalctl -p warning` finds pistream's warnings. The journal stamps
// every line itself; the logger then writes neither timestamps nor
// colours (see main's newLogger).
package journal

import (
	"bytes"
	"io"

	sdjournal "github.com/coreos/go-systemd/v22/journal"
)

// Stderr reports whether stderr is the journal's stream: JOURNAL_STREAM,
// which systemd sets, names stderr's device and inode. A JOURNAL_STREAM
// inherited by a program whose stderr was redirected elsewhere (a shell
// started from a service, `2>file`) does not match, and neither does a
// malformed one.
func Stderr() bool {
	ok, err := sdjournal.StderrIsJournalStream()
	return ok && err == nil
}

// priorities maps the level word that starts an entry of charm log's text
// formatter (no timestamp) to its syslog priority prefix.
var priorities = []struct{ level, prefix []byte }{
	{[]byte("DEBUG"), []byte("<7>")},
	{[]byte("INFO"), []byte("<6>")},
	{[]byte("WARN"), []byte("<4>")},
	{[]byte("ERROR"), []byte("<3>")},
	{[]byte("FATAL"), []byte("<2>")},
}

// Writer writes each log entry to W with its priority prefix; an entry
// without a known level word passes unchanged (journald gives it the
// unit's default priority). Charm log writes an entry with one Write.
type Writer struct{ W io.Writer }

func (w Writer) Write(p []byte) (int, error) {
	for _, pr := range priorities {
		if bytes.HasPrefix(p, pr.level) {
			buf := make([]byte, 0, len(pr.prefix)+len(p))
			if _, err := w.W.Write(append(append(buf, pr.prefix...), p...)); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return w.W.Write(p)
}
