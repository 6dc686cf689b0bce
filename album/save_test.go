package album

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestSave(t *testing.T) {
	a, dir := openTest(t)
	data := makeJPEG(t, 40, 30, 1)
	p, err := a.Save(data, when)
	if err != nil {
		t.Fatal(err)
	}
	want := Photo{Name: "2026-03-14_15-09-26.535.jpg", Size: int64(len(data)), Width: 40, Height: 30}
	if p.Name != want.Name || p.Size != want.Size || p.Width != want.Width || p.Height != want.Height {
		t.Errorf("Save = %+v, want %+v", p, want)
	}
	got, err := os.ReadFile(filepath.Join(dir, p.Name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Error("saved file differs from the data")
	}
	fi, err := os.Stat(filepath.Join(dir, p.Name))
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(p.ModTime) {
		t.Errorf("ModTime %v, file has %v", p.ModTime, fi.ModTime())
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{p.Name}) {
		t.Errorf("directory holds %q, want only the photo", got)
	}
}

func TestSaveSameInstant(t *testing.T) {
	a, _ := openTest(t)
	want := []string{
		"2026-03-14_15-09-26.535.jpg",
		"2026-03-14_15-09-26.535-2.jpg",
		"2026-03-14_15-09-26.535-3.jpg",
	}
	for i, w := range want {
		p, err := a.Save(makeJPEG(t, 8, 8, i), when)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != w {
			t.Errorf("save %d: name %q, want %q", i+1, p.Name, w)
		}
	}
}

func TestSaveConcurrent(t *testing.T) {
	a, dir := openTest(t)
	const n = 50
	datas := make([][]byte, n)
	for i := range datas {
		datas[i] = makeJPEG(t, 16, 16, i)
	}
	photos := make([]Photo, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, err := a.Save(datas[i], when)
			if err != nil {
				t.Error(err)
			}
			photos[i] = p
		})
	}
	wg.Wait()

	seen := make(map[string]bool)
	for i, p := range photos {
		if seen[p.Name] {
			t.Errorf("name %q given twice", p.Name)
		}
		seen[p.Name] = true
		got, err := os.ReadFile(filepath.Join(dir, p.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, datas[i]) {
			t.Errorf("%s does not hold the data saved under it", p.Name)
		}
	}
	if got := len(mustList(t, a)); got != n {
		t.Errorf("List has %d photos, want %d", got, n)
	}
	noTemps(t, dir)
}

func TestSaveRefusesNonJPEG(t *testing.T) {
	good := makeJPEG(t, 16, 16, 0)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"nil", nil, ErrNotJPEG},
		{"empty", []byte{}, ErrNotJPEG},
		{"SOI only", []byte{0xFF, 0xD8}, ErrNotJPEG},
		{"text", []byte("hello, world"), ErrNotJPEG},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrNotJPEG},
		{"truncated", good[:len(good)/2], ErrNotJPEG},
		{"no SOI", good[2:], ErrNotJPEG},
		{"trailing garbage", append(slices.Clone(good), "junk"...), ErrNotJPEG},
		{"too large", slices.Concat(good[:len(good)-2], make([]byte, MaxPhotoSize), []byte{0xFF, 0xD9}), ErrTooLarge},
	}
	a, dir := openTest(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Save(tt.data, when)
			if !errors.Is(err, tt.want) {
				t.Errorf("Save = %v, want %v", err, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "save photo: ") {
				t.Errorf("error %q lacks context", err)
			}
			if got := dirNames(t, dir); len(got) != 0 {
				t.Errorf("directory holds %q, want nothing", got)
			}
		})
	}
}

// writable reports whether a file can be created in dir.
func writable(dir string) bool {
	probe := filepath.Join(dir, "probe")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		return false
	}
	_ = os.Remove(probe)
	return true
}

// mountTmpfs mounts a tmpfs with options opts on dir until the end of the
// test, if running as root and mount works; otherwise it says why not.
func mountTmpfs(t *testing.T, dir, opts string) error {
	t.Helper()
	if os.Geteuid() != 0 {
		return errors.New("not running as root")
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("mount -t tmpfs -o %s: %v: %s", opts, err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, bytes.TrimSpace(out))
		}
	})
	return nil
}

func TestSaveReadOnlyDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "photos")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) }) // so TempDir can remove it
	if writable(dir) {
		// Root writes regardless of permissions; a read-only mount stops it.
		if err := mountTmpfs(t, dir, "ro"); err != nil {
			t.Skipf("chmod 0555 does not stop writes here (running as root) and no read-only tmpfs: %v", err)
		}
	}
	a := openAt(t, dir) // after the mount, so that Close comes before umount

	_, err := a.Save(makeJPEG(t, 16, 16, 0), when)
	if err == nil {
		t.Fatal("Save into a read-only directory succeeded")
	}
	if !strings.HasPrefix(err.Error(), "save photo: ") {
		t.Errorf("error %q lacks context", err)
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("directory holds %q, want nothing", got)
	}
}

func TestSaveRecreatesRemovedDirectory(t *testing.T) {
	a, dir := openTest(t)
	if _, err := a.Save(makeJPEG(t, 8, 8, 0), when); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if photos := mustList(t, a); len(photos) != 0 {
		t.Errorf("List of a removed directory = %v, want none", photos)
	}
	for i := range 2 { // the second Save uses the re-opened directory
		data := makeJPEG(t, 8, 8, i)
		p, err := a.Save(data, when.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatalf("Save after the directory was removed: %v", err)
		}
		if got, err := os.ReadFile(filepath.Join(dir, p.Name)); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s not saved in the re-created directory: %v", p.Name, err)
		}
	}
	if got := len(mustList(t, a)); got != 2 {
		t.Errorf("List has %d photos, want 2", got)
	}
}

func TestSaveDiskFull(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "photos")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mountTmpfs(t, dir, "size=64k"); err != nil {
		t.Skipf("needs a small tmpfs to fill: %v", err)
	}
	a := openAt(t, dir) // after the mount, so that Close comes before umount

	data := makeJPEG(t, 96, 96, 3) // some KiB: fills 64 KiB within a few dozen saves
	var err error
	saved := 0
	for i := 0; i < 1000 && err == nil; i++ {
		_, err = a.Save(data, when.Add(time.Duration(i)*time.Millisecond))
		if err == nil {
			saved++
		}
	}
	if err == nil {
		t.Fatal("1000 saves into 64 KiB all succeeded")
	}
	if !IsDiskFull(err) {
		t.Errorf("IsDiskFull(%v) = false", err)
	}
	if saved == 0 {
		t.Error("not even one photo fit")
	}
	noTemps(t, dir)
	files := dirNames(t, dir)
	if len(files) != saved {
		t.Errorf("%d files for %d saved photos: %q", len(files), saved, files)
	}
	for _, name := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s is not the complete photo (%d of %d bytes)", name, len(got), len(data))
		}
	}
	t.Logf("%d photos of %d bytes fit; then: %v", saved, len(data), err)
}

func TestIsDiskFull(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{syscall.ENOSPC, true},
		{syscall.EDQUOT, true},
		{fmt.Errorf("save photo: %w", &fs.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}), true},
		{fmt.Errorf("save photo: %w", &fs.PathError{Op: "write", Path: "x", Err: syscall.EROFS}), false},
		{fs.ErrPermission, false},
		{errors.New("no space left on device"), false},
	}
	for _, tt := range tests {
		if got := IsDiskFull(tt.err); got != tt.want {
			t.Errorf("IsDiskFull(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// A burst of Saves (a snapshot storm: 400 presses of s) writes one photo
// at a time: it does not put a thread per photo into the file system's
// calls, crowding the capture loop off the CPU. Every photo is saved,
// each under its own name.
func TestSaveBurstWritesOneAtATime(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("threads are counted in /proc")
	}
	a, dir := openTest(t)
	const n = 400
	data := makeJPEG(t, 64, 48, 0)
	threads0 := osThreads(t)
	var wg sync.WaitGroup
	names := make([]string, n)
	for i := range n {
		wg.Go(func() {
			p, err := a.Save(data, when)
			if err != nil {
				t.Error(err)
			}
			names[i] = p.Name
		})
	}
	wg.Wait()
	// The saver's thread, and some for the runtime and the test.
	if grew := osThreads(t) - threads0; grew > 1+16 {
		t.Errorf("%d Saves at once started %d threads, want at most %d", n, grew, 1+16)
	}
	slices.Sort(names)
	if names = slices.Compact(names); len(names) != n {
		t.Errorf("%d Saves gave %d distinct names", n, len(names))
	}
	if got := len(mustList(t, a)); got != n {
		t.Errorf("List has %d photos, want %d", got, n)
	}
	noTemps(t, dir)
}

// osThreads is the number of threads of this process.
func osThreads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("cannot count threads: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			var n int
			if _, err := fmt.Sscan(v, &n); err != nil {
				t.Fatalf("Threads line %q: %v", line, err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

// BenchmarkSaveBurst: the CPU (user and system, of this process) a photo
// costs when 1000 are saved at one instant, as a burst of snapshots of one
// frame is, against 1000 saved at 1000 instants, in the same run. It fails
// when the burst costs more than twice as much a photo: each photo's name
// must be found without trying every name taken before it (which cost
// 6-8 times as much).
func BenchmarkSaveBurst(b *testing.B) {
	const n = 1000
	data := makeJPEG(b, 64, 48, 0)
	perPhoto := func(at func(i int) time.Time) float64 {
		a, err := Open(filepath.Join(b.TempDir(), "photos"))
		if err != nil {
			b.Fatal(err)
		}
		defer a.Close()
		c0 := processCPU(b)
		for i := range n {
			if _, err := a.Save(data, at(i)); err != nil {
				b.Fatal(err)
			}
		}
		return float64((processCPU(b) - c0).Microseconds()) / n
	}
	var burst, spread float64
	for b.Loop() {
		burst += perPhoto(func(int) time.Time { return when })
		spread += perPhoto(func(i int) time.Time { return when.Add(time.Duration(i) * time.Second) })
	}
	if spread <= 0 {
		b.Fatal("no CPU time measured")
	}
	b.ReportMetric(burst/float64(b.N), "burst_cpu_µs/photo")
	b.ReportMetric(spread/float64(b.N), "spread_cpu_µs/photo")
	b.ReportMetric(burst/spread, "ratio")
	if burst > 2*spread {
		b.Errorf("a photo of a burst at one instant costs %.0f µs of CPU, %.2f times one at its own instant; want at most 2",
			burst/float64(b.N), burst/spread)
	}
}

// processCPU is this process's user and system CPU time so far.
func processCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// An album writes its photos on a thread of its own at nice saveNice,
// which ends when the album is closed.
func TestSaverThreadIsNiced(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread priorities are set on Linux only")
	}
	before := nicedThreads(t)
	a, _ := openTest(t)
	if _, err := a.Save(makeJPEG(t, 8, 8, 0), when); err != nil {
		t.Fatal(err)
	}
	if got := nicedThreads(t); got != before+1 {
		t.Fatalf("with an album open, %d threads at nice %d, want %d", got, saveNice, before+1)
	}
	a.Close()
	if _, err := a.Save(makeJPEG(t, 8, 8, 0), when); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Save after Close: %v, want fs.ErrClosed", err)
	}
	// The thread exits once the saver has returned (Close waited for it).
	deadline := time.Now().Add(30 * time.Second)
	for nicedThreads(t) != before {
		if time.Now().After(deadline) {
			t.Fatalf("30 s after Close, %d threads at nice %d, want %d", nicedThreads(t), saveNice, before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// nicedThreads counts the threads of this process at nice saveNice.
func nicedThreads(t *testing.T) int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatalf("threads: %v", err)
	}
	n := 0
	for _, task := range tasks {
		b, err := os.ReadFile(filepath.Join("/proc/self/task", task.Name(), "stat"))
		if err != nil {
			continue // the thread ended meanwhile
		}
		// Field 19 is the nice value; fields count from after the command.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
		if len(f) < 17 {
			t.Fatalf("thread stat %q", b)
		}
		if f[16] == strconv.Itoa(saveNice) {
			n++
		}
	}
	return n
}
