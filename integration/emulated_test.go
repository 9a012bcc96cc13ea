package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmulatedToolchain builds a recipe whose build runs a program it
// built, on a target of toolchain kind emulated (arm64 Debian and its
// native compiler under qemu-user): the build ran on aarch64, the binary
// is an AArch64 executable, and the install test runs it.
func TestEmulatedToolchain(t *testing.T) {
	requireIntegration(t)
	out := t.TempDir()
	r := mustKiln(t, nil, "build", "integration/testdata/emulated", "-o", out, "--progress", "plain")
	for _, step := range []string{"toolchain aarch64-emu: install", "selfhost [aarch64-emu] build", "selfhost [aarch64-emu] test 0 (install)"} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress shows no step %q", step)
		}
	}
	ipk := filepath.Join(out, "selfhost_1.0-1_aarch64.ipk")
	if _, err := os.Stat(ipk); err != nil {
		t.Fatalf("no package: %v", err)
	}
	root := t.TempDir()
	run(t, "dpkg-deb", "-x", ipk, root)
	if got := strings.TrimSpace(readFile(t, filepath.Join(root, "usr/share/selfhost/built-on"))); got != "aarch64" {
		t.Errorf("the build ran on %q, want aarch64", got)
	}
	if got := run(t, "file", "-b", filepath.Join(root, "usr/bin/selfhost")); !strings.Contains(got, "ARM aarch64") {
		t.Errorf("selfhost is %s", got)
	}
}
