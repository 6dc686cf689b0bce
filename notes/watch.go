package notes

import (
	"path/filepath"
	"strings"
)

// Changed returns a channel that is closed when notes in the directory are
// created, written, renamed, removed or have their mode changed, or when
// the directory itself is removed or created again; bursts of changes
// within about 100 ms are gathered. Take the channel before calling List,
// and once it is closed, take the next one. Close closes the current
// channel; after Close, Changed returns nil (see package
// pistream/internal/dirwatch).
func (d *Dir) Changed() <-chan struct{} {
	return d.watch.Changed()
}

// isNote reports whether a change to the file name may concern a note.
func isNote(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".md")
}
