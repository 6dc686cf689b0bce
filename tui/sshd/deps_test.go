package sshd

import (
	"os/exec"
	"strings"
	"testing"
)

// The TUI knows nothing of SSH: SSH lives here, and this package imports
// tui, never the other way round.
func TestTUIImportsNoSSH(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list tui's imports: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "pistream/tui").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps pistream/tui: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 || deps[len(deps)-1] != "pistream/tui" {
		t.Fatalf("go list -deps pistream/tui listed no pistream/tui:\n%s", out)
	}
	for _, p := range deps {
		for _, banned := range []string{"charm.land/wish", "charm.land/ssh", "golang.org/x/crypto/ssh"} {
			if p == banned || strings.HasPrefix(p, banned+"/") {
				t.Errorf("pistream/tui depends on %s", p)
			}
		}
	}
}
