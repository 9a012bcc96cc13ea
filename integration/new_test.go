package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewRecipesBuild: what kiln new makes builds as it is on the real
// daemon, and its install test (the program run on the target, under
// qemu-user for armv7) passes; the packaged program prints its greeting.
// The c recipe builds for x86_64 and armv7, the shell one for noarch.
func TestNewRecipesBuild(t *testing.T) {
	requireIntegration(t)
	buildNew(t, map[string][2]string{"hello-c": {"c", "yaml"}, "hello-sh": {"shell", "cue"}}, []newPackage{
		{"hello-c_0.1.0-1_x86_64.ipk", "x86_64", "x86-64"},
		{"hello-c_0.1.0-1_armv7.ipk", "armv7", "ARM, EABI5"},
		{"hello-sh_0.1.0-1_all.ipk", "all", "POSIX shell script"},
	})
}

// TestNewCompiledRecipesBuild: the go and rust recipes build as they
// are too, with Debian's compilers installed into the toolchain (a few
// minutes on an empty daemon: apt installs golang-go, rustc and cargo),
// and the python one (noarch).
func TestNewCompiledRecipesBuild(t *testing.T) {
	requireIntegration(t)
	buildNew(t, map[string][2]string{"hello-go": {"go", "yaml"}, "hello-rs": {"rust", "cue"}, "hello-py": {"python", "yaml"}}, []newPackage{
		{"hello-go_0.1.0-1_x86_64.ipk", "x86_64", "x86-64"},
		{"hello-go_0.1.0-1_armv7.ipk", "armv7", "ARM, EABI5"},
		{"hello-rs_0.1.0-1_x86_64.ipk", "x86_64", "x86-64"},
		{"hello-rs_0.1.0-1_armv7.ipk", "armv7", "ARM, EABI5"},
		{"hello-py_0.1.0-1_all.ipk", "all", "Python script"},
	})
}

type newPackage struct{ ipk, arch, machine string }

// buildNew makes each recipe with kiln new (name: language, format),
// validates and builds them for x86_64, armv7 and noarch
// (install tests included), checks each package and runs the programs
// that run here.
func buildNew(t *testing.T, recipes map[string][2]string, want []newPackage) {
	dir := t.TempDir()
	for name, lf := range recipes {
		kilnAt(t, dir, "new", "repo/"+name, "--lang", lf[0], "--format", lf[1], "--maintainer", "Kiln Tests <tests@example.org>")
	}
	kilnAt(t, dir, "validate", "repo")
	kilnAt(t, dir, "fmt", "--check", "repo")
	out := filepath.Join(dir, "out")
	kilnAt(t, dir, "build", "repo", "--target", "x86_64", "--target", "armv7", "--target", "noarch", "-o", out, "--progress", "plain")

	for _, p := range want {
		ipk := filepath.Join(out, p.ipk)
		if _, err := os.Stat(ipk); err != nil {
			entries, _ := os.ReadDir(out)
			t.Fatalf("%s missing: %v (out holds %v)", p.ipk, err, entries)
		}
		name := strings.Split(p.ipk, "_")[0]
		bin := "usr/bin/" + name
		checkIPK(t, ipk, p.arch, bin, p.machine)
		if p.arch == "armv7" || recipes[name][0] == "python" {
			continue // run by the install test (under qemu-user), or needs python3
		}
		x := t.TempDir()
		run(t, "dpkg-deb", "-x", ipk, x)
		got, err := exec.Command(filepath.Join(x, bin)).Output()
		if want := "Hello from " + name + "!\n"; err != nil || string(got) != want {
			t.Errorf("%s prints %q (%v), want %q", bin, got, err, want)
		}
	}
}
