package camera

import (
	"sync"
	"sync/atomic"
)

// pipeline publishes frames in the order they were captured, encoding those
// that need it first on a pool of encoders working in parallel, so that a
// high resolution is not capped by what one core encodes. Frames that need
// no encode pass straight through: published at once by the capture loop
// when nothing is in flight, else after the frames ahead of them. When
// every encoder is busy and frames wait, a new frame is dropped rather
// than queued: the hub wants the newest frame, not a backlog.
type pipeline struct {
	mu       sync.Mutex
	closed   bool
	order    chan job // frames in capture order, to the publisher
	work     chan job // frames to encode, to the encoders
	inflight atomic.Int64
	publish  func(*Frame)
	wg       sync.WaitGroup
}

type job struct {
	f    *Frame
	done chan struct{} // closed when encoded; nil when nothing to do
}

// newPipeline starts n encoders and the publisher, which calls publish
// for every frame in order.
func newPipeline(n int, publish func(*Frame)) *pipeline {
	p := &pipeline{order: make(chan job, n), work: make(chan job, n+1), publish: publish}
	p.wg.Add(n + 1)
	for range n {
		go func() {
			defer p.wg.Done()
			for j := range p.work {
				j.f.JPEG() // an error stays with the frame, for its consumers
				close(j.done)
			}
		}()
	}
	go func() {
		defer p.wg.Done()
		for j := range p.order {
			if j.done != nil {
				<-j.done
			}
			publish(j.f)
			p.inflight.Add(-1)
		}
	}()
	return p
}

// submit queues f for publishing, encoded first when encode is set. It
// never blocks: when frames are already waiting it reports false and
// retires f.
func (p *pipeline) submit(f *Frame, encode bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	j := job{f: f}
	if encode {
		j.done = make(chan struct{})
	}
	if p.closed {
		f.retire()
		return false
	}
	if !encode && p.inflight.Load() == 0 {
		// Nothing ahead of it: no need to wake the publisher.
		p.publish(f)
		return true
	}
	p.inflight.Add(1)
	select {
	case p.order <- j:
	default:
		p.inflight.Add(-1)
		f.retire()
		return false
	}
	if encode {
		// Never blocks: work holds at most what order holds, plus the
		// one job the publisher is waiting for.
		p.work <- j
	}
	return true
}

// close publishes what was submitted and stops the encoders and the
// publisher.
func (p *pipeline) close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.order)
		close(p.work)
	}
	p.mu.Unlock()
	p.wg.Wait()
}
