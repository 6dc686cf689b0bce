package main

import (
	"strings"
	"testing"
)

// --v4l2-controls with a camera that is no V4L2 device: pistream streams
// all the same and says once in its log that they were not applied.
func TestV4L2ControlsOnTestCamera(t *testing.T) {
	p := start(t, "--v4l2-controls", "focus_automatic_continuous=0,focus_absolute=30")
	waitSeen(t, "the warning that the controls were not applied", func() (bool, string) {
		return strings.Contains(p.log.String(), "--v4l2-controls not applied"), p.log.String()
	})
	p.stop()
	if n := strings.Count(p.log.String(), "--v4l2-controls not applied"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, p.log.String())
	}
	for _, line := range strings.Split(p.log.String(), "\n") {
		if strings.Contains(line, "--v4l2-controls not applied") && (!strings.Contains(line, "WARN") || !strings.Contains(line, "focus_automatic_continuous=0,focus_absolute=30")) {
			t.Errorf("warning %q: want a WARN line with the controls", line)
		}
	}
}
