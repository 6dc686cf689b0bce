// Package thumbs makes the album's thumbnails for the page: a photo
// decoded at a reduced scale (libjpeg's 1/2, 1/4 or 1/8, far cheaper than a
// full decode), fitted in Size×Size and encoded once, then kept in memory
// within a byte budget, the least recently used dropped first.
package thumbs

import (
	"bytes"
	"container/list"
	"fmt"
	"image"
	"image/jpeg"
	"sync"
	"sync/atomic"

	"gocv.io/x/gocv"

	"pistream/camera"
)

// Size is the longest side of a thumbnail, in pixels: a column of a
// phone's screen at twice its density.
const Size = 320

// Quality is the JPEG quality of thumbnails.
const Quality = 75

// Key names one version of one photo: its name and a version (its size
// and modification time), so a changed photo gets a new thumbnail.
type Key struct{ Name, Version string }

// Cache holds thumbnails. Its methods are safe for concurrent use.
type Cache struct {
	max  int           // bytes of thumbnails kept at most
	sem  chan struct{} // bounds the decodes running at once
	made atomic.Uint64

	mu    sync.Mutex
	used  int
	lru   *list.List // of *entry, most recently used first; only made ones
	byKey map[Key]*entry
}

type entry struct {
	key  Key
	done chan struct{} // closed once data or err is set
	data []byte
	err  error
	elem *list.Element // nil while being made, or once dropped
}

// New returns a cache that keeps at most maxBytes of thumbnails and makes
// at most workers at once (at least one).
func New(maxBytes, workers int) *Cache {
	return &Cache{
		max: maxBytes, sem: make(chan struct{}, max(workers, 1)),
		lru: list.New(), byKey: make(map[Key]*entry),
	}
}

// Get returns the thumbnail of key, making it from the photo read returns
// unless it is cached. Callers asking for the same key at once share one
// making. A failure is not cached.
func (c *Cache) Get(key Key, read func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	e, ok := c.byKey[key]
	if ok {
		if e.elem != nil {
			c.lru.MoveToFront(e.elem)
		}
		c.mu.Unlock()
		<-e.done
		return e.data, e.err
	}
	e = &entry{key: key, done: make(chan struct{})}
	c.byKey[key] = e
	c.mu.Unlock()

	e.data, e.err = c.make(read)
	c.mu.Lock()
	if e.err != nil || len(e.data) > c.max {
		delete(c.byKey, key)
	} else {
		e.elem = c.lru.PushFront(e)
		c.used += len(e.data)
		for c.used > c.max {
			c.drop(c.lru.Back().Value.(*entry))
		}
	}
	c.mu.Unlock()
	close(e.done)
	return e.data, e.err
}

// Forget drops every thumbnail of the photo name (deleted, or changed).
func (c *Cache) Forget(name string) {
	c.Retain(func(k Key) bool { return k.Name != name })
}

// Retain drops the thumbnails of every photo keep does not report: those
// deleted since, by whatever means.
func (c *Cache) Retain(keep func(Key) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.byKey {
		if !keep(k) && e.elem != nil {
			c.drop(e)
		}
	}
}

// drop removes a made entry; c.mu is held.
func (c *Cache) drop(e *entry) {
	c.lru.Remove(e.elem)
	e.elem = nil
	c.used -= len(e.data)
	delete(c.byKey, e.key)
}

// Stats returns how many thumbnails were made since New, how many are
// kept and their bytes.
func (c *Cache) Stats() (made uint64, kept, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.made.Load(), c.lru.Len(), c.used
}

func (c *Cache) make(read func() ([]byte, error)) ([]byte, error) {
	data, err := read()
	if err != nil {
		return nil, err
	}
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	t, err := Make(data)
	if err == nil {
		c.made.Add(1)
	}
	return t, err
}

// Make returns the thumbnail of the JPEG data: decoded at the smallest
// reduced scale that still covers Size, fitted in Size×Size, encoded at
// Quality.
func Make(data []byte) ([]byte, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	w, h := Fit(cfg.Width, cfg.Height)
	img, err := camera.DecodeReduced(data, cfg.Width, cfg.Height, w, h)
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	defer img.Close()
	small := gocv.NewMat()
	defer small.Close()
	out := img
	if img.Cols() != w || img.Rows() != h {
		gocv.Resize(img, &small, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
		out = small
	}
	jpeg, err := camera.EncodeJPEG(out, Quality)
	if err != nil {
		return nil, fmt.Errorf("thumbnail: encode: %w", err)
	}
	return jpeg, nil
}

// Fit returns the size of a w×h picture fitted in Size×Size, never larger
// than it is.
func Fit(w, h int) (int, int) {
	if w <= Size && h <= Size {
		return w, h
	}
	if w >= h {
		return Size, max(1, h*Size/w)
	}
	return max(1, w*Size/h), Size
}
