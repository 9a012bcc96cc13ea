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
	dir := t.TempDir()
	kilnAt(t, dir, "new", "repo/hello-c", "--lang", "c", "--maintainer", "Kiln Tests <tests@example.org>")
	kilnAt(t, dir, "new", "repo/hello-sh", "--lang", "shell", "--format", "cue", "--maintainer", "Kiln Tests <tests@example.org>")
	kilnAt(t, dir, "validate", "repo")
	out := filepath.Join(dir, "out")
	kilnAt(t, dir, "build", "repo", "--target", "x86_64", "--target", "armv7", "--target", "noarch", "-o", out, "--progress", "plain")

	for _, p := range []struct{ ipk, arch, machine string }{
		{"hello-c_0.1.0-1_x86_64.ipk", "x86_64", "x86-64"},
		{"hello-c_0.1.0-1_armv7.ipk", "armv7", "ARM, EABI5"},
		{"hello-sh_0.1.0-1_all.ipk", "all", "POSIX shell script"},
	} {
		ipk := filepath.Join(out, p.ipk)
		if _, err := os.Stat(ipk); err != nil {
			entries, _ := os.ReadDir(out)
			t.Fatalf("%s missing: %v (out holds %v)", p.ipk, err, entries)
		}
		bin := "usr/bin/" + strings.Split(p.ipk, "_")[0]
		checkIPK(t, ipk, p.arch, bin, p.machine)
		if p.arch == "armv7" {
			continue // run by the install test under qemu-user
		}
		x := t.TempDir()
		run(t, "dpkg-deb", "-x", ipk, x)
		got, err := exec.Command(filepath.Join(x, bin)).Output()
		want := "Hello from " + strings.Split(p.ipk, "_")[0] + "!\n"
		if err != nil || string(got) != want {
			t.Errorf("%s prints %q (%v), want %q", bin, got, err, want)
		}
	}
}
