package httpstream

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"pistream/internal/mjpegtest"
)

// BenchmarkStreamAllocs is what one viewer's stream allocates per frame,
// the whole process (server, client, camera) counted, over HTTP/1.1, with
// TLS or not, and over HTTP/2: b.N parts read, the mallocs between the
// first and the last divided by the parts between them (allocs/frame),
// and the process's CPU time likewise (cpu-µs/frame).
// The camera gives 30 frames a second, so b.N parts take b.N/30 s: run it
// with -benchtime=300x or so.
func BenchmarkStreamAllocs(b *testing.B) {
	for _, tc := range protocols {
		b.Run(tc.name, func(b *testing.B) {
			ts, _, _, _, client := serveProto(b, testCamera("test"), tc.tls, tc.h2)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			resp := openStream(b, ctx, ts, client, tc)
			defer resp.Body.Close()
			pr := mjpegtest.NewPartReader(resp.Body, Boundary)
			buf := make([]byte, 1<<20)
			if _, err := pr.Next(buf); err != nil { // the stream is up
				b.Fatal(err)
			}
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			cpu0 := cpuTime(b)
			b.ResetTimer()
			for range b.N {
				if _, err := pr.Next(buf); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			cpu := cpuTime(b) - cpu0
			runtime.ReadMemStats(&m1)
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/frame")
			b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(b.N), "allocs/frame")
			b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(b.N), "B/frame")
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
