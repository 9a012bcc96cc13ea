package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/buildkitd"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/sbom/sbomtest"
	digest "github.com/opencontainers/go-digest"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// The kiln-frontend image hack/setup.sh builds from the Dockerfile and
// pushes to the local registry, and the buildx builder it creates on
// kiln's daemon.
func frontendImage(t *testing.T) string {
	if img := os.Getenv("KILN_FRONTEND_IMAGE"); img != "" {
		return img
	}
	reg := os.Getenv("KILN_REGISTRY")
	if reg == "" {
		t.Fatal("neither KILN_FRONTEND_IMAGE nor KILN_REGISTRY is set (hack/env.sh sets them)")
	}
	return reg + "/kiln/frontend:dev"
}

const buildxBuilder = "kiln"

func aptMirror(t *testing.T) string {
	m := os.Getenv("KILN_APT_MIRROR")
	if m == "" {
		t.Fatal("KILN_APT_MIRROR is not set (hack/env.sh sets it)")
	}
	return m
}

// buildx runs `docker buildx ARGS` in dir, or the plugin binary on its own
// where the docker CLI is missing (buildx runs standalone too).
func buildx(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	argv := append([]string{"buildx"}, args...)
	name := "docker"
	if _, err := exec.LookPath("docker"); err != nil {
		name, argv = "docker-buildx", args
	}
	cmd := exec.Command(name, argv...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s %s (%.1fs)", name, strings.Join(argv, " "), time.Since(start).Seconds())
	return result{so.String(), se.String(), err}
}

func mustBuildx(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	r := buildx(t, dir, env, args...)
	if r.err != nil {
		t.Fatalf("docker buildx %s: %v\n%s", strings.Join(args, " "), r.err, tail(r.stderr, 60))
	}
	return r
}

// withSyntax writes src with "# syntax=<frontend image>" as its first line
// to dst, which is how a recipe asks docker buildx for kiln.
func withSyntax(t *testing.T, src, dst string) {
	t.Helper()
	writeFiles(t, filepath.Dir(dst), map[string]string{
		filepath.Base(dst): "# syntax=" + frontendImage(t) + "\n" + readFile(t, src),
	})
}

// copyDir copies a tree of regular files.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// outputs lists the regular files below dir, relative and sorted, but
// the opkg feed indexes (Packages, Packages.gz) that checkFeed reads and
// the SBOM beside each package, which it checks is there.
func outputs(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "Packages" && d.Name() != "Packages.gz" && !strings.HasSuffix(p, sbom.Ext) {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
			if ext := filepath.Ext(p); ext == ".ipk" || ext == ".spk" || ext == ".zip" {
				if _, err := os.Stat(p + sbom.Ext); err != nil {
					t.Errorf("%s has no SBOM beside it: %v", rel, err)
				}
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// checkIPK takes a package apart with ar and dpkg-deb and checks its
// architecture and, when bin is set, the machine of that binary.
func checkIPK(t *testing.T, ipk, arch, bin, machine string) {
	t.Helper()
	if m := strings.Fields(run(t, "ar", "t", ipk)); strings.Join(m, " ") != "debian-binary control.tar.gz data.tar.gz" {
		t.Errorf("%s: ar t = %v", filepath.Base(ipk), m)
	}
	// stdout only: dpkg warns that x86_64 is no Debian architecture name.
	info, err := exec.Command("dpkg-deb", "-f", ipk, "Architecture").Output()
	if err != nil || strings.TrimSpace(string(info)) != arch {
		t.Errorf("%s: Architecture %q (%v), want %q", filepath.Base(ipk), strings.TrimSpace(string(info)), err, arch)
	}
	if bin == "" {
		return
	}
	dir := t.TempDir()
	run(t, "dpkg-deb", "-x", ipk, dir)
	if f := run(t, "file", filepath.Join(dir, bin)); !strings.Contains(f, machine) {
		t.Errorf("%s: file %s = %s, want %q", filepath.Base(ipk), bin, f, machine)
	}
}

// optionsRecipe has an option, read by its build, and two output packages.
const optionsRecipe = `name: greeting
version: 2.0-1
summary: Says a configurable greeting
license: MIT
maintainer: Kiln Tests <tests@example.org>
timestamp: 2024-05-01
targets: [x86_64]
options:
  word: {default: hello, choices: [hello, bonjour]}
build: |
  echo "$KILN_OPT_WORD, world" > greeting.txt
  echo "read me" > README
package: |
  install -D -m 644 greeting.txt "$pkgdir/opt/share/greeting/greeting.txt"
  install -D -m 644 README "$pkgdir/opt/share/doc/greeting/README"
packages:
  greeting: {files: ["opt/share/greeting/**"]}
  greeting-doc: {files: ["opt/share/doc/**"], summary: Greeting documentation}
`

// TestBuildxFrontend builds with plain `docker buildx build` on kiln's
// daemon: the recipe's "# syntax=" line hands it to the kiln frontend
// image, and the usual flags keep their meaning.
func TestBuildxFrontend(t *testing.T) {
	requireIntegration(t)
	root := repoRoot(t)
	// The context is a copy of examples/ whose recipes name the frontend
	// image of this machine's registry.
	ctx := t.TempDir()
	copyDir(t, filepath.Join(root, "examples/hello"), filepath.Join(ctx, "examples/hello"))
	withSyntax(t, filepath.Join(root, "examples/hello/kiln.cue"), filepath.Join(ctx, "examples/hello/kiln.cue"))
	writeFiles(t, ctx, map[string]string{"greeting/kiln.yaml": "# syntax=" + frontendImage(t) + "\n" + optionsRecipe})
	// No KILN_APT_MIRROR: the frontend image carries the mirror it was
	// built with (hack/setup.sh).
	common := []string{"build", "--builder", buildxBuilder, "--progress", "plain"}
	bx := func(t *testing.T, args ...string) result {
		t.Helper()
		return mustBuildx(t, ctx, nil, append(append([]string{}, common...), args...)...)
	}

	t.Run("all-targets", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		bx(t, "-f", "examples/hello/kiln.cue", "--output", "type=local,dest="+out, ".")
		want := []string{"hello_1.0.0-1_aarch64.ipk", "hello_1.0.0-1_armv7.ipk", "hello_1.0.0-1_x86_64.ipk"}
		if got := outputs(t, out); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("output = %v, want %v", got, want)
		}
		checkFeed(t, out, want)
		for _, f := range want {
			c := targetChecks[strings.TrimSuffix(strings.TrimPrefix(f, "hello_1.0.0-1_"), ".ipk")]
			checkIPK(t, filepath.Join(out, f), c.arch, "opt/bin/hello", c.file)
		}
		// The frontend and the CLI run the same Build: same bytes.
		cli := t.TempDir()
		mustKiln(t, nil, "build", "examples/hello", "--target", "armv7", "-o", cli, "--progress", "plain")
		if a, b := sha(t, filepath.Join(out, want[1])), sha(t, filepath.Join(cli, want[1])); a != b {
			t.Errorf("%s from buildx (%s) differs from kiln build's (%s)", want[1], a, b)
		}
	})

	t.Run("platforms", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		bx(t, "-f", "examples/hello/kiln.cue", "--platform", "linux/arm64,linux/arm/v7", "--output", "type=local,dest="+out, ".")
		want := []string{"linux_arm64/hello_1.0.0-1_aarch64.ipk", "linux_arm_v7/hello_1.0.0-1_armv7.ipk"}
		if got := outputs(t, out); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("output = %v, want %v", got, want)
		}
		checkFeed(t, filepath.Join(out, "linux_arm64"), want[:1])
		checkFeed(t, filepath.Join(out, "linux_arm_v7"), want[1:])
		checkIPK(t, filepath.Join(out, want[0]), "aarch64", "opt/bin/hello", "ARM aarch64")
		checkIPK(t, filepath.Join(out, want[1]), "armv7", "opt/bin/hello", "ARM, EABI5")

		// One platform: the files straight in the destination.
		one := filepath.Join(t.TempDir(), "one")
		r := bx(t, "-f", "examples/hello/kiln.cue", "--platform", "linux/amd64", "--output", "type=local,dest="+one, ".")
		if got := outputs(t, one); strings.Join(got, " ") != "hello_1.0.0-1_x86_64.ipk" {
			t.Errorf("--platform linux/amd64: output = %v", got)
		}
		if strings.Contains(r.stderr, "does not match result platform") {
			t.Errorf("platform warning:\n%s", tail(r.stderr, 20))
		}
	})

	// An unchanged recipe of this repository, the repository as context:
	// BUILDKIT_SYNTAX stands in for the "# syntax=" line.
	t.Run("buildkit-syntax-arg", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		args := append(append([]string{}, common...), "-f", "examples/hello/kiln.cue", "--build-arg", "BUILDKIT_SYNTAX="+frontendImage(t),
			"--platform", "linux/arm/v7", "--output", "type=local,dest="+out, ".")
		mustBuildx(t, root, nil, args...)
		if got := outputs(t, out); strings.Join(got, " ") != "hello_1.0.0-1_armv7.ipk" {
			t.Fatalf("output = %v", got)
		}
		checkIPK(t, filepath.Join(out, "hello_1.0.0-1_armv7.ipk"), "armv7", "opt/bin/hello", "ARM, EABI5")
	})

	// --target picks a format; a noarch recipe builds noarch for any platform.
	t.Run("format-target", func(t *testing.T) {
		bxRoot := func(out string, args ...string) {
			args = append(append(append([]string{}, common...), "-f", "examples/motd/kiln.cue", "--build-arg", "BUILDKIT_SYNTAX="+frontendImage(t)),
				append(args, "--output", "type=local,dest="+out, ".")...)
			mustBuildx(t, root, nil, args...)
		}
		out := filepath.Join(t.TempDir(), "spk")
		bxRoot(out, "--target", "spk", "--platform", "linux/arm64")
		if got := outputs(t, out); strings.Join(got, " ") != "motd-1.1-1.spk" {
			t.Fatalf("--target spk: output = %v", got)
		}
		if m := run(t, "tar", "tf", filepath.Join(out, "motd-1.1-1.spk")); !strings.Contains(m, "INFO") || !strings.Contains(m, "package.tgz") {
			t.Errorf("spk members:\n%s", m)
		}
		out = filepath.Join(t.TempDir(), "zip")
		bxRoot(out, "--target", "motd/syspkg")
		if got := outputs(t, out); strings.Join(got, " ") != "motd-1.1.0-any.zip" {
			t.Fatalf("--target motd/syspkg: output = %v", got)
		}
		if l := run(t, "unzip", "-l", filepath.Join(out, "motd-1.1.0-any.zip")); !strings.Contains(l, "motd") {
			t.Errorf("unzip -l:\n%s", l)
		}
	})

	// The context's targets/ beside the recipe defines the target the
	// recipe builds for, as with the CLI; --platform picks it.
	t.Run("user-target", func(t *testing.T) {
		writeFiles(t, ctx, map[string]string{
			"devices/targets/boards.yaml": "targets:\n  board: {extends: x86_64, description: A test board, formats: {ipk: {arch: board}}}\n",
			"devices/greeting/kiln.yaml": "# syntax=" + frontendImage(t) + "\n" +
				strings.Replace(optionsRecipe, "targets: [x86_64]", "targets: [board]", 1),
		})
		out := filepath.Join(t.TempDir(), "out")
		bx(t, "-f", "devices/greeting/kiln.yaml", "--target", "greeting", "--platform", "linux/amd64", "--output", "type=local,dest="+out, ".")
		ipk := filepath.Join(out, "greeting_2.0-1_board.ipk")
		if a, err := exec.Command("dpkg-deb", "-f", ipk, "Architecture").Output(); err != nil || strings.TrimSpace(string(a)) != "board" {
			t.Errorf("%s: Architecture %q, %v (outputs %v)", ipk, a, err, outputs(t, out))
		}
	})

	// A named context replaces the toolchains' base image, as it replaces
	// a Dockerfile's FROM; the packages are the same bytes.
	t.Run("named-context", func(t *testing.T) {
		plain := filepath.Join(t.TempDir(), "plain")
		bx(t, "-f", "greeting/kiln.yaml", "--target", "greeting", "--output", "type=local,dest="+plain, ".")
		named := filepath.Join(t.TempDir(), "named")
		r := bx(t, "-f", "greeting/kiln.yaml", "--target", "greeting",
			"--build-context", "debian:bookworm=docker-image://"+registry()+"/library/debian:bookworm",
			"--output", "type=local,dest="+named, ".")
		if !strings.Contains(r.stderr, "[context debian:bookworm] load metadata for "+registry()+"/library/debian:bookworm") {
			t.Errorf("the named context was not used:\n%s", tail(r.stderr, 40))
		}
		const ipk = "greeting_2.0-1_x86_64.ipk"
		if a, b := sha(t, filepath.Join(plain, ipk)), sha(t, filepath.Join(named, ipk)); a != b {
			t.Errorf("%s differs with the named context: %s, %s", ipk, a, b)
		}
	})

	t.Run("build-arg-and-target", func(t *testing.T) {
		greeting := func(ipk string) string {
			dir := t.TempDir()
			run(t, "dpkg-deb", "-x", ipk, dir)
			return strings.TrimSpace(readFile(t, filepath.Join(dir, "opt/share/greeting/greeting.txt")))
		}
		out := filepath.Join(t.TempDir(), "default")
		bx(t, "-f", "greeting/kiln.yaml", "--output", "type=local,dest="+out, ".")
		if got := outputs(t, out); strings.Join(got, " ") != "greeting-doc_2.0-1_x86_64.ipk greeting_2.0-1_x86_64.ipk" {
			t.Fatalf("output = %v", got)
		}
		if g := greeting(filepath.Join(out, "greeting_2.0-1_x86_64.ipk")); g != "hello, world" {
			t.Errorf("default option: greeting.txt = %q", g)
		}

		out = filepath.Join(t.TempDir(), "bonjour")
		bx(t, "-f", "greeting/kiln.yaml", "--build-arg", "word=bonjour", "--target", "greeting", "--output", "type=local,dest="+out, ".")
		if got := outputs(t, out); strings.Join(got, " ") != "greeting_2.0-1_x86_64.ipk" {
			t.Fatalf("--target greeting: output = %v", got)
		}
		ipk := filepath.Join(out, "greeting_2.0-1_x86_64.ipk")
		checkFeed(t, out, []string{"greeting_2.0-1_x86_64.ipk"}) // the feed of what was selected
		checkIPK(t, ipk, "x86_64", "", "")
		if g := greeting(ipk); g != "bonjour, world" {
			t.Errorf("--build-arg word=bonjour: greeting.txt = %q", g)
		}

		out = filepath.Join(t.TempDir(), "doc")
		bx(t, "-f", "greeting/kiln.yaml", "--target", "greeting-doc", "--output", "type=local,dest="+out, ".")
		if got := outputs(t, out); strings.Join(got, " ") != "greeting-doc_2.0-1_x86_64.ipk" {
			t.Fatalf("--target greeting-doc: output = %v", got)
		}
		if list := run(t, "dpkg-deb", "-c", filepath.Join(out, "greeting-doc_2.0-1_x86_64.ipk")); !strings.Contains(list, "./opt/share/doc/greeting/README") || strings.Contains(list, "greeting.txt") {
			t.Errorf("greeting-doc holds:\n%s", list)
		}

		// --call targets lists what --target accepts.
		r := bx(t, "-f", "greeting/kiln.yaml", "--call", "targets", ".")
		for _, want := range []string{"greeting ", "greeting-doc", "Greeting documentation", "ipk"} {
			if !strings.Contains(r.stdout+r.stderr, want) {
				t.Errorf("--call targets lacks %q:\n%s", want, r.stdout)
			}
		}
	})

	t.Run("bad-input", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--build-arg", "colour=red"}, `--build-arg colour: the recipe has no option "colour" (options: word`},
			{[]string{"--build-arg", "word=salut"}, `option word="salut" is not one of its choices`},
			{[]string{"--target", "nosuch"}, `target "nosuch": no output package or format`},
			{[]string{"--platform", "linux/s390x"}, "platform linux/s390x: no kiln target builds for it"},
		} {
			args := append(append([]string{"-f", "greeting/kiln.yaml"}, c.args...), "--output", "type=local,dest="+t.TempDir(), ".")
			r := buildx(t, ctx, nil, append(append([]string{}, common...), args...)...)
			if r.err == nil || !strings.Contains(r.stderr, c.want) {
				t.Errorf("%v: err=%v, want an error containing %q:\n%s", c.args, r.err, c.want, tail(r.stderr, 15))
			}
		}
		// A recipe error points at the recipe line.
		writeFiles(t, ctx, map[string]string{"broken/kiln.yaml": "# syntax=" + frontendImage(t) + "\n" +
			strings.Replace(optionsRecipe, "version: 2.0-1", "version: not a version!", 1)})
		r := buildx(t, ctx, nil, append(append([]string{}, common...), "-f", "broken/kiln.yaml", "--output", "type=local,dest="+t.TempDir(), ".")...)
		if r.err == nil || !strings.Contains(r.stderr, "kiln.yaml:3:") || !strings.Contains(r.stderr, "version") {
			t.Errorf("broken recipe: err=%v, want kiln.yaml:3: ... version:\n%s", r.err, tail(r.stderr, 15))
		}
	})
}

// TestBuildctlGateway: the frontend image without any "# syntax=" line,
// chosen on the command line as BuildKit's gateway frontend.
func TestBuildctlGateway(t *testing.T) {
	requireIntegration(t)
	root := repoRoot(t)
	addr := strings.TrimSpace(mustKiln(t, nil, "daemon", "addr").stdout)
	out := t.TempDir()
	cmd := exec.Command("buildctl", "--addr", addr, "build", "--progress", "plain",
		"--frontend", "gateway.v0", "--opt", "source="+frontendImage(t),
		"--local", "context="+filepath.Join(root, "examples/hello"),
		"--local", "dockerfile="+filepath.Join(root, "examples/hello"),
		"--opt", "build-arg:KILN_APT_MIRROR="+aptMirror(t),
		"--opt", "platform=linux/arm/v7",
		"--output", "type=local,dest="+out)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("buildctl: %v\n%s", err, tail(string(b), 40))
	}
	if got := outputs(t, out); strings.Join(got, " ") != "hello_1.0.0-1_armv7.ipk" {
		t.Fatalf("output = %v", got)
	}
	checkIPK(t, filepath.Join(out, "hello_1.0.0-1_armv7.ipk"), "armv7", "opt/bin/hello", "ARM, EABI5")
	// The frontend pins the toolchain's base image as the CLI does: the
	// SBOM inside the package records the digest the registry serves.
	inside := run(t, "bash", "-c", `ar p "$1" data.tar.gz | tar -xzOf - ./usr/share/kiln/sbom/hello.spdx.json`, "sh",
		filepath.Join(out, "hello_1.0.0-1_armv7.ipk"))
	doc, err := sbom.Read(strings.NewReader(inside))
	if err != nil {
		t.Fatal(err)
	}
	if sbom.ToolchainDigest(doc) == "" {
		t.Error("the frontend's SBOM records no toolchain image digest")
	}
	checkToolchainDigest(t, "hello_1.0.0-1_armv7.ipk", doc, map[string]string{})
}

// TestBuildxLocalCache: a build exports its cache with
// --cache-to type=local; a second, empty buildkitd given that cache with
// --cache-from builds the same recipe without running a single step.
func TestBuildxLocalCache(t *testing.T) {
	requireIntegration(t)
	ctx := t.TempDir()
	// A fresh marker makes the first build really run its build step.
	recipe := strings.Replace(optionsRecipe, "name: greeting", "name: cached", 1)
	recipe = strings.Replace(recipe, "read me", fmt.Sprintf("read me %d", time.Now().UnixNano()), 1)
	writeFiles(t, ctx, map[string]string{"kiln.yaml": "# syntax=" + frontendImage(t) + "\n" + recipe})
	cache := filepath.Join(t.TempDir(), "cache")
	common := []string{"build", "--progress", "plain", "-f", "kiln.yaml", "--build-arg", "KILN_APT_MIRROR=" + aptMirror(t)}

	out1 := filepath.Join(t.TempDir(), "out")
	r1 := mustBuildx(t, ctx, nil, append(common, "--builder", buildxBuilder, "--cache-to", "type=local,dest="+cache, "--output", "type=local,dest="+out1, ".")...)
	if !ranStep(r1.stderr, "cached [x86_64] build") {
		t.Fatalf("first build did not run its build step:\n%s", tail(r1.stderr, 40))
	}

	// A second daemon with nothing in its state, reached by its own builder.
	second := startDaemon(t, buildkitd.Options{})
	cfg := t.TempDir()
	if plugin, err := exec.LookPath("docker-buildx"); err == nil {
		os.MkdirAll(filepath.Join(cfg, "cli-plugins"), 0o755)
		if err := os.Symlink(plugin, filepath.Join(cfg, "cli-plugins", "docker-buildx")); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"DOCKER_CONFIG=" + cfg}
	mustBuildx(t, ctx, env, "create", "--name", "empty", "--driver", "remote", second.Remote.Addr)
	out2 := filepath.Join(t.TempDir(), "out")
	r2 := mustBuildx(t, ctx, env, append(common, "--builder", "empty", "--cache-from", "type=local,src="+cache, "--output", "type=local,dest="+out2, ".")...)
	for _, step := range []string{"toolchain x86_64", "cached [x86_64] build", "cached [x86_64] package", "cached [x86_64] pack greeting_2.0-1_x86_64.ipk"} {
		if ranStep(r2.stderr, step) {
			t.Errorf("second daemon ran %q instead of taking it from the imported cache", step)
		}
		if !strings.Contains(r2.stderr, step) {
			t.Errorf("second build does not show step %q", step)
		}
	}
	if t.Failed() {
		t.Logf("second build:\n%s", tail(r2.stderr, 60))
	}
	for _, f := range outputs(t, out1) {
		if a, b := sha(t, filepath.Join(out1, f)), sha(t, filepath.Join(out2, f)); a != b {
			t.Errorf("%s differs between the daemons: %s vs %s", f, a, b)
		}
	}
}

// ranStep reports whether a plain progress log shows the step named
// (a prefix of the vertex name) running rather than CACHED.
func ranStep(log, name string) bool {
	ids := map[string]bool{}
	for _, line := range strings.Split(log, "\n") {
		f := strings.SplitN(line, " ", 2)
		if len(f) == 2 && strings.HasPrefix(f[0], "#") && strings.HasPrefix(f[1], name) {
			ids[f[0]] = true
		}
	}
	for _, line := range strings.Split(log, "\n") {
		f := strings.SplitN(line, " ", 2)
		if len(f) == 2 && ids[f[0]] && strings.HasPrefix(f[1], "DONE") {
			return true
		}
	}
	return false
}

// TestBuildxImage: --target oci makes the gateway frontend return greet's
// container image, which buildx exports as an OCI layout, one manifest
// per --platform.
func TestBuildxImage(t *testing.T) {
	requireIntegration(t)
	serveGreet(t)
	root := repoRoot(t)
	ctx := t.TempDir()
	copyDir(t, filepath.Join(root, "examples/greet"), filepath.Join(ctx, "greet"))
	withSyntax(t, filepath.Join(root, "examples/greet/kiln.yaml"), filepath.Join(ctx, "greet/kiln.yaml"))
	tarball := filepath.Join(t.TempDir(), "greet.oci.tar")
	mustBuildx(t, ctx, nil, "build", "--builder", buildxBuilder, "--progress", "plain", "--build-arg", "KILN_APT_MIRROR="+aptMirror(t),
		"-f", "greet/kiln.yaml", "--target", "oci", "--platform", "linux/arm64,linux/arm/v7", "--sbom=true",
		"--output", "type=oci,dest="+tarball+",rewrite-timestamp=true", ".")
	var top ocispecs.Index
	if err := json.Unmarshal([]byte(run(t, "tar", "-xOf", tarball, "index.json")), &top); err != nil || len(top.Manifests) != 1 {
		t.Fatalf("index.json: %v %+v", err, top)
	}
	var idx ocispecs.Index
	blob := "blobs/sha256/" + top.Manifests[0].Digest.Encoded()
	if err := json.Unmarshal([]byte(run(t, "tar", "-xOf", tarball, blob)), &idx); err != nil {
		t.Fatal(err)
	}
	var plats []string
	for _, m := range idx.Manifests {
		if m.Platform != nil && m.Platform.OS == "linux" {
			plats = append(plats, m.Platform.Architecture+m.Platform.Variant)
		}
	}
	sort.Strings(plats)
	if strings.Join(plats, " ") != "arm64 armv7" {
		t.Errorf("image platforms %v, want arm64 and arm/v7", plats)
	}
	checkImageSBOMs(t, tarball, idx)
}

// checkImageSBOMs: with --sbom, each platform's image has an attestation
// manifest whose SPDX statement is the SBOM of the greet package unpacked
// into that image, valid SPDX 2.3.
func checkImageSBOMs(t *testing.T, tarball string, idx ocispecs.Index) {
	t.Helper()
	blob := func(d digest.Digest, v any) {
		if err := json.Unmarshal([]byte(run(t, "tar", "-xOf", tarball, "blobs/sha256/"+d.Encoded())), v); err != nil {
			t.Fatalf("blob %s: %v", d, err)
		}
	}
	found := 0
	for _, m := range idx.Manifests {
		if m.Annotations["vnd.docker.reference.type"] != "attestation-manifest" {
			continue
		}
		var man ocispecs.Manifest
		blob(m.Digest, &man)
		for _, l := range man.Layers {
			if l.Annotations["in-toto.io/predicate-type"] != "https://spdx.dev/Document" {
				continue
			}
			var st struct{ Predicate json.RawMessage }
			blob(l.Digest, &st)
			if err := sbomtest.Validate(st.Predicate); err != nil {
				t.Errorf("attestation %s: not valid SPDX 2.3: %v", l.Digest, err)
				continue
			}
			doc, err := sbom.Read(bytes.NewReader(st.Predicate))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Packages[0].PackageName == "greet" && sbom.ToolchainDigest(doc) != "" {
				found++
			}
		}
	}
	if found != 2 {
		t.Errorf("%d SPDX attestations of greet with its toolchain's digest, want one per platform (2)", found)
	}
}
