package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMakeSaysGoIsMissingOrOld runs `make build` with a fake go on PATH (or
// none): make must stop before building, naming the Go that go.mod asks for
// and the commands that install it.
func TestMakeSaysGoIsMissingOrOld(t *testing.T) {
	need(t, "make")
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go ([0-9.]+)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("no go line in go.mod")
	}
	want := string(m[1])

	for _, tc := range []struct {
		name    string
		version string // what the fake go says; "" for no go at all
		ok      bool
		says    string
	}{
		{"no go", "", false, "no working 'go' on PATH"},
		{"Pi OS bookworm's apt", "go version go1.19.8 linux/arm64", false, "go is go1.19.8"},
		{"an older patch", "go version go1.26.0 linux/arm64", false, "go is go1.26.0"},
		{"an older minor, long ago", "go version go1.9 linux/arm", false, "go is go1.9"},
		{"newer", "go version go1.99.1 linux/arm64", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			// The tools make and the check use, and no go but the fake.
			for _, tool := range []string{"make", "sed", "tr", "grep", "dpkg", "uname", "cat"} {
				path, err := exec.LookPath(tool)
				if err != nil {
					t.Skipf("%s not found: %v", tool, err)
				}
				if err := os.Symlink(path, filepath.Join(bin, tool)); err != nil {
					t.Fatal(err)
				}
			}
			if tc.version != "" {
				fake := "#!/bin/sh\necho '" + tc.version + "'\n"
				if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fake), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			out, err := runMake(t, []string{"PATH=" + bin}, "go-check")
			if tc.ok {
				if err != nil || out != "" {
					t.Fatalf("make go-check with %s: %v, said %q; want success and silence", tc.version, err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("make go-check with %q succeeded:\n%s", tc.version, out)
			}
			for _, s := range []string{
				"pistream needs Go " + want + " or newer",
				tc.says,
				"https://go.dev/dl/go" + want + ".linux-",
				"sudo tar -C /usr/local -xzf go" + want + ".linux-",
				"export PATH=/usr/local/go/bin:$PATH",
			} {
				if !strings.Contains(out, s) {
					t.Errorf("make go-check with %q does not say %q:\n%s", tc.version, s, out)
				}
			}

			// make build stops there, before building or installing.
			out, err = runMake(t, []string{"PATH=" + bin}, "build")
			if err == nil || !strings.Contains(out, "pistream needs Go") || strings.Contains(out, "installing") {
				t.Errorf("make build with %q: %v\n%s", tc.version, err, out)
			}
		})
	}
}
