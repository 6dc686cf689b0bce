package index

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pistream/album"
)

// countingAlbum counts the listings of an album.
type countingAlbum struct {
	*album.Album
	listings atomic.Int64
}

func (c *countingAlbum) List() ([]album.Photo, error) {
	c.listings.Add(1)
	return c.Album.List()
}

// startListers starts n consumers as the Photos screens were before the
// index: each lists the album itself after every change, at most once per
// Throttle, and holds its listing in r.
func startListers(b *testing.B, src Source, n int) *readers {
	r := newReaders(n)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var last time.Time
			for version := uint64(1); ; version++ {
				if wait := time.Until(last.Add(Throttle)); wait > 0 {
					select {
					case <-time.After(wait):
					case <-ctx.Done():
						return
					}
				}
				last = time.Now()
				ch := src.Changed()
				photos, err := src.List()
				r.set(i, Snapshot{Version: version, Photos: photos, Err: err})
				select {
				case <-ch:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	b.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return r
}

// BenchmarkListingsPerPhoto: listings of the album per photo saved, with
// 8 consumers (eight sessions on Photos) that each end with the photo
// listed; b.N photos saved one at a time, each once every consumer shows
// the one before. Before: each consumer lists for itself, as the Photos
// screens did; after: one index for all. Run with -benchtime 20x or so:
// each photo waits out the throttle.
func BenchmarkListingsPerPhoto(b *testing.B) {
	const consumers = 8
	data := testJPEG(b)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.Local)
	measure := func(b *testing.B, start func(*countingAlbum) *readers) float64 {
		a, err := album.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { a.Close() }) // after its consumers stop, cleaned up before it
		c := &countingAlbum{Album: a}
		r := start(c)
		r.await(b, nil)
		before := c.listings.Load()
		var names []string
		for i := range b.N {
			p, err := a.Save(data, at.Add(time.Duration(i)*time.Millisecond))
			if err != nil {
				b.Fatal(err)
			}
			names = append(names, p.Name)
			r.await(b, names)
		}
		return float64(c.listings.Load()-before) / float64(b.N)
	}
	b.ResetTimer()
	each := measure(b, func(c *countingAlbum) *readers { return startListers(b, c, consumers) })
	shared := measure(b, func(c *countingAlbum) *readers {
		x := New(c)
		start(b, x)
		return startReaders(b, x, consumers)
	})
	b.ReportMetric(each, "listings/photo-before")
	b.ReportMetric(shared, "listings/photo-after")
	b.ReportMetric(shared/each, "after/before")
	b.ReportMetric(0, "ns/op") // the throttle's waits, not work
}
