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

	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/internal/repogen"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
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
	cache := &schema.Cache{Dir: b.TempDir(), Salt: "bench"}
	var jobs, ops int
	phases := func() (load, compile time.Duration) {
		start := time.Now()
		rs, err := schema.LoadAllCached(paths, cache)
		if err != nil {
			b.Fatal(err)
		}
		load = time.Since(start)
		p, err := plan.New(plan.Options{Recipes: rs, Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"},
			Context: func(r *schema.Recipe) llb.LocalContext {
				return llb.LocalContext{Name: "recipe-" + r.Name, UniqueID: r.Name}
			},
			Packer: llb.Packer{State: bkllb.Local("kiln-packer"), Path: "/kiln"}})
		if err != nil {
			b.Fatal(err)
		}
		st, err := graph.Build(p, graph.Request{})
		if err != nil {
			b.Fatal(err)
		}
		def, err := graph.Marshal(context.Background(), st, false)
		if err != nil {
			b.Fatal(err)
		}
		jobs, ops = len(p.Jobs), len(def.Def)
		return load, time.Since(start) - load
	}
	loadCompile(b, paths[:10]) // the schema compiled once, as in any run
	coldLoad, coldCompile := phases()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	warmLoad, warmCompile := phases()
	runtime.ReadMemStats(&after)
	base := median(b, 3, func() error { baseline(b, paths); return nil })
	fmt.Printf("feed of %d recipes (%d jobs, %d LLB ops), in process:\n", feedSize, jobs, ops)
	fmt.Printf("  cold:      load+validate %.2fs + plan+compile+marshal %.2fs = %.2fs (goal < 1s)\n",
		coldLoad.Seconds(), coldCompile.Seconds(), (coldLoad + coldCompile).Seconds())
	fmt.Printf("  unchanged: load+validate %.2fs + plan+compile+marshal %.2fs = %.2fs (goal < 0.1s)\n",
		warmLoad.Seconds(), warmCompile.Seconds(), (warmLoad + warmCompile).Seconds())
	fmt.Printf("  unchanged: %d MiB allocated, %d allocations (less load on the collector is less time)\n",
		(after.TotalAlloc-before.TotalAlloc)>>20, after.Mallocs-before.Mallocs)
	fmt.Printf("  reading+YAML-decoding the files: %.3fs; cold ratio %.1f\n", base.Seconds(), float64(coldLoad+coldCompile)/float64(base))

	kiln := os.Getenv("KILN_BIN")
	if kiln == "" {
		b.Skip("KILN_BIN not set (run make bench): kiln llb end to end not measured")
	}
	home := b.TempDir() // an empty recipe cache: the first run is cold
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
	warm, warmMiB := llbRun()
	fmt.Printf("  kiln llb end to end: cold %.2fs (goal < 1.5s), unchanged %.2fs (goal < 0.5s); peak memory %d MiB, %d MiB (goal < 300 MiB)\n",
		cold.Seconds(), warm.Seconds(), coldMiB, warmMiB)
	b.ReportMetric(cold.Seconds(), "llb-cold-s")
	b.ReportMetric(warm.Seconds(), "llb-warm-s")
}
