package album

import (
	"runtime"
	"time"
)

// saveNice is the nice value of the thread that writes photos: a storm of
// snapshots (400 photos in a second) then takes the CPU the feed leaves,
// not the feed's. Saves still all complete, later.
const saveNice = 10

// saveReq is a photo for the saver to write, and where its outcome goes.
type saveReq struct {
	data []byte
	t    time.Time
	done chan saveResult
}

type saveResult struct {
	photo Photo
	err   error
}

// saver writes the photos given to Save one at a time, on an OS thread of
// its own at nice saveNice, until quit is closed. One at a time: hundreds
// of Saves at once would each take a thread into the file system, and
// those threads, queued in the kernel on the same directory and journal,
// crowded the capture loop off the CPU (the feed fell from 30 to 12-21
// fps). The thread is never given back to the Go runtime: it ends with
// the goroutine, and its priority with it.
func (a *Album) saver() {
	defer close(a.saverDone)
	runtime.LockOSThread()
	_ = lowerThreadPriority(saveNice) // best effort: without it photos are written at the feed's priority
	for {
		select {
		case req := <-a.saves:
			p, err := a.save(req.data, req.t)
			req.done <- saveResult{p, err}
		case <-a.quit:
			return
		}
	}
}
