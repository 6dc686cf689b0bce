package packaging

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestDeb builds the package for the host with `make deb` and checks it as
// dpkg-deb shows it: the files, the conffile, Depends derived from the
// binary's libraries and free of -dev packages, the unit pointing at the
// packaged binary, the maintainer scripts, and a binary that runs and
// reads the packaged config.
func TestDeb(t *testing.T) {
	need(t, "make", "dpkg-deb", "dpkg", "go")
	dir := t.TempDir()
	if out, err := runMake(t, nil, "deb", "DEB_DIR="+dir); err != nil {
		t.Fatalf("make deb: %v\n%s", err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(dir, "pistream_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("make deb made %v in %s, want one pistream_VERSION_ARCH.deb", debs, dir)
	}
	deb := debs[0]
	arch := strings.TrimSpace(output(t, "dpkg", "--print-architecture"))
	if !regexp.MustCompile(`/pistream_[0-9][^_]*_` + arch + `\.deb$`).MatchString(deb) {
		t.Errorf("package %s: want pistream_VERSION_%s.deb", deb, arch)
	}

	field := func(name string) string { return strings.TrimSpace(output(t, "dpkg-deb", "--field", deb, name)) }
	if got := field("Package"); got != "pistream" {
		t.Errorf("Package: %q, want pistream", got)
	}
	if got := field("Architecture"); got != arch {
		t.Errorf("Architecture: %q, want %s", got, arch)
	}
	depends := field("Depends")
	t.Logf("Depends: %s", depends)
	for _, d := range strings.Split(depends, ",") {
		name := strings.Fields(d)[0]
		if strings.HasSuffix(name, "-dev") {
			t.Errorf("Depends names %s, a -dev package", name)
		}
	}
	for _, lib := range []string{"libc6", "libopencv-core406", "libopencv-imgcodecs406", "libstdc++6"} {
		if !regexp.MustCompile(`(^|, )` + regexp.QuoteMeta(lib) + `( |,|$)`).MatchString(depends) {
			t.Errorf("Depends lacks %s, which the binary links", lib)
		}
	}

	var files []string
	for _, line := range strings.Split(output(t, "dpkg-deb", "--contents", deb), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		if f[1] != "root/root" {
			t.Errorf("%s is owned by %s, want root/root", f[5], f[1])
		}
		if !strings.HasSuffix(f[5], "/") {
			files = append(files, strings.TrimPrefix(f[5], "."))
		}
	}
	sort.Strings(files)
	for _, want := range []string{
		"/usr/bin/pistream",
		"/lib/systemd/system/pistream.service",
		"/usr/lib/sysusers.d/pistream.conf",
		"/etc/pistream/pistream.toml",
	} {
		if i := sort.SearchStrings(files, want); i == len(files) || files[i] != want {
			t.Errorf("the package lacks %s; it holds %v", want, files)
		}
	}

	if got := strings.TrimSpace(output(t, "dpkg-deb", "--info", deb, "conffiles")); got != "/etc/pistream/pistream.toml" {
		t.Errorf("conffiles: %q, want /etc/pistream/pistream.toml alone", got)
	}
	info := output(t, "dpkg-deb", "--info", deb)
	for _, script := range []string{"postinst", "prerm", "postrm"} {
		if !regexp.MustCompile(`(?m)^ +[0-9]+ bytes, +[0-9]+ lines +\* +` + script + ` +#!/bin/sh$`).MatchString(info) {
			t.Errorf("no executable %s in the control area:\n%s", script, info)
		}
	}

	root := filepath.Join(dir, "root")
	output(t, "dpkg-deb", "--extract", deb, root)
	unit, err := os.ReadFile(filepath.Join(root, "lib/systemd/system/pistream.service"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^ExecStart=/usr/bin/pistream( |$)`).Match(unit) {
		t.Errorf("the packaged unit does not start /usr/bin/pistream:\n%s", unit)
	}
	for _, script := range []string{"postinst", "prerm", "postrm"} {
		path := filepath.Join(dir, script)
		if err := os.WriteFile(path, []byte(output(t, "dpkg-deb", "--info", deb, script)), 0o644); err != nil {
			t.Fatal(err)
		}
		output(t, "sh", "-n", path)
	}

	// The packaged binary runs, and reads the packaged config as it is.
	bin := filepath.Join(root, "usr/bin/pistream")
	conf := filepath.Join(root, "etc/pistream/pistream.toml")
	out := output(t, bin, "--config", conf, "--print-config")
	if !strings.Contains(out, "config file: "+conf) || !strings.Contains(out, "camera = 'auto' # default") {
		t.Errorf("%s --config %s --print-config:\n%s", bin, conf, out)
	}
}
