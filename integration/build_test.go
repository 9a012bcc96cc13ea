package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type targetCheck struct {
	arch string // ipk Architecture
	file string // what `file` says about the binary
	qemu []string
}

var targetChecks = map[string]targetCheck{
	"x86_64":  {"x86_64", "x86-64", nil},
	"aarch64": {"aarch64", "ARM aarch64", []string{"qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"}},
	"armv7":   {"armv7", "ARM, EABI5", []string{"qemu-arm-static", "-L", "/usr/arm-linux-gnueabihf"}},
}

// TestExamplesAllTargets builds both examples for the three targets and
// takes every package apart with real tools, then runs the binaries.
func TestExamplesAllTargets(t *testing.T) {
	requireIntegration(t)
	serveGreet(t)
	out := t.TempDir()
	r := mustKiln(t, nil, "build", "examples/hello", "examples/greet", "--target", "all", "-o", out, "--progress", "plain")

	got, _ := filepath.Glob(filepath.Join(out, "*.ipk"))
	sort.Strings(got)
	var names []string
	for _, g := range got {
		names = append(names, filepath.Base(g))
	}
	want := []string{
		"greet_1.0-2_aarch64.ipk", "greet_1.0-2_armv7.ipk", "greet_1.0-2_x86_64.ipk",
		"hello_1.0.0-1_aarch64.ipk", "hello_1.0.0-1_armv7.ipk", "hello_1.0.0-1_x86_64.ipk",
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("packages = %v, want %v\n%s", names, want, tail(r.stderr, 40))
	}
	if entries, _ := os.ReadDir(out); len(entries) != 2*len(want)+3 {
		t.Errorf("output dir holds %d entries, want only the %d packages with their SBOMs, the feed index and the provenance", len(entries), len(want))
	}
	checkFeed(t, out, want)

	for target, c := range targetChecks {
		for _, pkg := range []struct{ name, version, bin, args, expect string }{
			{"hello", "1.0.0-1", "opt/bin/hello", "", "Hello from kiln! (built for " + target + ")"},
			{"greet", "1.0-2", "opt/bin/greet", "kiln", "greet 1.0: hello, kiln!"}, // patched
		} {
			t.Run(pkg.name+"/"+target, func(t *testing.T) {
				ipk := filepath.Join(out, pkg.name+"_"+pkg.version+"_"+c.arch+".ipk")
				if members := strings.Fields(run(t, "ar", "t", ipk)); strings.Join(members, " ") != "debian-binary control.tar.gz data.tar.gz" {
					t.Errorf("ar t = %v", members)
				}
				info := run(t, "dpkg-deb", "-I", ipk)
				for _, f := range []string{"Package: " + pkg.name, "Version: " + pkg.version, "Architecture: " + c.arch,
					"Maintainer: Kiln Maintainers <kiln@example.org>", "License: MIT", "Section: utils"} {
					if !strings.Contains(info, f) {
						t.Errorf("dpkg-deb -I lacks %q:\n%s", f, info)
					}
				}
				list := run(t, "dpkg-deb", "-c", ipk)
				if !strings.Contains(list, "root/root") || !strings.Contains(list, "./"+pkg.bin) {
					t.Errorf("dpkg-deb -c:\n%s", list)
				}
				dir := t.TempDir()
				run(t, "dpkg-deb", "-x", ipk, dir)
				bin := filepath.Join(dir, pkg.bin)
				if f := run(t, "file", bin); !strings.Contains(f, c.file) || !strings.Contains(f, ", stripped") {
					t.Errorf("file %s = %s, want %q and stripped", pkg.bin, f, c.file)
				}
				argv := append(append([]string{}, c.qemu...), bin)
				if pkg.args != "" {
					argv = append(argv, pkg.args)
				}
				if got := strings.TrimSpace(run(t, argv[0], argv[1:]...)); got != pkg.expect {
					t.Errorf("running %s: %q, want %q", pkg.bin, got, pkg.expect)
				}
			})
		}
	}

	// The same build again is answered from the cache and gives the same bytes.
	t.Run("rebuild-cached", func(t *testing.T) {
		out2 := t.TempDir()
		r2 := mustKiln(t, nil, "build", "examples/hello", "examples/greet", "--target", "all", "-o", out2, "--progress", "plain")
		s := parseSummary(t, r2.stderr)
		if s.packages != 6 || s.ran != 0 || s.cached == 0 {
			t.Errorf("second build: %+v, want 6 packages and nothing run\n%s", s, tail(r2.stderr, 40))
		}
		for _, g := range append(got, filepath.Join(out, "Packages.gz")) {
			if a, b := sha(t, g), sha(t, filepath.Join(out2, filepath.Base(g))); a != b {
				t.Errorf("%s differs between builds: %s vs %s", filepath.Base(g), a, b)
			}
		}
	})
}

// checkFeed reads the opkg feed index kiln wrote next to the packages: one
// stanza per package, whose Filename, Size and SHA256sum match the file.
func checkFeed(t *testing.T, dir string, files []string) {
	t.Helper()
	idx := run(t, "sh", "-c", `cd "$1" && gzip -dc Packages.gz | cmp - Packages && cat Packages`, "sh", dir)
	stanzas := strings.Split(strings.TrimSpace(idx), "\n\n")
	if len(stanzas) != len(files) {
		t.Fatalf("Packages has %d stanzas, want %d:\n%s", len(stanzas), len(files), idx)
	}
	for _, s := range stanzas {
		fields := map[string]string{}
		for _, line := range strings.Split(s, "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, " ") {
				fields[k] = v
			}
		}
		path := filepath.Join(dir, fields["Filename"])
		st, err := os.Stat(path)
		if err != nil {
			t.Errorf("Packages names %q: %v", fields["Filename"], err)
			continue
		}
		if fields["Size"] != fmt.Sprint(st.Size()) || fields["SHA256sum"] != sha(t, path) {
			t.Errorf("%s: index says size %s sha256 %s, file has %d bytes, %s", fields["Filename"], fields["Size"], fields["SHA256sum"], st.Size(), sha(t, path))
		}
	}
}
