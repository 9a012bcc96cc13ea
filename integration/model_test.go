package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRecipeModelExamples builds the recipe-model examples (split library,
// an app on it with variants, a noarch script package in every format) for
// armv7 in one solve, then reads every artifact back with real tools and
// runs the target binaries under qemu-user.
func TestRecipeModelExamples(t *testing.T) {
	requireIntegration(t)
	out := t.TempDir()
	r := mustKiln(t, nil, "build", "examples/libgreet", "examples/greeter", "examples/motd",
		"--target", "armv7", "-o", out, "--progress", "plain")
	for _, step := range []string{"libgreet [armv7] test 2 (install)", "greeter [armv7 mode-release] test 1 (install)",
		"greeter [armv7 mode-debug] test 2 (install)", "motd [noarch] test 0 (install)"} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress shows no step %q", step)
		}
	}

	t.Run("split", func(t *testing.T) {
		want := map[string][]string{
			"libgreet_1.2.0-1_armv7.ipk":     {"./usr/lib/libgreet.so.1 -> libgreet.so.1.2.0", "./usr/lib/libgreet.so.1.2.0"},
			"libgreet-dev_1.2.0-1_armv7.ipk": {"./usr/include/greet.h", "./usr/lib/libgreet.so -> libgreet.so.1", "./usr/lib/libgreet.a", "./usr/lib/pkgconfig/libgreet.pc"},
			"libgreet-doc_1.2.0-1_armv7.ipk": {"./usr/share/doc/libgreet/README"},
		}
		for file, paths := range want {
			list := run(t, "dpkg-deb", "-c", filepath.Join(out, file))
			for _, p := range paths {
				if !strings.Contains(list, p) {
					t.Errorf("%s lacks %s:\n%s", file, p, list)
				}
			}
			if n := strings.Count(list, "\n"); file == "libgreet-doc_1.2.0-1_armv7.ipk" && strings.Contains(list, ".so") {
				t.Errorf("%s claims library files (%d entries):\n%s", file, n, list)
			}
		}
		if p := ipkField(t, filepath.Join(out, "libgreet_1.2.0-1_armv7.ipk"), "Provides"); p != "libgreet.so.1" {
			t.Errorf("libgreet does not record its soname: %s", p)
		}
		dev := run(t, "dpkg-deb", "-f", filepath.Join(out, "libgreet-dev_1.2.0-1_armv7.ipk"), "Depends", "Section")
		if !strings.Contains(dev, "libgreet (= 1.2.0-1)") || !strings.Contains(dev, "Section: devel") {
			t.Errorf("libgreet-dev: uses: libgreet gives no exact dependency:\n%s", dev)
		}
		lib := extract(t, filepath.Join(out, "libgreet_1.2.0-1_armv7.ipk"))
		if f := run(t, "file", "-L", filepath.Join(lib, "usr/lib/libgreet.so.1")); !strings.Contains(f, "ARM, EABI5") || !strings.Contains(f, "stripped") {
			t.Errorf("libgreet.so.1: %s", f)
		}
	})

	t.Run("variants", func(t *testing.T) {
		lib := extract(t, filepath.Join(out, "libgreet_1.2.0-1_armv7.ipk"))
		for mode, debugInfo := range map[string]bool{"release": false, "debug": true} {
			ipk := filepath.Join(out, "mode-"+mode, "greeter_2.0-1_armv7.ipk")
			// The recipe lists no depends: the one on libgreet comes from
			// the binary's NEEDED libgreet.so.1, which libgreet provides.
			if deps := ipkField(t, ipk, "Depends"); deps != "libgreet (>= 1.2.0-1)" {
				t.Errorf("%s Depends: %s", ipk, deps)
			}
			dir := extract(t, ipk)
			bin := filepath.Join(dir, "usr/bin/greeter")
			if needed := run(t, "readelf", "-d", bin); !strings.Contains(needed, "[libgreet.so.1]") {
				t.Errorf("greeter is not linked to libgreet.so.1:\n%s", needed)
			}
			// The device has libgreet installed: give qemu its library path.
			cmd := []string{"env", "LD_LIBRARY_PATH=" + filepath.Join(lib, "usr/lib"),
				"qemu-arm-static", "-L", "/usr/arm-linux-gnueabihf", bin, "kiln"}
			got := strings.TrimSpace(run(t, cmd[0], cmd[1:]...))
			re := regexp.MustCompile(`^hello, kiln! \(greeter 2\.0 ` + mode + `, libgreet 1\.2\.0, zlib 1\.[0-9.]+\)$`)
			if !re.MatchString(got) {
				t.Errorf("%s greeter printed %q", mode, got)
			}
			if _, err := os.Stat(filepath.Join(out, "mode-"+mode, "Packages.gz")); err != nil {
				t.Errorf("variant directory has no feed index: %v", err)
			}
			_ = debugInfo // both are stripped: nostrip is not set
		}
	})

	t.Run("motd-formats", func(t *testing.T) {
		ipk := filepath.Join(out, "motd_1.1-1_all.ipk")
		info := run(t, "dpkg-deb", "-I", ipk)
		for _, s := range []string{"Architecture: all", "conffiles", "postinst", "prerm",
			"Conflicts: motd-classic", "Replaces: motd-classic (<< 1.0)", "Provides: motd-provider"} {
			if !strings.Contains(info, s) {
				t.Errorf("motd ipk lacks %q:\n%s", s, info)
			}
		}
		ctl := t.TempDir()
		run(t, "dpkg-deb", "-e", ipk, ctl)
		if c := readFile(t, filepath.Join(ctl, "conffiles")); strings.TrimSpace(c) != "/etc/motd.conf" {
			t.Errorf("conffiles = %q", c)
		}
		// opkg runs postinst with "configure" on install: the hook runs.
		if got := run(t, filepath.Join(ctl, "postinst"), "configure"); !strings.Contains(got, "edit /etc/motd.conf") {
			t.Errorf("postinst configure printed %q", got)
		}
		dir := extract(t, ipk)
		env := readFile(t, filepath.Join(dir, "etc/profile.d/60-kiln-motd.sh"))
		if !strings.Contains(env, `export MOTD_CONF="/etc/motd.conf"`) {
			t.Errorf("profile.d script:\n%s", env)
		}

		spk := filepath.Join(out, "motd-1.1-1.spk")
		infoSpk := run(t, "tar", "-xOf", spk, "INFO")
		for _, s := range []string{`package="motd"`, `arch="noarch"`, `displayname="Message of the day"`, `ctl_stop="no"`} {
			if !strings.Contains(infoSpk, s) {
				t.Errorf("spk INFO lacks %s:\n%s", s, infoSpk)
			}
		}
		if list := run(t, "sh", "-c", `tar -xOf "$1" package.tgz | tar -tzf -`, "sh", spk); !strings.Contains(list, "usr/bin/motd") {
			t.Errorf("package.tgz:\n%s", list)
		}
		pre := run(t, "sh", "-c", `tar -xOf "$1" scripts/preuninst | SYNOPKG_PKG_STATUS=UNINSTALL sh`, "sh", spk)
		if !strings.Contains(pre, "motd: removing") {
			t.Errorf("spk preuninst printed %q", pre)
		}

		zip := filepath.Join(out, "motd-1.1.0-any.zip")
		run(t, "unzip", "-tq", zip)
		zl := run(t, "unzip", "-Z", "-v", zip)
		if !strings.Contains(zl, "bin/motd") || !strings.Contains(zl, "compression method:                             deflated") {
			t.Errorf("syspkg payload (want bin/motd, deflated):\n%s", tail(zl, 40))
		}
	})
}

// TestBadFormatOptions: a misspelt format option fails before anything is
// built, naming the recipe, package and option.
func TestBadFormatOptions(t *testing.T) {
	requireIntegration(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"kiln.yaml": testRecipe("tool") + `package: mkdir -p "$pkgdir/usr/bin"
formats:
  spk: {dispalyname: Tool}
`,
	})
	r := kiln(t, nil, "build", dir, "-o", t.TempDir(), "--progress", "plain")
	if r.err == nil || !strings.Contains(r.stderr, `formats.spk`) || !strings.Contains(r.stderr, `unknown option "dispalyname"`) {
		t.Fatalf("err %v, stderr:\n%s", r.err, r.stderr)
	}
	if strings.Contains(r.stderr, "#1 ") {
		t.Errorf("the build started before the options were checked:\n%s", r.stderr)
	}
}

// extract unpacks an .ipk's data with dpkg-deb into a new directory.
func extract(t *testing.T, ipk string) string {
	t.Helper()
	dir := t.TempDir()
	run(t, "dpkg-deb", "-x", ipk, dir)
	return dir
}
