package main

import (
	"fmt"
	"testing"
	"time"
)

// cpuOver is the CPU time pistream used over d.
func cpuOver(b *testing.B, p *proc, d time.Duration) time.Duration {
	c0 := cpuTime(b, p.pid())
	time.Sleep(d)
	return cpuTime(b, p.pid()) - c0
}

// BenchmarkIdleCPU: pistream with the test camera at 640x480, 30 fps,
// over 10 s with nobody watching, then over 10 s with one viewer, in the
// same process. It reports both as % of a core and their ratio, and fails
// when idle costs more than 0.2 of watched (the camera stays open: the
// test pattern is still drawn, but nothing is encoded).
func BenchmarkIdleCPU(b *testing.B) {
	const window = 10 * time.Second
	p := start(b, "--size", "640x480", "--fps", "30")
	time.Sleep(time.Second) // past the start and the first /snapshot
	b.ResetTimer()
	idle := cpuOver(b, p, window)
	v := watch(b, p, 0)
	waitParts(b, []*viewer{v}, []int{0}, 1)
	watched := cpuOver(b, p, window)
	b.StopTimer()
	if watched <= 0 {
		b.Fatal("no CPU time measured with a viewer")
	}
	ratio := float64(idle) / float64(watched)
	b.ReportMetric(100*idle.Seconds()/window.Seconds(), "idle_%cpu")
	b.ReportMetric(100*watched.Seconds()/window.Seconds(), "one_viewer_%cpu")
	b.ReportMetric(ratio, "idle/one_viewer")
	if ratio > 0.2 {
		b.Errorf("idle CPU is %.2f of the CPU with one viewer, want ≤ 0.2", ratio)
	}
}

// BenchmarkEncoders: the test camera at 1920x1080, 30 fps, one viewer,
// with the default pool of encoders and with one; b.N is the number of
// frames the viewer reads. It reports the frame rate the viewer got, and
// fails when the pool gives less than 29 fps.
func BenchmarkEncoders(b *testing.B) {
	for _, n := range []int{0, 1} {
		name := "pool"
		if n == 1 {
			name = "single"
		}
		b.Run(name, func(b *testing.B) {
			p := start(b, "--size", "1920x1080", "--fps", "30", "--encoders", fmt.Sprint(n))
			v := watch(b, p, 0)
			waitParts(b, []*viewer{v}, []int{0}, 5)
			from := marks([]*viewer{v})
			b.ResetTimer()
			waitParts(b, []*viewer{v}, from, b.N)
			b.StopTimer()
			fps := minFPS([]*viewer{v}, from)
			st := p.state(b)
			b.ReportMetric(fps, "fps")
			b.ReportMetric(float64(st.Encoders), "encoders")
			b.ReportMetric(float64(st.Dropped), "dropped")
			if n == 0 && b.N >= 60 && fps < 29 {
				b.Errorf("1920x1080 with %d encoders: %.1f fps, want ≥ 29", st.Encoders, fps)
			}
		})
	}
}
