// Package bench measures kiln against baselines run in the same process:
// ratios, never absolute timings in assertions. Run with `make bench`.
package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// median of n timed runs of f.
func median(b *testing.B, n int, f func() error) time.Duration {
	var ds []time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, k int) bool { return ds[i] < ds[k] })
	return ds[len(ds)/2]
}

// medianPair times f and g alternately n times each and returns both medians.
func medianPair(b *testing.B, n int, f, g func() error) (time.Duration, time.Duration) {
	var fs, gs []time.Duration
	for i := 0; i < n; i++ {
		for _, x := range []struct {
			fn  func() error
			out *[]time.Duration
		}{{f, &fs}, {g, &gs}} {
			start := time.Now()
			if err := x.fn(); err != nil {
				b.Fatal(err)
			}
			*x.out = append(*x.out, time.Since(start))
		}
	}
	for _, ds := range [][]time.Duration{fs, gs} {
		sort.Slice(ds, func(i, k int) bool { return ds[i] < ds[k] })
	}
	return fs[n/2], gs[n/2]
}

func command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = repoRoot()
	cmd.Stderr = os.Stderr
	return cmd
}

func runQuiet(name string, args ...string) error {
	cmd := command(name, args...)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
	}
	return nil
}

// BenchmarkWarmRebuild: a no-op rebuild with kiln (load, compile,
// connect, solve, export) against buildctl solving the very same LLB, for
// the examples (goal: ratio <= 1.10) and a generated 200-recipe
// repository (goal: <= 1.05).
func BenchmarkWarmRebuild(b *testing.B) {
	kiln := os.Getenv("KILN_BIN")
	if kiln == "" {
		b.Skip("KILN_BIN not set (run make bench)")
	}
	addrOut, err := command(kiln, "daemon", "addr").Output()
	if err != nil {
		b.Fatal(err)
	}
	addr := strings.TrimSpace(string(addrOut))
	examples, _ := filepath.Glob(filepath.Join(repoRoot(), "examples", "*", "kiln.*"))
	var dirs []string
	for _, e := range examples {
		dirs = append(dirs, filepath.Dir(e))
	}
	repo := genRepoN(b, b.TempDir(), 200, `echo r02 >out.txt`)
	for i := 0; i < b.N; i++ {
		// Runs alternate, so both see the same machine; medians of many
		// runs, since one is a fraction of a second.
		warmRatio(b, kiln, addr, "examples", "examples-ratio", dirs, 11, 1.10)
		warmRatio(b, kiln, addr, "200-recipe repository", "repo200-ratio", repo, 5, 1.05)
	}
}

// warmRatio builds dirs once, then times no-op rebuilds by kiln and by
// buildctl on the LLB kiln solves, alternately, and prints the medians.
func warmRatio(b *testing.B, kiln, addr, what, unit string, dirs []string, n int, goal float64) {
	out := b.TempDir()
	args := append([]string{"build", "--progress", "quiet", "--target", "all", "-o", out}, dirs...)
	// Warm the cache once.
	if err := runQuiet(kiln, args...); err != nil {
		b.Fatal(err)
	}
	// The same LLB for buildctl, with the locals kiln names on stderr.
	llbCmd := command(kiln, append([]string{"llb", "--pin", "--target", "all"}, dirs...)...)
	var hint strings.Builder
	llbCmd.Stderr = &hint
	def, err := llbCmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	defFile := filepath.Join(b.TempDir(), "def.pb")
	if err := os.WriteFile(defFile, def, 0o644); err != nil {
		b.Fatal(err)
	}
	bcArgs := []string{"--addr", addr, "build", "--progress", "quiet", "--output", "type=local,dest=" + b.TempDir()}
	for _, f := range strings.Fields(hint.String()) {
		if strings.Contains(f, "=") {
			bcArgs = append(bcArgs, "--local", f)
		}
	}
	bcArgs = append([]string{"sh", "-c", `exec buildctl "$@" < ` + defFile, "buildctl"}, bcArgs...)
	k, c := medianPair(b, n, func() error { return runQuiet(kiln, args...) },
		func() error { return runQuiet(bcArgs[0], bcArgs[1:]...) })
	b.ReportMetric(float64(k)/float64(c), unit)
	fmt.Printf("warm no-op rebuild of the %s (median of %d): kiln %.3fs, buildctl %.3fs, ratio %.2f (goal <= %.2f)\n",
		what, n, k.Seconds(), c.Seconds(), float64(k)/float64(c), goal)
}
