// Package notes manages the notes directory: list, read, render, and tell
// of changes.
//
// Notes are regular files ending in ".md" directly inside one directory.
// All access goes through an [os.Root], so a note cannot be a path or a
// symbolic link that leads out of the directory. Everything the package
// returns for display (titles, note text, rendered output) is sanitised
// with package pistream/internal/termtext: a note cannot send escape
// sequences or other control characters to the terminal that shows it.
package notes

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"pistream/internal/dirroot"
	"pistream/internal/dirwatch"
	"pistream/internal/filename"
	"pistream/internal/regularfile"
	"pistream/internal/termtext"
)

// MaxSize is the largest note, in bytes, that [Dir.Read] accepts.
const MaxSize = 1 << 20

const (
	// titleScan is how much of a note [Dir.List] reads to find its title.
	titleScan = 4 << 10
)

var (
	// ErrTooLarge is returned (wrapped) by [Dir.Read] for notes over MaxSize.
	ErrTooLarge = errors.New("note is too large")

	// ErrInvalidName is returned (wrapped) by [ValidName].
	ErrInvalidName = errors.New("invalid note name")
)

// Note describes one note file.
type Note struct {
	Name    string    // file name, e.g. "todo.md"; passes ValidName; show it through termtext.SanitizeName
	Title   string    // first "# " heading, else Name without ".md"; sanitised
	Size    int64     // in bytes; notes over MaxSize are listed but not readable
	ModTime time.Time // last modification
}

// Dir is an open notes directory. Its methods are safe for concurrent use.
//
// Should the directory be removed, it lists as empty; should it be created
// again, the Dir reads the new one (and [Dir.Changed] reports both).
type Dir struct {
	roots *dirroot.Root // the directory, re-opened when it is re-created
	watch *dirwatch.Watcher
}

// Dir is the notes directory's path.
func (d *Dir) Dir() string { return d.roots.Path() }

// Open opens the notes directory dir, creating it (mode 0755) if it does not
// exist, and starts watching it for changes (see [Dir.Changed]).
// The caller must Close the Dir.
func Open(dir string) (*Dir, error) {
	roots := dirroot.New(dir)
	root, _, err := roots.Get(true)
	if err == nil {
		// Read once so that an unreadable directory fails here, not in List.
		_, err = fs.ReadDir(root.FS(), ".")
	}
	var w *dirwatch.Watcher
	if err == nil {
		w, err = dirwatch.New(dir, isNote)
	}
	if err != nil {
		_ = roots.Close() // the error worth reporting is err
		return nil, fmt.Errorf("open notes dir %q: %w", dir, err)
	}
	return &Dir{roots: roots, watch: w}, nil
}

// Close stops watching, wakes the waiters of [Dir.Changed] and releases
// the directory. Later calls to other methods fail; calling Close again
// does nothing.
func (d *Dir) Close() error {
	if err := errors.Join(d.watch.Close(), d.roots.Close()); err != nil {
		return fmt.Errorf("close notes dir: %w", err)
	}
	return nil
}

// currentRoot returns the root of the notes directory, re-opened if the
// directory was created again since it was opened. A missing directory
// yields an error matching fs.ErrNotExist.
func (d *Dir) currentRoot() (*os.Root, error) {
	root, _, err := d.roots.Get(false)
	return root, err
}

// List returns the notes in the directory sorted by title (case-insensitive,
// then by name). It lists regular files, or symbolic links to regular files
// inside the directory, whose names pass [ValidName]; hidden files,
// directories and links that lead out are left out. A removed directory
// lists as empty.
func (d *Dir) List() ([]Note, error) {
	root, err := d.currentRoot()
	var entries []fs.DirEntry
	if err == nil {
		entries, err = fs.ReadDir(root.FS(), ".")
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // removed: nothing to list until it is created again
	}
	if err != nil {
		return nil, fmt.Errorf("list notes: %w", err)
	}
	var notes []Note
	for _, e := range entries {
		name := e.Name()
		if ValidName(name) != nil {
			continue
		}
		// Stat follows symbolic links, but fails for those leading out.
		info, err := root.Stat(name)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		notes = append(notes, Note{
			Name:    name,
			Title:   title(root, name),
			Size:    info.Size(),
			ModTime: info.ModTime(),
		})
	}
	slices.SortFunc(notes, func(a, b Note) int {
		return cmp.Or(
			strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)),
			strings.Compare(a.Title, b.Title),
			strings.Compare(a.Name, b.Name),
		)
	})
	return notes, nil
}

// title returns the sanitised title of the note name in root: its first "# "
// heading within titleScan bytes, else the name without ".md".
func title(root *os.Root, name string) string {
	fallback := termtext.SanitizeName(name[:len(name)-len(".md")])
	f, _, err := regularfile.Open(root, name)
	if err != nil {
		return fallback
	}
	defer f.Close()
	buf := make([]byte, titleScan)
	n, err := io.ReadFull(f, buf)
	head := buf[:n]
	if err == nil {
		// The note may go on: drop the last, possibly cut, line.
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i]
		}
	}
	if t := extractTitle(string(head)); t != "" {
		return termtext.SanitizeName(t)
	}
	return fallback
}

// extractTitle returns the text of the first level-one ATX heading
// ("# Title") in markdown, outside fenced code blocks, or "".
func extractTitle(markdown string) string {
	markdown = strings.TrimPrefix(markdown, "\uFEFF")
	var fence string // opening fence of the code block we are in
	for line := range strings.Lines(markdown) {
		line = strings.TrimRight(line, "\r\n")
		text := strings.TrimLeft(line, " ")
		if len(line)-len(text) > 3 {
			continue // indented code or continuation
		}
		if fence != "" {
			if strings.HasPrefix(text, fence) && strings.Trim(text, fence[:1]+" \t") == "" {
				fence = ""
			}
			continue
		}
		if f := codeFence(text); f != "" {
			fence = f
			continue
		}
		rest, ok := strings.CutPrefix(text, "#")
		if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			continue
		}
		// Drop an optional closing sequence: "# Title ##".
		if t := strings.TrimRight(rest, "#"); t == "" || strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t") {
			rest = t
		}
		if t := strings.TrimSpace(rest); t != "" {
			return t
		}
	}
	return ""
}

// codeFence returns the opening fence ("```", "~~~~", …) that line starts
// with, or "".
func codeFence(line string) string {
	for _, c := range []string{"`", "~"} {
		n := len(line) - len(strings.TrimLeft(line, c))
		if n >= 3 {
			return line[:n]
		}
	}
	return ""
}

// Read returns the sanitised text of the note name. It refuses invalid names,
// anything but a regular file inside the directory, and notes over MaxSize
// (with an error wrapping [ErrTooLarge]).
func (d *Dir) Read(name string) (string, error) {
	if err := ValidName(name); err != nil {
		return "", fmt.Errorf("read note: %w", err)
	}
	root, err := d.currentRoot()
	if err != nil {
		return "", fmt.Errorf("read note %q: %w", name, err)
	}
	b, err := regularfile.ReadAll(root, name, MaxSize, ErrTooLarge)
	if err != nil {
		return "", fmt.Errorf("read note: %w", err)
	}
	return termtext.Sanitize(string(b)), nil
}

// ValidName reports whether name is acceptable as a note's file name: a
// plain file name of at most 255 bytes (no path separator, no "..", no
// leading dot, no NUL) ending in ".md" (any case); see [filename.Check].
// Control characters, escape sequences and invalid UTF-8 are allowed, so
// such notes are listed and can be read: show their names through
// [termtext.SanitizeName]. The error wraps [ErrInvalidName] and is safe to
// show.
func ValidName(name string) error {
	return filename.Check(name, ErrInvalidName, ".md")
}
