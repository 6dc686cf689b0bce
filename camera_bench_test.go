package main

import (
	"fmt"
	"testing"
	"time"
)

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
	idle := cpuOver(b, p.pid(), window)
	v := watch(b, p, 0)
	waitParts(b, []*viewer{v}, []int{0}, 1)
	watched := cpuOver(b, p.pid(), window)
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

// BenchmarkPassthroughCPU: pistream's CPU per frame with one viewer, for
// the fake rpicam-vid (JPEGs passed through) and for the test camera
// (drawn and encoded by pistream), both at 640x480, 30 fps; b.N is the
// number of frames the viewer reads from each (at least 300). For scale it
// also measures the floor of any Go server here: the minimal fan-out
// (testdata/minfanout) sending the same JPEGs to one viewer. The three run
// side by side and are measured in turns, a third of the frames at a time,
// so a change in the machine's load while the benchmark runs weighs on
// each alike. It fails when passthrough costs more than 10 % of the test
// camera's frame.
func BenchmarkPassthroughCPU(b *testing.B) {
	const rounds = 3
	n := max(b.N, 300) // 10 s a server: fewer frames measure the machine's noise
	e := newRPicamEnv(b)
	frames := b.TempDir()
	rp := startWith(b, launch{env: e.env}, "--camera", "rpicam", "--size", "640x480", "--fps", "30")
	grabFrames(b, rp, frames, 30)
	pass := newCPUMeter(b, rp)
	test := newCPUMeter(b, start(b, "--camera", "test", "--size", "640x480", "--fps", "30"))
	floor := newCPUMeter(b, startMinFanout(b, frames))
	b.ResetTimer()
	for range rounds {
		for _, m := range []*cpuMeter{pass, test, floor} {
			m.measure(b, (n+rounds-1)/rounds)
		}
	}
	b.StopTimer()
	p, t, f := pass.perFrame(b), test.perFrame(b), floor.perFrame(b)
	b.ReportMetric(p, "passthrough_µs/frame")
	b.ReportMetric(t, "test_µs/frame")
	b.ReportMetric(f, "minimal_µs/frame")
	b.ReportMetric(p/t, "ratio")
	if p/t > 0.1 {
		b.Errorf("passthrough costs %.0f µs a frame, %.2f of the test camera's %.0f µs; want ≤ 0.1 (a minimal Go fan-out of the same frames to one viewer: %.0f µs)",
			p, p/t, t, f)
	}
}

// cpuMeter adds up a process's CPU time while its one viewer reads frames.
type cpuMeter struct {
	p      *proc
	v      *viewer
	cpu    time.Duration
	frames int
}

// newCPUMeter connects a viewer to p and waits for its first frames.
func newCPUMeter(b *testing.B, p *proc) *cpuMeter {
	v := watch(b, p, 0)
	waitParts(b, []*viewer{v}, []int{0}, 5)
	return &cpuMeter{p: p, v: v}
}

// measure adds the CPU time p takes while the viewer reads n more frames.
func (m *cpuMeter) measure(b *testing.B, n int) {
	from := marks([]*viewer{m.v})
	c0 := cpuTime(b, m.p.pid())
	waitParts(b, []*viewer{m.v}, from, n)
	m.cpu += cpuTime(b, m.p.pid()) - c0
	m.frames += n
}

// perFrame is the CPU time per frame measured, in µs; it fails the
// benchmark when none was.
func (m *cpuMeter) perFrame(b *testing.B) float64 {
	if m.frames == 0 || m.cpu <= 0 {
		b.Fatalf("no CPU time measured for %d frames", m.frames)
	}
	return float64(m.cpu.Nanoseconds()) / 1e3 / float64(m.frames)
}
