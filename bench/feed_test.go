package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/internal/repogen"
	"github.com/kiln-build/kiln/toolchains"
)

// feedSize is a real feed's size (Entware about 2,700 packages).
const feedSize = 2500

// BenchmarkFeedScale: a generated 2,500-recipe repository (repogen: fan-in
// to core libraries, host: chains six deep, variants, split packages)
// loaded, validated, planned and compiled in process, cold and unchanged,
// and `kiln llb` of it end to end with kiln's peak memory; each figure
// against its goal and against reading+YAML-decoding the same files.
func BenchmarkFeedScale(b *testing.B) {
	dir := b.TempDir()
	paths, err := repogen.Write(dir, feedSize)
	if err != nil {
		b.Fatal(err)
	}
	// kiln llb first, while this process is small: a child's peak
	// memory (rusage) starts from its parent's, which it was forked from.
	llbLine := "  kiln llb end to end: not measured (KILN_BIN not set: run make bench)\n"
	if kiln := os.Getenv("KILN_BIN"); kiln != "" {
		home := b.TempDir() // empty recipe and graph caches: the first run is cold
		llbRun := func() (time.Duration, int64) {
			cmd := command(kiln, "llb", dir)
			cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(home, "cache"))
			cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
			start := time.Now()
			if err := cmd.Run(); err != nil {
				b.Fatalf("kiln llb %s: %v", dir, err)
			}
			return time.Since(start), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024
		}
		cold, coldMiB := llbRun()
		// What the cold run wrote goes to disk first, not during the
		// unchanged runs.
		syscall.Sync()
		var warmMiB int64
		warm := median(b, 5, func() error { _, warmMiB = llbRun(); return nil })
		llbLine = fmt.Sprintf("  kiln llb end to end: cold %.2fs (goal < 1.5s), unchanged %.2fs (goal < 0.5s); peak memory %d MiB, %d MiB (goal < 300 MiB)\n",
			cold.Seconds(), warm.Seconds(), coldMiB, warmMiB)
		b.ReportMetric(cold.Seconds(), "llb-cold-s")
		b.ReportMetric(warm.Seconds(), "llb-warm-s")
	}
	// kiln's recipe and graph caches start empty: the first run is cold,
	// the second finds the repository unchanged.
	b.Setenv("XDG_CACHE_HOME", b.TempDir())
	ctx := context.Background()
	cfg := build.Config{Paths: []string{dir}, Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"}}
	var jobs, ops int
	phases := func() (prepare, def time.Duration, bd *build.Build) {
		start := time.Now()
		bd, err := build.Prepare(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		prepare = time.Since(start)
		d, err := bd.Definition(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ops = len(d.Def)
		return prepare, time.Since(start) - prepare, bd
	}
	loadCompile(b, paths[:10]) // the schema compiled once, as in any run
	coldLoad, coldCompile, first := phases()
	p, err := first.Plan(ctx)
	if err != nil {
		b.Fatal(err)
	}
	jobs = len(p.Jobs)
	first, p = nil, nil
	runtime.GC() // the unchanged run starts as a new process would, not under the cold run's heap
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	warmLoad, warmCompile, _ := phases()
	runtime.ReadMemStats(&after)
	base := median(b, 3, func() error { baseline(b, paths); return nil })
	fmt.Printf("feed of %d recipes (%d jobs, %d LLB ops), in process (build.Prepare, Definition):\n", feedSize, jobs, ops)
	fmt.Printf("  cold:      load+validate+plan+compile %.2fs + marshal+keep %.2fs = %.2fs (goal < 1s)\n",
		coldLoad.Seconds(), coldCompile.Seconds(), (coldLoad + coldCompile).Seconds())
	fmt.Printf("  unchanged: key+checks+graph read %.3fs + decode %.3fs = %.3fs (goal < 0.1s)\n",
		warmLoad.Seconds(), warmCompile.Seconds(), (warmLoad + warmCompile).Seconds())
	fmt.Printf("  unchanged: %d MiB allocated, %d allocations (less load on the collector is less time)\n",
		(after.TotalAlloc-before.TotalAlloc)>>20, after.Mallocs-before.Mallocs)
	fmt.Printf("  reading+YAML-decoding the files: %.3fs; cold ratio %.1f\n", base.Seconds(), float64(coldLoad+coldCompile)/float64(base))

	fmt.Print(llbLine)
}
