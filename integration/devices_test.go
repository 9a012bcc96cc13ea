package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeviceFamilyExample builds examples/remarkable: one rmall package
// built once and installed into the rm1 and rm2 builds' $SYSROOT, and the
// device packages under the architecture names Toltec's feed uses, with
// rm2's per_target relations; hooks and binaries know their target.
func TestDeviceFamilyExample(t *testing.T) {
	requireIntegration(t)
	out := t.TempDir()
	r := mustKiln(t, nil, "build", "examples/remarkable", "-o", out, "--progress", "plain")
	for _, step := range []string{"toolchain armv7: install", "rmutil [rmall] build", "rmsplash [rm1] install rmutil_1.0-1_rmall into $SYSROOT",
		"rmsplash [rm2] install rmutil_1.0-1_rmall into $SYSROOT"} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress shows no step %q", step)
		}
	}
	for _, not := range []string{"toolchain rm", "rmutil [rm1]", "rmutil [rm2]"} {
		if strings.Contains(r.stderr, not) {
			t.Errorf("progress shows %q: the family's build or toolchain is not shared", not)
		}
	}

	for _, c := range []struct {
		file, arch, depends, conflicts, replaces string
	}{
		{"rmutil_1.0-1_rmall.ipk", "rmall", "", "", ""},
		{"rmsplash_0.3-1_rm1.ipk", "rm1", "rmutil", "rmsplash-legacy", ""},
		{"rmsplash_0.3-1_rm2.ipk", "rm2", "rmutil, rm2fb", "rmsplash-legacy, rm2fb-splash", "rm2fb-splash"},
	} {
		ipk := filepath.Join(out, c.file)
		if _, err := os.Stat(ipk); err != nil {
			t.Errorf("no %s: %v", c.file, err)
			continue
		}
		fields := run(t, "dpkg-deb", "-f", ipk, "Architecture", "Depends", "Conflicts", "Replaces")
		want := "Architecture: " + c.arch + "\n"
		for _, f := range []struct{ name, value string }{{"Depends", c.depends}, {"Conflicts", c.conflicts}, {"Replaces", c.replaces}} {
			if f.value != "" {
				want += f.name + ": " + f.value + "\n"
			}
		}
		if fields != want {
			t.Errorf("%s control fields:\n%s\nwant\n%s", c.file, fields, want)
		}
	}

	// The hook knows its target and architecture on the device.
	ctl := t.TempDir()
	run(t, "dpkg-deb", "-e", filepath.Join(out, "rmsplash_0.3-1_rm2.ipk"), ctl)
	if got := strings.TrimSpace(run(t, filepath.Join(ctl, "postinst"), "configure")); got != "rmsplash: configured for rm2 (opkg architecture rm2)" {
		t.Errorf("rm2 postinst configure printed %q", got)
	}
	// So does the binary, built against rmall's header from $SYSROOT.
	for _, dev := range []string{"rm1", "rm2"} {
		dir := extract(t, filepath.Join(out, "rmsplash_0.3-1_"+dev+".ipk"))
		got := strings.TrimSpace(run(t, "qemu-arm-static", "-L", "/usr/arm-linux-gnueabihf", filepath.Join(dir, "opt/bin/rmsplash")))
		if want := "rmsplash for " + dev + " (" + dev + " feed) running on something else"; got != want {
			t.Errorf("%s rmsplash printed %q, want %q", dev, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "Packages.gz")); err != nil {
		t.Errorf("no feed index: %v", err)
	}
}
