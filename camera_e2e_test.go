package main

// End-to-end tests of the camera path: what frames cost, and rotation, as
// /state and the served JPEGs show them.

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"io"
	"path/filepath"
	"strconv"
	"testing"

	"pistream/httpstream"
	"pistream/internal/jpegmark"
)

// waitStateOf polls /state until pred holds, failing after a generous
// timeout (a wait for an event, not a time limit on pistream).
func waitStateOf(t testing.TB, p *proc, what string, pred func(httpstream.State) bool) httpstream.State {
	t.Helper()
	var st httpstream.State
	waitSeen(t, "pistream "+what, func() (bool, string) {
		st = p.state(t)
		return pred(st), fmt.Sprintf("/state %+v", st)
	})
	return st
}

// getJPEG fetches path and returns its body, checked to be a JPEG.
func getJPEG(t testing.TB, p *proc, path string) []byte {
	t.Helper()
	resp, err := p.get(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v: %s", path, resp.StatusCode, err, b)
	}
	if err := jpegmark.Check(b); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return b
}

// With nobody watching, pistream captures but encodes nothing; a viewer
// makes it encode; a /snapshot afterwards costs exactly one encode.
func TestEncodeOnDemand(t *testing.T) {
	p := start(t, "--size", "320x240", "--fps", "30")
	s0 := p.state(t) // start() took one /snapshot: one encode
	// 5 s of frames with nobody watching.
	s1 := waitStateOf(t, p, "captured 5 s of frames", func(s httpstream.State) bool { return s.Captured >= s0.Captured+150 })
	if s1.Encoded != s0.Encoded {
		t.Fatalf("encoded %d → %d while nobody watched (captured %d → %d)", s0.Encoded, s1.Encoded, s0.Captured, s1.Captured)
	}
	v := watch(t, p, 0)
	waitParts(t, []*viewer{v}, []int{0}, 10)
	s2 := p.state(t)
	if s2.Encoded < s1.Encoded+10 {
		t.Errorf("a viewer got 10 frames, encoded went %d → %d", s1.Encoded, s2.Encoded)
	}
	v.stop()
	waitStateOf(t, p, "seeing the viewer leave", func(s httpstream.State) bool { return s.Viewers == 0 })
	s3 := waitStateOf(t, p, "capturing on", func(s httpstream.State) bool { return s.Captured >= s2.Captured+30 })
	s4 := waitStateOf(t, p, "capturing on", func(s httpstream.State) bool { return s.Captured >= s3.Captured+30 })
	if s4.Encoded != s3.Encoded {
		t.Fatalf("encoded %d → %d after the viewer left", s3.Encoded, s4.Encoded)
	}
	getJPEG(t, p, "/snapshot")
	if s5 := p.state(t); s5.Encoded != s4.Encoded+1 {
		t.Errorf("a /snapshot took %d encodes, want 1", s5.Encoded-s4.Encoded)
	}
}

// --rotate 90 swaps width and height, in /state and in the JPEGs.
func TestRotateQuarterSwapsSize(t *testing.T) {
	p := start(t, "--size", "320x240", "--rotate", "90", "--hflip")
	st := p.state(t)
	if st.Width != 240 || st.Height != 320 {
		t.Errorf("/state says %dx%d, want 240x320", st.Width, st.Height)
	}
	if r := st.Rotation; r.Rotate != 90 || !r.HFlip || r.VFlip || r.By != "software" || st.Kind != "test" {
		t.Errorf("/state rotation %+v kind %q: want 90, hflip, by software, kind test", r, st.Kind)
	}
	img, err := jpeg.Decode(bytes.NewReader(getJPEG(t, p, "/snapshot")))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 240 || b.Dy() != 320 {
		t.Errorf("snapshot is %dx%d, want 240x320", b.Dx(), b.Dy())
	}
}

// A camera that never opened is not reported as opened: /state's "opened"
// stays empty while "camera" says it is retrying, with the error.
func TestStateOpenedOnlyWhenOpened(t *testing.T) {
	port, dir := freePort(t), t.TempDir()
	p := spawn(t, "http://127.0.0.1:"+strconv.Itoa(port), launch{}, binPath, "--config", "", "--headless",
		"--http", "127.0.0.1:"+strconv.Itoa(port), "--http-auth", "none", "--ssh", "", "--camera", "/dev/video99",
		"--state", filepath.Join(dir, "state"), "--photos", filepath.Join(dir, "photos"), "--notes", filepath.Join(dir, "notes"))
	var st httpstream.State
	waitSeen(t, "/state to report the failure", func() (bool, string) {
		resp, err := p.get(t.Context(), "/state")
		if err != nil { // not listening yet
			return false, err.Error()
		}
		resp.Body.Close()
		st = p.state(t)
		return st.Error != "" && (st.Camera == "reconnecting" || st.Camera == "failed"), fmt.Sprintf("%+v", st)
	})
	if st.Opened != "" {
		t.Errorf("/state: opened %q for a camera that never opened (camera %s, error %q)", st.Opened, st.Camera, st.Error)
	}
}
