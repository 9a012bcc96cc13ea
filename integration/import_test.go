package integration

import (
	"bytes"
	"debug/elf"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestImportToltec imports five recipes of the Toltec test corpus (a C
// program built per device, a Go program built in the golang image's
// target, a shell package whose hooks call Toltec's install library, and
// a patch_rm2fb package with the client library it patches binaries to
// load), builds the imports on the daemon and reads the packages back:
// architectures, the binaries under qemu-user, the hooks.
func TestImportToltec(t *testing.T) {
	requireIntegration(t)
	imported := t.TempDir()
	corpus := "importer/toltec/testdata/corpus/"
	r := mustKiln(t, nil, "import", "toltec", corpus+"hello-rm", corpus+"motd-banner", corpus+"gotimer", corpus+"fbpaint", corpus+"rm2fb", "-o", imported)
	if !strings.Contains(r.stdout, "5 recipe(s) imported, 5 carried over whole") {
		t.Fatalf("import report:\n%s", r.stdout)
	}
	out := t.TempDir()
	mustKiln(t, nil, "build", filepath.Join(imported, "hello-rm"), filepath.Join(imported, "motd-banner"), filepath.Join(imported, "gotimer"),
		filepath.Join(imported, "fbpaint"), filepath.Join(imported, "rm2fb-client"), filepath.Join(imported, "toltec-install-lib"),
		"-o", out, "--progress", "plain")

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

	// image=golang: the recipe builds in its rm2-golang target, whose
	// toolchain has Go cross compiling for the device, as Toltec's image.
	dir := extract(t, filepath.Join(out, "gotimer_0.3.0-1_rm2.ipk"))
	if got := strings.TrimSpace(run(t, "qemu-arm-static", filepath.Join(dir, "opt/bin/gotimer"))); got != "gotimer for linux/arm" {
		t.Errorf("gotimer printed %q", got)
	}

	// patch_rm2fb, as Toltec applies it: only the binary naming /dev/fb0
	// loads rm2fb's client library (whose package it then depends on),
	// and does load it when run; the other binary is left alone.
	fb := filepath.Join(out, "fbpaint_2.0.0-1_rm2.ipk")
	if got := run(t, "dpkg-deb", "-f", fb, "Depends"); !strings.Contains(got, "rm2fb-client (>= 1.0.1-2)") {
		t.Errorf("fbpaint depends on %q", got)
	}
	fbroot := t.TempDir()
	run(t, "dpkg-deb", "-x", fb, fbroot)
	run(t, "dpkg-deb", "-x", filepath.Join(out, "rm2fb-client_1.0.1-2_rm2.ipk"), fbroot)
	for bin, want := range map[string]bool{"fbpaint": true, "fbpaint-help": false} {
		if got := slices.Contains(needed(t, filepath.Join(fbroot, "opt/bin", bin)), "librm2fb_client.so.1"); got != want {
			t.Errorf("%s needs librm2fb_client.so.1: %v, want %v", bin, got, want)
		}
	}
	cmd := exec.Command("qemu-arm-static", "-L", "/usr/arm-linux-gnueabihf", filepath.Join(fbroot, "opt/bin/fbpaint"))
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(fbroot, "opt/lib"))
	if got, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(got), "rm2fb client loaded\nfbpaint: ") {
		t.Errorf("fbpaint: %v\n%s", err, got)
	}

	// The hooks source Toltec's install library from the package it ships
	// in (toltec-install-lib, which the import writes beside the recipes
	// and motd-banner depends on). Unpacked into one root, as opkg installs
	// a package's dependencies before its hooks run (with the root in
	// $PKG_ROOT), the hooks run the library's functions against the
	// device's systemctl (here a script logging what it is asked).
	ipk := filepath.Join(out, "motd-banner_0.4.2-3_rmall.ipk")
	if got := run(t, "dpkg-deb", "-f", ipk, "Depends"); !strings.Contains(got, "toltec-install-lib") {
		t.Errorf("motd-banner depends on %q, not on the install library", got)
	}
	root, ctl, bin := t.TempDir(), t.TempDir(), t.TempDir()
	run(t, "dpkg-deb", "-x", filepath.Join(out, "toltec-install-lib_1.0.0-1_rmall.ipk"), root)
	run(t, "dpkg-deb", "-x", ipk, root)
	run(t, "dpkg-deb", "-e", ipk, ctl)
	if s := readFile(t, filepath.Join(ctl, "prerm")); strings.Contains(s, "disable-unit() {") || !strings.Contains(s, "/opt/lib/toltec-install-lib/install-lib.sh") {
		t.Errorf("prerm carries the library instead of sourcing it:\n%s", s)
	}
	log := filepath.Join(bin, "systemctl.log")
	writeFiles(t, bin, map[string]string{"systemctl": `#!/bin/sh
echo "$*" >>"$SYSTEMCTL_LOG"
case "$*" in
"list-unit-files "*) echo "$4 enabled enabled" ;;
"--quiet is-active "*) exit 0 ;;
"--quiet is-enabled "*) exit 1 ;;
esac
`})
	if err := os.Chmod(filepath.Join(bin, "systemctl"), 0o755); err != nil {
		t.Fatal(err)
	}
	hook := func(pkgRoot, script string, args ...string) (string, error) {
		cmd := exec.Command(filepath.Join(ctl, script), args...)
		cmd.Env = append(os.Environ(), "PKG_ROOT="+pkgRoot, "PATH="+bin+":"+os.Getenv("PATH"), "SYSTEMCTL_LOG="+log)
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	if got, err := hook(root, "postinst", "configure"); err != nil || !strings.Contains(got, "$ systemctl enable --now motd-banner.service") {
		t.Errorf("postinst configure (how-to-enable): %v\n%s", err, got)
	}
	if got, err := hook(root, "prerm", "remove"); err != nil || !strings.Contains(got, "Stopping motd-banner.service") {
		t.Errorf("prerm remove (disable-unit): %v\n%s", err, got)
	}
	if got := readFile(t, log); !strings.Contains(got, "stop motd-banner.service") || strings.Contains(got, "disable motd-banner.service") {
		t.Errorf("systemctl was asked:\n%s", got)
	}
	if got, err := hook(t.TempDir(), "prerm", "remove"); err == nil {
		t.Errorf("prerm ran without the install library installed:\n%s", got)
	}
	// The package holds the script and the unit with their modes.
	list := run(t, "dpkg-deb", "-c", ipk)
	for _, want := range []string{"-rwxr-xr-x root/root", "./opt/bin/motd-banner", "./lib/systemd/system/motd-banner.service"} {
		if !strings.Contains(list, want) {
			t.Errorf("motd-banner lists no %q:\n%s", want, list)
		}
	}
}

// needed lists an ELF file's NEEDED sonames.
func needed(t *testing.T, file string) []string {
	t.Helper()
	f, err := elf.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return libs
}

// runPath is an ELF file's RUNPATH and RPATH entries, joined with ":".
func runPath(t *testing.T, file string) string {
	t.Helper()
	f, err := elf.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runpath, _ := f.DynString(elf.DT_RUNPATH)
	rpath, _ := f.DynString(elf.DT_RPATH)
	return strings.Join(append(runpath, rpath...), ":")
}

// TestURLStripAuto: an archive with one top directory is unpacked without
// it when the recipe gives no strip (Toltec's rule, which imported
// recipes rely on); one without a top directory keeps its layout, and
// strip: 0 keeps the top directory.
func TestURLStripAuto(t *testing.T) {
	requireIntegration(t)
	files := t.TempDir()
	tree := t.TempDir()
	writeFiles(t, tree, map[string]string{"tool-1.0/bin/tool": "#!/bin/sh\necho tool\n", "flat/a.txt": "a\n", "flat/b.txt": "b\n"})
	run(t, "tar", "-C", tree, "-czf", filepath.Join(files, "tool-1.0.tar.gz"), "tool-1.0")
	run(t, "tar", "-C", filepath.Join(tree, "flat"), "-czf", filepath.Join(files, "flat.tar.gz"), "a.txt", "b.txt")
	addr := serveAnywhere(t, files)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"kiln.yaml": fmt.Sprintf(recipeHead, "stripauto") + fmt.Sprintf(`sources:
  - url: http://%[1]s/tool-1.0.tar.gz
    sha256: %[2]s
    dest: auto
  - url: http://%[1]s/flat.tar.gz
    sha256: %[3]s
    dest: flat
  - url: http://%[1]s/tool-1.0.tar.gz
    sha256: %[2]s
    strip: 0
    dest: kept
package: |
  mkdir -p "$pkgdir/usr/share/sa"
  cp -r auto flat kept "$pkgdir/usr/share/sa/"
`, addr, sha(t, filepath.Join(files, "tool-1.0.tar.gz")), sha(t, filepath.Join(files, "flat.tar.gz")))})
	out := t.TempDir()
	r := mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	if !strings.Contains(r.stderr, "unpack tool-1.0.tar.gz (strip auto)") || !strings.Contains(r.stderr, "unpack tool-1.0.tar.gz (strip 0)") {
		t.Errorf("progress names no strip auto and strip 0 unpack steps")
	}
	list := run(t, "dpkg-deb", "-c", filepath.Join(out, "stripauto_1.0-1_x86_64.ipk"))
	for _, want := range []string{"./usr/share/sa/auto/bin/tool", "./usr/share/sa/flat/a.txt", "./usr/share/sa/kept/tool-1.0/bin/tool"} {
		if !strings.Contains(list, want) {
			t.Errorf("package lists no %s:\n%s", want, list)
		}
	}
}

// TestImportSyspkg imports a syspkg metainfo whose payload ZIP (laid out
// by category, with an override for the binaries) is served on loopback,
// builds the import and reads the syspkg package back with unzip.
func TestImportSyspkg(t *testing.T) {
	requireIntegration(t)
	files, tree := t.TempDir(), t.TempDir()
	writeFiles(t, tree, map[string]string{"build/cli/hello": "#!/bin/sh\necho hello\n", "man/hello.1": ".TH HELLO 1\n"})
	if err := os.Chmod(filepath.Join(tree, "build/cli/hello"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(files, "1.2.0"), 0o755); err != nil {
		t.Fatal(err)
	}
	zip := filepath.Join(files, "1.2.0", "hello-x86_64.zip")
	runIn(t, tree, "zip", "-q", "-r", zip, "build", "man")
	addr := serveAnywhere(t, files)
	meta := t.TempDir()
	writeFiles(t, meta, map[string]string{"hello.json": fmt.Sprintf(`{
    "id": "hello",
    "description": [ { "en", "Hello", "Says hello" }, { "de", "Hallo", "Sagt hallo" } ],
    "version": "1.2.0",
    "release": "1.2.0-1",
    "url": "http://%s/$VERSION/hello-$ARCH.zip",
    "category": "tools",
    "license": "MIT",
    "override": { "bin": "build/cli" },
    "payloads": [ { "x86_64", 100, 200, "%s" } ]
}`, addr, sha(t, zip))})
	imported := t.TempDir()
	r := kiln(t, nil, "import", "syspkg", filepath.Join(meta, "hello.json"), "-o", imported,
		"--maintainer", "Jane Doe <jane@example.org>", "--timestamp", "2024-05-01")
	if r.err != nil || !strings.Contains(r.stdout, "maintainer: filled: from --maintainer") {
		t.Fatalf("import: %v (want success, reporting the maintainer filled from --maintainer)\n%s%s", r.err, r.stdout, r.stderr)
	}
	out := t.TempDir()
	mustKiln(t, nil, "build", filepath.Join(imported, "hello"), "-o", out, "--progress", "plain")
	list := run(t, "unzip", "-l", filepath.Join(out, "hello-1.2.0-x86_64.zip"))
	for _, want := range []string{"bin/hello", "man/hello.1"} {
		if !strings.Contains(list, want) {
			t.Errorf("payload lists no %s:\n%s", want, list)
		}
	}
}

func runIn(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// TestImportSPK imports three SPK specs (a program, a shared library
// and a program built against it in /spfs with paths compiled in),
// builds them for x86_64 and reads the packages back: each holds what its
// build added to /spfs and nothing of its dependency, the paths compiled
// in are the installed ones (/spfs, not $pkgdir), and the programs run.
func TestImportSPK(t *testing.T) {
	requireIntegration(t)
	imported := t.TempDir()
	corpus := "importer/spk/testdata/corpus/"
	r := mustKiln(t, nil, "import", "spk", corpus+"hello", corpus+"greetlib", corpus+"greeter", "-o", imported,
		"--maintainer", "Jane Doe <jane@example.org>", "--timestamp", "2024-05-01")
	if !strings.Contains(r.stdout, "3 recipe(s) imported, 3 carried over whole") {
		t.Fatalf("import report:\n%s", r.stdout)
	}
	out := t.TempDir()
	mustKiln(t, nil, "build", filepath.Join(imported, "hello"), filepath.Join(imported, "greetlib"), filepath.Join(imported, "greeter"),
		"--target", "x86_64", "-o", out, "--progress", "plain")
	dir := extract(t, filepath.Join(out, "hello_1.0.0_x86_64.ipk"))
	if got := strings.TrimSpace(run(t, filepath.Join(dir, "spfs/bin/hello"))); got != "hello from spk" {
		t.Errorf("hello printed %q", got)
	}

	greeter := filepath.Join(out, "greeter_0.3.0_x86_64.ipk")
	list := run(t, "dpkg-deb", "-c", greeter)
	if !strings.Contains(list, "./spfs/bin/greeter") || !strings.Contains(list, "./spfs/share/greeter/whom") ||
		strings.Contains(list, "./spfs/lib/") || strings.Contains(list, "./spfs/include/") {
		t.Errorf("greeter holds more or less than its own files:\n%s", list)
	}
	if got := run(t, "dpkg-deb", "-f", greeter, "Depends"); !strings.Contains(got, "greetlib") {
		t.Errorf("greeter depends on %q", got)
	}
	root := t.TempDir()
	run(t, "dpkg-deb", "-x", greeter, root)
	run(t, "dpkg-deb", "-x", filepath.Join(out, "greetlib_1.2.0_x86_64.ipk"), root)
	if got := readFile(t, filepath.Join(root, "spfs/share/greeter/whom")); got != "x86_64 users\n" {
		t.Errorf("whom (SPK_OPT_arch) = %q", got)
	}
	bin := filepath.Join(root, "spfs/bin/greeter")
	if got := runPath(t, bin); got != "/spfs/lib" {
		t.Errorf("greeter's run path %q, want /spfs/lib", got)
	}
	if b, _ := os.ReadFile(bin); bytes.Contains(b, []byte("/kiln/")) {
		t.Errorf("greeter names a build path")
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(root, "spfs/lib"))
	if got, err := cmd.CombinedOutput(); err != nil || string(got) != "[greetlib] hello, nobody (from /spfs/share/greeter/whom)\n" {
		t.Errorf("greeter: %v: %q", err, got)
	}
}

// TestImportSpksrc imports a spksrc package (a cross package whose
// tarball is served on loopback, a -p0 patch, a PLIST, a translated
// description and a service setup file, and a cross library it links
// against, staged as a recipe of its own), builds its .spk for x86_64 and
// reads it back: INFO, the generated start-stop-status, package.tgz with
// only the PLIST's files (the library's included), and the patched binary
// running with the library, whose run path is the installed prefix.
func TestImportSpksrc(t *testing.T) {
	requireIntegration(t)
	files, src := t.TempDir(), t.TempDir()
	writeFiles(t, src, map[string]string{
		"tiny-1.0/Makefile": "CC ?= cc\nPREFIX ?= /usr\ntiny: tiny.c\n\t$(CC) -O2 $(CFLAGS) -o tiny tiny.c $(LDFLAGS) -lshout\ninstall: tiny\n\tinstall -D -m 755 tiny $(DESTDIR)$(PREFIX)/bin/tiny\n\tinstall -D -m 644 tiny.c $(DESTDIR)$(PREFIX)/share/tiny.c\n",
		"tiny-1.0/tiny.c":   "#include <shout.h>\nint main(void) { shout(\"unpatched\"); return 0; }\n",
		"shout-2.0/Makefile": "PREFIX ?= /usr\nlibshout.so.1: shout.c\n\t$(CC) -O2 -shared -fPIC -Wl,-soname,libshout.so.1 -o $@ shout.c\n" +
			"install: libshout.so.1\n\tinstall -D -m 755 libshout.so.1 $(DESTDIR)$(PREFIX)/lib/libshout.so.1\n\tln -sf libshout.so.1 $(DESTDIR)$(PREFIX)/lib/libshout.so\n" +
			"\tinstall -D -m 644 shout.h $(DESTDIR)$(PREFIX)/include/shout.h\n",
		"shout-2.0/shout.h": "void shout(const char *s);\n",
		"shout-2.0/shout.c": "#include <stdio.h>\n#include \"shout.h\"\nvoid shout(const char *s) { printf(\"SHOUT: %s\\n\", s); }\n",
	})
	tarball, shoutball := filepath.Join(files, "tiny-1.0.tar.gz"), filepath.Join(files, "shout-2.0.tar.gz")
	run(t, "tar", "-C", src, "-czf", tarball, "tiny-1.0")
	run(t, "tar", "-C", src, "-czf", shoutball, "shout-2.0")
	addr := serveAnywhere(t, files)
	tree := t.TempDir()
	writeFiles(t, tree, map[string]string{
		"spk/tiny/Makefile": "SPK_NAME = tiny\nSPK_VERS = 1.0\nSPK_REV = 1\nDEPENDS = cross/shout cross/tiny\nMAINTAINER = Tiny Team\n" +
			"DESCRIPTION = Tiny greeter.\nDESCRIPTION_FRE = Petit salut.\nLICENSE = MIT\nSERVICE_SETUP = src/service-setup.sh\nSPK_ICON = src/tiny.png\nWIZARDS_DIR = src/wizard/\n" +
			"include ../../mk/spksrc.spk.mk\n",
		"spk/tiny/src/service-setup.sh":      "service_prestart() {\n    echo starting\n}\n",
		"spk/tiny/src/wizard/install_uifile": `[{"step_title": "Tiny"}]`,
		"cross/tiny/Makefile": fmt.Sprintf("PKG_NAME = tiny\nPKG_VERS = 1.0\nPKG_EXT = tar.gz\nPKG_DIST_NAME = $(PKG_NAME)-$(PKG_VERS).$(PKG_EXT)\n"+
			"PKG_DIST_SITE = http://%s\ninclude ../../mk/spksrc.cross-cc.mk\n", addr),
		"cross/tiny/digests": fmt.Sprintf("tiny-1.0.tar.gz SHA256 %s\n", sha(t, tarball)),
		"cross/tiny/PLIST":   "bin:bin/tiny\n",
		"cross/tiny/patches/01-greeting.patch": "--- tiny.c.orig\n+++ tiny.c\n@@ -1,2 +1,2 @@\n #include <shout.h>\n" +
			"-int main(void) { shout(\"unpatched\"); return 0; }\n+int main(void) { shout(\"patched at -p0\"); return 0; }\n",
		"cross/shout/Makefile": fmt.Sprintf("PKG_NAME = shout\nPKG_VERS = 2.0\nPKG_EXT = tar.gz\nPKG_DIST_NAME = $(PKG_NAME)-$(PKG_VERS).$(PKG_EXT)\n"+
			"PKG_DIST_SITE = http://%s\ninclude ../../mk/spksrc.cross-cc.mk\n", addr),
		"cross/shout/digests": fmt.Sprintf("shout-2.0.tar.gz SHA256 %s\n", sha(t, shoutball)),
		"cross/shout/PLIST":   "lib:lib/libshout.so.1\nlnk:lib/libshout.so\n",
	})
	// spksrc's icons are 72x72; kiln scales them.
	var icon bytes.Buffer
	if err := png.Encode(&icon, image.NewRGBA(image.Rect(0, 0, 72, 72))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "spk/tiny/src/tiny.png"), icon.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	imported := t.TempDir()
	kiln(t, nil, "import", "spksrc", tree, "-o", imported, "--maintainer", "Jane Doe <jane@example.org>", "--timestamp", "2024-05-01")
	out := t.TempDir()
	mustKiln(t, nil, "build", filepath.Join(imported, "tiny"), filepath.Join(imported, "tiny-shout"), "--target", "x86_64", "-o", out, "--progress", "plain")
	spks, _ := filepath.Glob(filepath.Join(out, "tiny-*.spk"))
	if len(spks) != 1 {
		t.Fatalf("spk files: %v", spks)
	}
	dir := t.TempDir()
	run(t, "tar", "-xf", spks[0], "-C", dir)
	info := readFile(t, filepath.Join(dir, "INFO"))
	for _, want := range []string{`description_fre="Petit salut."`, `maintainer="Tiny Team"`} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO lacks %s:\n%s", want, info)
		}
	}
	for name, size := range map[string]int{"PACKAGE_ICON.PNG": 64, "PACKAGE_ICON_256.PNG": 256} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != size || cfg.Height != size {
			t.Errorf("%s: %dx%d, %v; want the 72x72 icon scaled to %d", name, cfg.Width, cfg.Height, err, size)
		}
	}
	if s := readFile(t, filepath.Join(dir, "WIZARD_UIFILES", "install_uifile")); s != `[{"step_title": "Tiny"}]` {
		t.Errorf("WIZARD_UIFILES/install_uifile: %q", s)
	}
	if s := readFile(t, filepath.Join(dir, "scripts", "start-stop-status")); !strings.Contains(s, "service_prestart") {
		t.Errorf("start-stop-status:\n%s", s)
	}
	inner := t.TempDir()
	run(t, "tar", "-xzf", filepath.Join(dir, "package.tgz"), "-C", inner)
	if _, err := os.Stat(filepath.Join(inner, "var/packages/tiny/target/share/tiny.c")); err == nil {
		t.Error("package.tgz holds a file the PLIST does not list")
	}
	for _, f := range []string{"include/shout.h", "share/tiny.c"} {
		if _, err := os.Stat(filepath.Join(inner, "var/packages/tiny/target", f)); err == nil {
			t.Errorf("package.tgz holds %s, which no PLIST lists", f)
		}
	}
	bin, lib := filepath.Join(inner, "var/packages/tiny/target/bin/tiny"), filepath.Join(inner, "var/packages/tiny/target/lib")
	if got := runPath(t, bin); got != "/var/packages/tiny/target/lib" {
		t.Errorf("tiny's run path %q, want the installed prefix's lib", got)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+lib)
	if got, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(got)) != "SHOUT: patched at -p0" {
		t.Errorf("tiny: %v: %q", err, got)
	}
	if _, err := os.Stat(filepath.Join(inner, "var/packages/tiny/target/share/service-setup.sh")); err != nil {
		t.Errorf("package.tgz lacks the service setup: %v", err)
	}
}

// TestImportSynology imports the native pkgscripts-ng project of the
// corpus, builds its .spk for x86_64 and runs the binary from package.tgz;
// the project's scripts and privilege reach the spk.
func TestImportSynology(t *testing.T) {
	requireIntegration(t)
	imported := t.TempDir()
	kiln(t, nil, "import", "synology", "importer/synology/testdata/source/hellosyno", "-o", imported,
		"--maintainer", "Jane Doe <jane@example.org>", "--timestamp", "2024-05-01", "--license", "MIT")
	out := t.TempDir()
	mustKiln(t, nil, "build", filepath.Join(imported, "hellosyno"), "--target", "x86_64", "-o", out, "--progress", "plain")
	spks, _ := filepath.Glob(filepath.Join(out, "HelloSyno-*.spk"))
	if len(spks) != 1 {
		t.Fatalf("spk files: %v", spks)
	}
	dir := t.TempDir()
	run(t, "tar", "-xf", spks[0], "-C", dir)
	if s := readFile(t, filepath.Join(dir, "scripts", "postinst")); !strings.Contains(s, `echo "postinst"`) {
		t.Errorf("postinst:\n%s", s)
	}
	if s := readFile(t, filepath.Join(dir, "conf", "privilege")); !strings.Contains(s, "hellosyno") {
		t.Errorf("privilege:\n%s", s)
	}
	if info := readFile(t, filepath.Join(dir, "INFO")); !strings.Contains(info, `description_fre="Salue depuis la ligne de commande"`) {
		t.Errorf("INFO:\n%s", info)
	}
	inner := t.TempDir()
	run(t, "tar", "-xzf", filepath.Join(dir, "package.tgz"), "-C", inner)
	if got := strings.TrimSpace(run(t, filepath.Join(inner, "usr/local/bin/hellosyno"))); got != "hello from a Synology project" {
		t.Errorf("hellosyno printed %q", got)
	}
}
