package sshd

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"
)

// authorizedKeys is the set of public keys allowed in, read from an
// authorized_keys file and re-read whenever the file changes.
type authorizedKeys struct {
	path string
	log  *log.Logger

	mu    sync.Mutex
	stamp fileStamp
	keys  map[string]bool // by the key's wire format
}

// fileStamp tells whether a file changed since it was read.
type fileStamp struct {
	exists  bool
	size    int64
	modTime time.Time
	ino     uint64
	ctime   int64 // ns; changes on every write, unlike mtime which tools set
}

func newAuthorizedKeys(path string, logger *log.Logger) *authorizedKeys {
	a := &authorizedKeys{path: path, log: logger}
	a.reload()
	return a
}

// Allowed reports whether key is in the file as it is now.
func (a *authorizedKeys) Allowed(key gossh.PublicKey) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reloadLocked()
	return a.keys[string(key.Marshal())]
}

// Count is the number of usable keys.
func (a *authorizedKeys) Count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reloadLocked()
	return len(a.keys)
}

func (a *authorizedKeys) reload() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reloadLocked()
}

// reloadLocked re-reads the file if its size, time or inode changed.
func (a *authorizedKeys) reloadLocked() {
	st := stampOf(a.path)
	if a.keys != nil && st == a.stamp {
		return
	}
	a.stamp = st
	data, err := os.ReadFile(a.path)
	if err != nil {
		a.keys = map[string]bool{}
		if errors.Is(err, os.ErrNotExist) {
			a.log.Warn("no authorized_keys file: nobody can log in by SSH", "path", a.path)
		} else {
			a.log.Error("cannot read authorized_keys: nobody can log in by SSH", "path", a.path, "err", err)
		}
		return
	}
	keys, bad := ParseAuthorizedKeys(data)
	a.keys = keys
	for _, b := range bad {
		a.log.Warn("authorized_keys: ignoring a line that is not a key, a certificate, or a key with options pistream cannot enforce (from=, command=, restrict, …)", "path", a.path, "line", b)
	}
	a.log.Info("authorized keys loaded", "path", a.path, "keys", len(keys))
}

// ParseAuthorizedKeys reads the keys of an authorized_keys file. Lines
// that are not keys are skipped (their line numbers are returned) so the
// good keys still work. So are certificates and keys with options that
// restrict them (from=, command=, restrict, no-pty, cert-authority, …):
// pistream cannot enforce those, and a restricted key must not get more
// than its owner meant.
func ParseAuthorizedKeys(data []byte) (map[string]bool, []int) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte-order mark from Windows editors
	keys := map[string]bool{}
	var bad []int
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, _, opts, _, err := gossh.ParseAuthorizedKey(line)
		if _, isCert := k.(*gossh.Certificate); err != nil || isCert || !harmlessOptions(opts) {
			bad = append(bad, i+1)
			continue
		}
		keys[string(k.Marshal())] = true
	}
	return keys, bad
}

// harmlessOptions reports whether opts only turn off things pistream's SSH
// server never offers anyway.
func harmlessOptions(opts []string) bool {
	for _, o := range opts {
		switch strings.ToLower(o) {
		case "no-port-forwarding", "no-agent-forwarding", "no-x11-forwarding", "no-user-rc":
		default:
			return false
		}
	}
	return true
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	st := fileStamp{exists: true, size: fi.Size(), modTime: fi.ModTime()}
	st.ino, st.ctime = inodeAndCtime(fi)
	return st
}
