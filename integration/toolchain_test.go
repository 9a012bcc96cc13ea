package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The toolchains these tests make on kiln's daemon from
// testdata/toolchains/Dockerfile (Debian bookworm's armhf cross compiler):
// the image is pushed to the local registry, the archive exported.
const (
	toolchainDockerfile = "integration/testdata/toolchains"
	toolchainImage      = "kiln/test-toolchain:armv7"
	toolchainPrefix     = "/opt/x-tools/arm-kiln-linux-gnueabihf/bin/arm-kiln-linux-gnueabihf-"
)

// TestToolchainImage builds examples/hello for a target whose toolchain is
// an image with its own cross compiler, as Toltec ships them: the compiler
// under /opt/x-tools/arm-kiln-linux-gnueabihf, Debian's names for it gone
// from /usr/bin, so the build finds it only through the target's env (CC,
// STRIP through PATH). kiln installs nothing into the image: the
// toolchain is the image with /sysroot. The binary read back from the
// .ipk is stripped 32-bit ARM and runs under qemu-user.
func TestToolchainImage(t *testing.T) {
	requireIntegration(t)
	image := registry() + "/" + toolchainImage
	makeToolchain(t, "image", "type=image,name="+image+",push=true,registry.insecure=true,oci-mediatypes=true")

	dir := helloFor(t, "kiln-image", fmt.Sprintf(`targets:
  kiln-image:
    extends: armv7
    description: armv7 from a toolchain image
    toolchain: image
    image: %s
    env:
      CC: %sgcc
      AR: %sar
      STRIP: arm-kiln-linux-gnueabihf-strip   # through PATH
      CROSS_COMPILE: arm-kiln-linux-gnueabihf-
      PATH: %s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
`, image, toolchainPrefix, toolchainPrefix, filepath.Dir(toolchainPrefix)))
	out := t.TempDir()
	r := mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	for _, step := range []string{
		"toolchain kiln-image: " + image + " with /sysroot",
		"hello [kiln-image] build",
	} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress lacks %q:\n%s", step, tail(r.stderr, 60))
		}
	}
	if strings.Contains(r.stderr, "toolchain kiln-image: install") || strings.Contains(r.stderr, "apt-get") {
		t.Errorf("kiln installed packages into the toolchain image:\n%s", tail(r.stderr, 60))
	}
	checkHello(t, out, "kiln-image")

	// The target's env names the compiler: armv7's Debian names are not
	// in the image, so a target without it cannot build.
	broken := helloFor(t, "kiln-image", fmt.Sprintf("targets:\n  kiln-image: {extends: armv7, toolchain: image, image: %q}\n", image))
	if r := kiln(t, nil, "build", broken, "-o", t.TempDir(), "--progress", "plain"); r.err == nil || !strings.Contains(r.stderr, "arm-linux-gnueabihf-gcc: No such file or directory") {
		t.Errorf("a target without the image's env: %v\n%s", r.err, tail(r.stderr, 20))
	}
}

// TestToolchainArchive builds examples/hello for a target whose toolchain
// is an archive fetched by url and sha256, as spksrc takes Synology's: the
// test packs every file of Debian's armhf cross packages into a .tar.xz
// (under one top directory: strip 1) on the daemon, with the Debian
// packages they need that it lacks (the compilers' host libraries), and
// serves it over HTTP on loopback. The toolchain is the bookworm base
// with those packages, then the archive unpacked into /. A wrong sha256
// fails the fetch, naming both digests.
func TestToolchainArchive(t *testing.T) {
	requireIntegration(t)
	dl := t.TempDir()
	makeToolchain(t, "archive", "type=local,dest="+dl)
	archive := filepath.Join(dl, "arm-kiln-toolchain.tar.xz")
	hostPackages := strings.Fields(readFile(t, filepath.Join(dl, "host-packages")))
	if len(hostPackages) == 0 {
		t.Fatal("the archive needs no host packages?")
	}
	fi, err := os.Stat(archive)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %.1f MiB; host packages %s", filepath.Base(archive), float64(fi.Size())/(1<<20), strings.Join(hostPackages, " "))
	url := "http://" + serveAnywhere(t, dl) + "/" + filepath.Base(archive)
	sum := "sha256:" + sha(t, archive)

	targets := func(sha256 string) string {
		return fmt.Sprintf(`targets:
  kiln-archive:
    extends: armv7     # triplet, platform, env (CC: arm-linux-gnueabihf-gcc), formats
    description: armv7 from a toolchain archive
    toolchain: archive
    archive:
      url: %s
      sha256: %s
      strip: 1
    packages: [make, %s]
`, url, strings.TrimPrefix(sha256, "sha256:"), strings.Join(hostPackages, ", "))
	}
	out := t.TempDir()
	r := mustKiln(t, nil, "build", helloFor(t, "kiln-archive", targets(sum)), "-o", out, "--progress", "plain")
	for _, step := range []string{
		"toolchain kiln-archive: install " + strings.Join(slices.Sorted(slices.Values(append([]string{"make"}, hostPackages...))), " "),
		"toolchain kiln-archive: fetch " + url,
		"toolchain kiln-archive: unpack arm-kiln-toolchain.tar.xz (strip 1)",
		"toolchain kiln-archive: copy the files of arm-kiln-toolchain.tar.xz to /",
	} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress lacks %q:\n%s", step, tail(r.stderr, 60))
		}
	}
	if strings.Contains(r.stderr, "install gcc-arm-linux-gnueabihf") {
		t.Error("the archive target installed armv7's Debian cross packages")
	}
	checkHello(t, out, "kiln-archive")

	wrong := "sha256:" + strings.Repeat("ab", 32)
	r = kiln(t, nil, "build", helloFor(t, "kiln-archive", targets(wrong)), "-o", t.TempDir(), "--progress", "plain")
	if r.err == nil {
		t.Fatal("a wrong sha256: the build succeeded")
	}
	if w := "the target says " + wrong + " but the downloaded file is " + sum; !strings.Contains(r.stderr, w) {
		t.Errorf("a wrong sha256: output lacks %q:\n%s", w, tail(r.stderr, 20))
	}
}

// makeToolchain builds target of testdata/toolchains/Dockerfile with
// buildctl on the daemon kiln builds on ($KILN_ADDR, else kiln's managed
// daemon) and writes it to output.
func makeToolchain(t *testing.T, target, output string) {
	t.Helper()
	addr := os.Getenv("KILN_ADDR")
	if addr == "" {
		addr = strings.TrimSpace(mustKiln(t, nil, "daemon", "addr").stdout)
	}
	dir := filepath.Join(repoRoot(t), toolchainDockerfile)
	start := time.Now()
	cmd := exec.Command("buildctl", "--addr", addr, "build", "--progress", "plain",
		"--frontend", "dockerfile.v0", "--local", "context="+dir, "--local", "dockerfile="+dir,
		"--opt", "target="+target, "--opt", "build-arg:KILN_APT_MIRROR="+aptMirror(t),
		"--output", output)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("buildctl (toolchain %s): %v\n%s", target, err, tail(string(b), 40))
	}
	t.Logf("toolchain %s made in %.1fs", target, time.Since(start).Seconds())
}

// helloFor is a repository holding examples/hello built for target alone,
// and targets/TARGET.yaml with the given content.
func helloFor(t *testing.T, target, targets string) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "examples", "hello")
	recipe := readFile(t, filepath.Join(src, "kiln.cue"))
	const own = "\ntargets: [\"x86_64\", \"aarch64\", \"armv7\"]\n"
	if !strings.Contains(recipe, own) {
		t.Fatalf("examples/hello/kiln.cue changed: want %q", strings.TrimSpace(own))
	}
	dir := t.TempDir()
	copyDir(t, filepath.Join(src, "src"), filepath.Join(dir, "src"))
	writeFiles(t, dir, map[string]string{
		"kiln.cue":                    strings.Replace(recipe, own, "\ntargets: [\""+target+"\"]\n", 1),
		"targets/" + target + ".yaml": targets,
	})
	return dir
}

// checkHello takes hello's armv7 package in out apart and runs its binary
// under qemu-user with Debian's armhf C library.
func checkHello(t *testing.T, out, target string) {
	t.Helper()
	ipk := filepath.Join(out, "hello_1.0.0-1_armv7.ipk")
	checkIPK(t, ipk, "armv7", "opt/bin/hello", "ARM, EABI5")
	dir := t.TempDir()
	run(t, "dpkg-deb", "-x", ipk, dir)
	bin := filepath.Join(dir, "opt/bin/hello")
	if f := run(t, "file", bin); !strings.Contains(f, ", stripped") {
		t.Errorf("file: %s, want stripped", f)
	}
	want := "Hello from kiln! (built for " + target + ")"
	if got := strings.TrimSpace(run(t, "qemu-arm-static", "-L", "/usr/arm-linux-gnueabihf", bin)); got != want {
		t.Errorf("running hello: %q, want %q", got, want)
	}
}
