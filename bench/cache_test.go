package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/buildkitd"
)

// BenchmarkSharedCache: a cold build of the examples (every target) on an
// empty daemon A that exports its cache to the registry (mode=max), then
// the same build on another empty daemon B importing that cache. The
// ratio is B's time over A's; goal: <= 0.25.
func BenchmarkSharedCache(b *testing.B) {
	kiln := os.Getenv("KILN_BIN")
	if kiln == "" || os.Getenv("KILN_BUILDKITD") == "" {
		b.Skip("KILN_BIN and KILN_BUILDKITD are not set (run make bench)")
	}
	registry := os.Getenv("KILN_REGISTRY")
	if registry == "" {
		registry = "127.0.0.1:5000"
	}
	dirs := exampleDirs()
	for i := 0; i < b.N; i++ {
		ref := fmt.Sprintf("%s/kiln-bench/cache:run-%d", registry, time.Now().UnixNano())
		a := startDaemon(b)
		outA := b.TempDir()
		cpu := startCPU()
		tA, sumA, logA := timedBuildLog(b, kiln, a.Remote.Addr, outA, dirs, "--progress", "plain", "--cache-to", "type=registry,ref="+ref+",mode=max")
		firstBuildReport(tA, cpu.busy(), sumA, logA)
		a.Stop()
		d := startDaemon(b)
		outB := b.TempDir()
		tB, sumB := timedBuild(b, kiln, d.Remote.Addr, outB, dirs, "--cache-from", "type=registry,ref="+ref)
		d.Stop()
		if !sameFiles(b, outA, outB) {
			b.Fatalf("daemon B's packages differ from daemon A's")
		}
		ratio := tB.Seconds() / tA.Seconds()
		b.ReportMetric(tA.Seconds(), "cold-s")
		b.ReportMetric(tB.Seconds(), "imported-s")
		b.ReportMetric(ratio, "ratio")
		fmt.Printf("shared cache: cold build of examples on empty daemon A (--cache-to registry, mode=max) %.1fs [%s]\n", tA.Seconds(), sumA)
		fmt.Printf("shared cache: same build on empty daemon B (--cache-from A's cache) %.1fs [%s]\n", tB.Seconds(), sumB)
		fmt.Printf("shared cache: ratio B/A %.3f (goal <= 0.25)\n", ratio)
	}
}

func exampleDirs() []string {
	examples, _ := filepath.Glob(filepath.Join(repoRoot(), "examples", "*", "kiln.*"))
	var dirs []string
	for _, e := range examples {
		dirs = append(dirs, filepath.Dir(e))
	}
	return dirs
}

// startDaemon starts an empty buildkitd; it is stopped (by PID) when b ends
// at the latest.
func startDaemon(b *testing.B) *buildkitd.Daemon {
	dir, err := os.MkdirTemp("", "kb")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := buildkitd.Start(ctx, buildkitd.Options{Dir: dir})
	if err != nil {
		os.RemoveAll(dir)
		b.Fatal(err)
	}
	b.Cleanup(func() {
		d.Stop()
		os.RemoveAll(dir)
	})
	return d
}

var summaryRe = regexp.MustCompile(`kiln: \d+ packages, .*`)

// timedBuild runs kiln build of dirs on addr and returns its wall time and
// summary line.
func timedBuild(b *testing.B, kiln, addr, out string, dirs []string, extra ...string) (time.Duration, string) {
	d, sum, _ := timedBuildLog(b, kiln, addr, out, dirs, append([]string{"--progress", "quiet"}, extra...)...)
	return d, sum
}

// timedBuildLog is timedBuild returning kiln's standard error too.
func timedBuildLog(b *testing.B, kiln, addr, out string, dirs []string, extra ...string) (time.Duration, string, string) {
	args := append([]string{"build", "--target", "all", "-o", out, "--addr", addr}, extra...)
	cmd := command(kiln, append(args, dirs...)...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("kiln %v: %v\n%s", args, err, errb.String())
	}
	return time.Since(start), summaryRe.FindString(errb.String()), errb.String()
}

// sameFiles reports whether both directories hold the same packages.
func sameFiles(b *testing.B, x, y string) bool {
	hash := func(dir string) map[string][32]byte {
		m := map[string][32]byte{}
		err := filepath.WalkDir(dir, func(f string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, f)
			m[rel] = sha256.Sum256(data)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	hx, hy := hash(x), hash(y)
	if len(hx) == 0 || len(hx) != len(hy) {
		return false
	}
	for k, v := range hx {
		if hy[k] != v {
			return false
		}
	}
	return true
}
