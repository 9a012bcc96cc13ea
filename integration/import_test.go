package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportToltec imports two recipes of the Toltec test corpus (a C
// program built per device, and a shell package whose hooks call Toltec's
// install library), builds the imports on the daemon and reads the
// packages back: architectures, the binary under qemu-user, the hooks.
func TestImportToltec(t *testing.T) {
	requireIntegration(t)
	imported := t.TempDir()
	corpus := "importer/toltec/testdata/corpus/"
	r := mustKiln(t, nil, "import", "toltec", corpus+"hello-rm", corpus+"motd-banner", "-o", imported)
	if !strings.Contains(r.stdout, "2 recipe(s) imported, 2 carried over whole") {
		t.Fatalf("import report:\n%s", r.stdout)
	}
	out := t.TempDir()
	mustKiln(t, nil, "build", filepath.Join(imported, "hello-rm"), filepath.Join(imported, "motd-banner"), "-o", out, "--progress", "plain")

	for _, c := range []struct{ file, arch string }{
		{"hello-rm_1.0.0-1_rm1.ipk", "rm1"},
		{"hello-rm_1.0.0-1_rm2.ipk", "rm2"},
		{"motd-banner_0.4.2-3_rmall.ipk", "rmall"},
	} {
		ipk := filepath.Join(out, c.file)
		if _, err := os.Stat(ipk); err != nil {
			t.Fatalf("no %s: %v", c.file, err)
		}
		if got := run(t, "dpkg-deb", "-f", ipk, "Architecture"); got != c.arch+"\n" {
			t.Errorf("%s: %q", c.file, got)
		}
	}

	// $arch in build() is the package's architecture; the binary runs.
	for _, dev := range []string{"rm1", "rm2"} {
		ipk := filepath.Join(out, "hello-rm_1.0.0-1_"+dev+".ipk")
		dir := extract(t, ipk)
		got := strings.TrimSpace(run(t, "qemu-arm-static", "-L", "/usr/arm-linux-gnueabihf", filepath.Join(dir, "opt/bin/hello-rm")))
		if got != "hello from "+dev {
			t.Errorf("%s hello-rm printed %q", dev, got)
		}
		ctl := t.TempDir()
		run(t, "dpkg-deb", "-e", ipk, ctl)
		if got := strings.TrimSpace(run(t, filepath.Join(ctl, "postinst"), "configure")); got != "hello-rm for "+dev+" installed" {
			t.Errorf("%s postinst configure printed %q", dev, got)
		}
	}

	// The hooks carry the install library functions they call, and the
	// package holds the script and the unit with their modes.
	ipk := filepath.Join(out, "motd-banner_0.4.2-3_rmall.ipk")
	ctl := t.TempDir()
	run(t, "dpkg-deb", "-e", ipk, ctl)
	if s := readFile(t, filepath.Join(ctl, "postinst")); !strings.Contains(s, "how-to-enable() {") || !strings.Contains(s, "how-to-enable motd-banner.service") {
		t.Errorf("postinst lacks the install library's how-to-enable:\n%s", s)
	}
	if s := readFile(t, filepath.Join(ctl, "prerm")); !strings.Contains(s, "disable-unit() {") || !strings.Contains(s, "unit-exists() {") {
		t.Errorf("prerm lacks disable-unit and what it calls:\n%s", s)
	}
	// Without systemd's units, disable-unit does nothing and succeeds.
	run(t, filepath.Join(ctl, "prerm"), "remove")
	list := run(t, "dpkg-deb", "-c", ipk)
	for _, want := range []string{"-rwxr-xr-x root/root", "./opt/bin/motd-banner", "./lib/systemd/system/motd-banner.service"} {
		if !strings.Contains(list, want) {
			t.Errorf("motd-banner lists no %q:\n%s", want, list)
		}
	}
}
