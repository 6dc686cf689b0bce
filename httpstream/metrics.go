package httpstream

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"pistream/camera"
)

// sent counts what /stream wrote to its viewers: one atomic add each per
// part, nothing else on the hot path.
type sent struct {
	frames atomic.Uint64 // parts written whole
	bytes  atomic.Uint64 // bytes of parts written (part headers, JPEGs, CRLFs)
}

// add counts one part's write of n bytes; whole says it was written whole.
func (c *sent) add(n int64, whole bool) {
	if whole {
		c.frames.Add(1)
	}
	if n > 0 {
		c.bytes.Add(uint64(n))
	}
}

// cameraStates are the states pistream_camera_state lists, one series each.
var cameraStates = []camera.State{
	camera.StateStarting, camera.StateStreaming, camera.StateReconnecting,
	camera.StateFailed, camera.StateIdle, camera.StateStopped,
}

// snapshotBuckets (seconds) span a passed-through JPEG (well under 1 ms) to
// a camera that gives no frame within SnapshotWait (2 s by default).
var snapshotBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// readout is one metric read from the server's own counters at each scrape.
type readout struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(st *camera.Status) float64
}

// newMetrics returns the registry /metrics serves: the readouts (counters
// kept by the camera, the hub's viewers, /stream and the SSH server, read
// when scraped), the snapshot latency histogram, and the Go runtime's and
// the process's standard metrics. Each Server has its own registry.
func (s *Server) newMetrics() (*prometheus.Registry, prometheus.Histogram) {
	snap := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "pistream_snapshot_duration_seconds",
		Help:    "Time to answer GET /snapshot with a JPEG, from the request to the JPEG written.",
		Buckets: snapshotBuckets,
	})
	reg := prometheus.NewRegistry()
	reg.MustRegister(snap, &statusCollector{s: s, list: s.readouts()},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, snap
}

// readouts lists the metrics read at each scrape.
func (s *Server) readouts() []readout {
	counter := func(name, help string, v func(*camera.Status) float64) readout {
		return readout{prometheus.NewDesc(name, help, nil, nil), prometheus.CounterValue, v}
	}
	gauge := func(name, help string, v func(*camera.Status) float64) readout {
		return readout{prometheus.NewDesc(name, help, nil, nil), prometheus.GaugeValue, v}
	}
	list := []readout{
		counter("pistream_frames_captured_total", "Frames read from the camera.",
			func(st *camera.Status) float64 { return float64(st.Captured) }),
		counter("pistream_frames_encoded_total", "JPEG encodes: feed frames and stills.",
			func(st *camera.Status) float64 { return float64(st.Encodes) }),
		counter("pistream_frames_passed_through_total", "Frames served with the camera's own JPEG.",
			func(st *camera.Status) float64 { return float64(st.Passthrough) }),
		counter("pistream_frames_dropped_total", "Frames skipped because every encoder was busy.",
			func(st *camera.Status) float64 { return float64(st.Dropped) }),
		counter("pistream_jpeg_decodes_total", "JPEG decodes: TUI previews, rotating a camera's JPEG.",
			func(st *camera.Status) float64 { return float64(st.Decodes) }),
		counter("pistream_stream_frames_sent_total", "Frames written whole to /stream viewers, summed over viewers.",
			func(*camera.Status) float64 { return float64(s.sent.frames.Load()) }),
		counter("pistream_stream_sent_bytes_total", "Bytes of /stream parts (part headers and JPEGs) written to viewers.",
			func(*camera.Status) float64 { return float64(s.sent.bytes.Load()) }),
		gauge("pistream_stream_viewers", "/stream viewers connected now.",
			func(*camera.Status) float64 { return float64(s.Viewers()) }),
		counter("pistream_camera_reconnects_total", "Times the camera was reopened after a failure.",
			func(st *camera.Status) float64 { return float64(st.Reconnects) }),
	}
	if s.cfg.Sessions != nil {
		list = append(list, gauge("pistream_ssh_sessions", "SSH sessions of the control TUI open now.",
			func(*camera.Status) float64 { return float64(s.cfg.Sessions()) }))
	}
	return list
}

// statusCollector collects the readouts and pistream_camera_state at each
// scrape: one reading of the camera's status serves them all.
type statusCollector struct {
	s    *Server
	list []readout
}

var cameraStateDesc = prometheus.NewDesc("pistream_camera_state",
	"The camera's state: 1 for the current one, 0 for the others.", []string{"state"}, nil)

func (c *statusCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, r := range c.list {
		ch <- r.desc
	}
	ch <- cameraStateDesc
}

func (c *statusCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.cam.Status()
	for _, r := range c.list {
		ch <- prometheus.MustNewConstMetric(r.desc, r.kind, r.value(&st))
	}
	known := false
	for _, state := range cameraStates {
		v := 0.0
		if state == st.State {
			v, known = 1, true
		}
		ch <- prometheus.MustNewConstMetric(cameraStateDesc, prometheus.GaugeValue, v, string(state))
	}
	if !known { // a state this list does not know yet still shows
		ch <- prometheus.MustNewConstMetric(cameraStateDesc, prometheus.GaugeValue, 1, string(st.State))
	}
}

// metricsHandler serves the registry in Prometheus' formats (text unless
// the scraper asks for another).
func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
