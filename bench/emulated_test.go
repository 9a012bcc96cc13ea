package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// zstd 1.5.4, Debian's source tarball (bookworm), from the Debian mirror
// this machine uses: a real C code base of ~70,000 lines.
const (
	zstdPath   = "pool/main/libz/libzstd/libzstd_1.5.4+dfsg2.orig.tar.xz"
	zstdSHA256 = "8cf4bbb65e77ec348d052c8d6230eba66d435bddf64c8b5be2fcb16880c19953"
)

// BenchmarkCrossVsEmulated: the same compile-heavy recipe (zstd's library
// and program) built for aarch64 with kiln's cross toolchain and with an
// emulated toolchain (arm64 Debian and its native compiler under
// qemu-user, what docker buildx --platform, dalec and melange do), each
// from an empty daemon, end to end. Goal: cross >= 8x faster.
func BenchmarkCrossVsEmulated(b *testing.B) {
	kiln := os.Getenv("KILN_BIN")
	mirror := os.Getenv("KILN_APT_MIRROR")
	if kiln == "" || os.Getenv("KILN_BUILDKITD") == "" || mirror == "" {
		b.Skip("KILN_BIN, KILN_BUILDKITD and KILN_APT_MIRROR are not set (run make bench)")
	}
	repo := zstdRepo(b, strings.TrimSuffix(mirror, "/")+"/"+zstdPath)
	build := func(target string) (time.Duration, string) {
		d := startDaemon(b)
		defer d.Stop()
		out := b.TempDir()
		start := time.Now()
		cmd := command(kiln, "build", "--progress", "quiet", "--target", target, "-o", out, "--addr", d.Remote.Addr, repo)
		var errb strings.Builder
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			b.Fatalf("kiln build --target %s: %v\n%s", target, err, errb.String())
		}
		return time.Since(start), summaryRe.FindString(errb.String())
	}
	for i := 0; i < b.N; i++ {
		cross, cs := build("aarch64")
		emu, es := build("aarch64-emu")
		ratio := emu.Seconds() / cross.Seconds()
		fmt.Printf("cross vs emulated: zstd 1.5.4 for aarch64 from an empty daemon: cross %.1fs [%s], emulated %.1fs [%s]\n", cross.Seconds(), cs, emu.Seconds(), es)
		fmt.Printf("cross vs emulated: cross is %.1fx faster (goal >= 8x)\n", ratio)
		b.ReportMetric(cross.Seconds(), "cross-s")
		b.ReportMetric(emu.Seconds(), "emulated-s")
		b.ReportMetric(ratio, "speedup")
	}
}

// zstdRepo writes a repository with the zstd recipe and the emulated
// target aarch64-emu.
func zstdRepo(b *testing.B, url string) string {
	dir := b.TempDir()
	files := map[string]string{
		"targets/emu.yaml": "targets:\n  aarch64-emu:\n    extends: aarch64\n    toolchain: emulated\n",
		"zstd/kiln.yaml": fmt.Sprintf(`name: zstd
version: 1.5.4-1
summary: Zstandard compression (benchmark)
license: BSD-3-Clause
maintainer: Bench <bench@example.org>
timestamp: 2023-02-10T00:00:00Z
targets: [aarch64, aarch64-emu]
sources:
  - url: %s
    sha256: %s
    strip: 1
build: make -j"$KILN_JOBS" CC="$CC" AR="$AR" lib-release zstd-release
package: |
  install -D -m 0755 programs/zstd "$pkgdir/usr/bin/zstd"
  install -D -m 0644 lib/libzstd.a "$pkgdir/usr/lib/libzstd.a"
`, url, zstdSHA256),
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}
