package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// feedRepo is a repository whose recipe app links libgreet, which no
// recipe of it builds: libgreet-dev comes from the feed at url, pinned by
// sum, and brings libgreet, which its entry in the feed depends on.
func feedRepo(url, sum, depends string) string {
	return fmt.Sprintf(`feeds:
  - {url: %s, sha256: %s, arch: armv7}
recipes:
  app:
    version: 1.0-1
    summary: Greets with the feed's libgreet
    license: MIT
    maintainer: Kiln Tests <tests@example.org>
    timestamp: 2024-05-01
    targets: [armv7]
    makedepends: [host:libgreet-dev]
%s    build: |
      cat > app.c <<'EOF'
      #include <stdio.h>
      #include <greet.h>
      int main(void) { char b[64]; greet_message(b, sizeof b, "feed"); printf("%%s %%s\n", b, greet_version()); return 0; }
      EOF
      "$CC" -O2 -I"$SYSROOT/usr/include" -o app app.c -L"$SYSROOT/usr/lib" -lgreet
    package: install -D app "$pkgdir/usr/bin/app"
    tests:
      - stage: install
        checks: [{command: app, output: '^hello, feed! 1\.2\.0$'}]
`, url, sum, depends)
}

// TestFeedDependency: kiln builds examples/libgreet for armv7 into a
// directory, which becomes a real feed served over HTTP on 127.0.0.1. A
// repository pinning that feed's index builds a recipe whose host:
// dependency only the feed has: the daemon fetches the index, kiln reads
// it before planning, and the graph fetches libgreet-dev and libgreet
// (which libgreet-dev depends on in the feed) as http sources pinned by
// the index's sha256s, with no step of its own reaching the network. They
// are installed into $SYSROOT, the binary gains its libgreet dependency
// from the feed's package, and the install test runs it under qemu in a
// root with the feed's libgreet; the test does so on the host too. A
// wrong index sha256 fails naming both digests; a runtime depend on a
// version the feed lacks fails naming it.
func TestFeedDependency(t *testing.T) {
	requireIntegration(t)
	feedDir := t.TempDir()
	mustKiln(t, nil, "build", "examples/libgreet", "--target", "armv7", "-o", feedDir)
	addr := serveAnywhere(t, feedDir)
	url := "http://" + addr + "/Packages.gz"
	sum := sha(t, filepath.Join(feedDir, "Packages.gz"))

	dir, out := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": feedRepo(url, sum, "")})
	def := mustKiln(t, nil, "llb", dir).stdout
	for _, f := range []string{"libgreet-dev_1.2.0-1_armv7.ipk", "libgreet_1.2.0-1_armv7.ipk"} {
		for _, want := range []string{"http://" + addr + "/" + f, "sha256:" + sha(t, filepath.Join(feedDir, f))} {
			if !strings.Contains(def, want) {
				t.Errorf("kiln llb: the graph has no %s (the http source of %s, pinned)", want, f)
			}
		}
	}
	if strings.Contains(def, "feedfetch") {
		t.Error("kiln llb: a step of the graph fetches from the feed itself")
	}
	r := mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	for _, step := range []string{"feed " + url + ": fetch index", "feed " + url + ": fetch libgreet-dev 1.2.0-1",
		"feed " + url + ": fetch libgreet 1.2.0-1", "install libgreet-dev_1.2.0-1_armv7, libgreet_1.2.0-1_armv7 into $SYSROOT",
		"app [armv7] test 0 (install)"} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress shows no step %q", step)
		}
	}
	ipk := filepath.Join(out, "app_1.0-1_armv7.ipk")
	if d := ipkField(t, ipk, "Depends"); d != "libgreet (>= 1.2.0-1)" {
		t.Errorf("app Depends: %q", d)
	}
	// Installed with the feed's libgreet on the host, run under qemu.
	root := extract(t, ipk)
	run(t, "dpkg-deb", "-x", filepath.Join(feedDir, "libgreet_1.2.0-1_armv7.ipk"), root)
	got := run(t, "env", "LD_LIBRARY_PATH="+filepath.Join(root, "usr/lib"), "qemu-arm-static", "-L", "/usr/arm-linux-gnueabihf",
		filepath.Join(root, "usr/bin/app"))
	if strings.TrimSpace(got) != "hello, feed! 1.2.0" {
		t.Errorf("app printed %q", got)
	}

	// A runtime depend on the feed's libgreet-dev: the install test's root
	// gets it and, from its entry's Depends, the feed's libgreet.
	t.Run("install root follows the feed's depends", func(t *testing.T) {
		repo := t.TempDir()
		writeFiles(t, repo, map[string]string{"kiln.yaml": fmt.Sprintf(`feeds:
  - {url: %s, sha256: %s, arch: armv7}
recipes:
  greet-headers:
    version: 1.0-1
    summary: Depends on the feed's libgreet-dev
    license: MIT
    maintainer: Kiln Tests <tests@example.org>
    timestamp: 2024-05-01
    targets: [armv7]
    depends: [libgreet-dev]
    package: install -D -m 644 /dev/null "$pkgdir/usr/share/greet-headers/README"
    tests:
      - stage: install
        checks: [{path: /usr/include/greet.h, exists: true}, {path: /usr/lib/libgreet.so.1, exists: true}]
`, url, sum)})
		r := mustKiln(t, nil, "build", repo, "-o", t.TempDir(), "--progress", "plain")
		if !strings.Contains(r.stderr, "greet-headers [armv7] install 3 package(s) for tests") {
			t.Errorf("the test root does not get greet-headers, libgreet-dev and libgreet:\n%s", tail(r.stderr, 20))
		}
	})
	t.Run("wrong index sha256", func(t *testing.T) {
		wrong := strings.Repeat("cd", 32)
		writeFiles(t, dir, map[string]string{"kiln.yaml": feedRepo(url, wrong, "")})
		r := kiln(t, nil, "build", dir, "-o", t.TempDir(), "--progress", "plain")
		want := "the repository's feed says sha256:" + wrong + " but the downloaded file is sha256:" + sum
		if r.err == nil || !strings.Contains(r.stderr, want) {
			t.Errorf("err %v; output lacks %q:\n%s", r.err, want, tail(r.stderr, 20))
		}
	})
	t.Run("missing version", func(t *testing.T) {
		writeFiles(t, dir, map[string]string{"kiln.yaml": feedRepo(url, sum, "    depends: [libgreet >= 9.0]\n")})
		empty := t.TempDir()
		r := kiln(t, nil, "build", dir, "-o", empty, "--progress", "plain")
		want := "libgreet (>= 9.0): feed " + url + ": no version of libgreet satisfies >= 9.0 (it has 1.2.0-1)"
		if r.err == nil || !strings.Contains(r.stderr, want) {
			t.Errorf("err %v; output lacks %q:\n%s", r.err, want, tail(r.stderr, 20))
		}
		if entries, _ := os.ReadDir(empty); len(entries) != 0 {
			t.Errorf("a failed build wrote %d files", len(entries))
		}
	})
}

// TestBuildxFeed: the repository of TestFeedDependency built with plain
// `docker buildx build`: the frontend reads the feed's index through its
// gateway (fetched by the daemon, pinned by sha256) before planning, as
// the CLI does, and the graph fetches the feed's packages by their
// index's checksums. The package is the CLI's, byte for byte.
func TestBuildxFeed(t *testing.T) {
	requireIntegration(t)
	feedDir := t.TempDir()
	mustKiln(t, nil, "build", "examples/libgreet", "--target", "armv7", "-o", feedDir)
	addr := serveAnywhere(t, feedDir)
	url := "http://" + addr + "/Packages.gz"
	ctx := t.TempDir()
	writeFiles(t, ctx, map[string]string{"kiln.yaml": feedRepo(url, sha(t, filepath.Join(feedDir, "Packages.gz")), "")})
	const ipk = "app_1.0-1_armv7.ipk"

	out := filepath.Join(t.TempDir(), "out")
	r := mustBuildx(t, ctx, nil, "build", "--builder", buildxBuilder, "--progress", "plain",
		"-f", "kiln.yaml", "--build-arg", "BUILDKIT_SYNTAX="+frontendImage(t),
		"--platform", "linux/arm/v7", "--output", "type=local,dest="+out, ".")
	for _, step := range []string{"feed " + url + ": fetch libgreet-dev 1.2.0-1", "feed " + url + ": fetch libgreet 1.2.0-1"} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("the frontend's graph has no step %q:\n%s", step, tail(r.stderr, 30))
		}
	}
	if d := ipkField(t, filepath.Join(out, ipk), "Depends"); d != "libgreet (>= 1.2.0-1)" {
		t.Errorf("app Depends: %q", d)
	}
	cli := t.TempDir()
	mustKiln(t, nil, "build", ctx, "-o", cli)
	if a, b := sha(t, filepath.Join(out, ipk)), sha(t, filepath.Join(cli, ipk)); a != b {
		t.Errorf("%s from buildx (%s) differs from kiln build's (%s)", ipk, a, b)
	}
}
