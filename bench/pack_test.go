package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/ipk"
	"github.com/kiln-build/kiln/pack/spk"
	"github.com/kiln-build/kiln/pack/syspkg"
)

// packer is one way of packing the tree: a kiln format or a baseline tool.
type packer struct {
	name     string
	baseline string // the packer this one is compared with; "" for a baseline
	run      func(root, out string) (file string, err error)
}

func formatPacker(name, baseline string, f pack.Format) packer {
	p := &pack.Package{
		Name: "bench", Version: "1.0.0-1", Arch: "x86_64", Maintainer: "Bench <bench@example.org>",
		Summary: "Benchmark payload", License: "MIT", Epoch: 1714521600,
	}
	return packer{name, baseline, func(root, out string) (string, error) {
		return pack.WriteFile(f, p, root, out)
	}}
}

func tarPacker(name string, args ...string) packer {
	return packer{name, "", func(root, out string) (string, error) {
		file := filepath.Join(out, name)
		cmd := exec.Command("tar", append(append([]string{}, args...), file, "-C", root, ".")...)
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("tar %v: %v\n%s", args, err, b)
		}
		return file, nil
	}}
}

// BenchmarkPack packs a ~300 MiB tree into every format kiln writes and,
// in the same run, with tar -czf and tar --zstd (the real binaries, their
// default levels). It prints each format's throughput as a ratio of its
// baseline's: gzip-based formats (ipk data.tar.gz, spk package.tgz, syspkg
// deflate) against tar -czf, syspkg zstd against tar --zstd. Goal: >= 1.0.
// KILN_BENCH_RUNS sets the runs per packer (median; default 3). The CPU
// time each packer takes is printed too: on a busy shared machine, where
// parallel compression has no idle core to use, it explains the ratios.
func BenchmarkPack(b *testing.B) {
	root, size, err := payloadTree()
	if err != nil {
		b.Fatal(err)
	}
	runs := 3
	if v, err := strconv.Atoi(os.Getenv("KILN_BENCH_RUNS")); err == nil && v > 0 {
		runs = v
	}
	packers := []packer{
		tarPacker("tar-czf", "-czf"),
		tarPacker("tar-zstd", "--zstd", "-cf"),
		formatPacker("ipk", "tar-czf", ipk.Format{}),
		formatPacker("spk", "tar-czf", spk.Format{}),
		formatPacker("syspkg-zstd", "tar-zstd", syspkg.Format{Compression: "zstd"}),
		formatPacker("syspkg-deflate", "tar-czf", syspkg.Format{Compression: "deflate"}),
	}
	out := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Rounds of every packer in turn, so that a change in the load
		// of a shared machine hits them all alike; then the median.
		all := map[string][]time.Duration{}
		sizes := map[string]int64{}
		sums := map[string]string{}
		cpus := map[string][]time.Duration{}
		for r := 0; r < runs; r++ {
			for _, p := range packers {
				dir := filepath.Join(out, p.name)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					b.Fatal(err)
				}
				start, cpu0 := time.Now(), cpuTime()
				file, err := p.run(root, dir)
				if err != nil {
					b.Fatal(err)
				}
				all[p.name] = append(all[p.name], time.Since(start))
				cpus[p.name] = append(cpus[p.name], cpuTime()-cpu0)
				fi, err := os.Stat(file)
				if err != nil {
					b.Fatal(err)
				}
				sizes[p.name] = fi.Size()
				if p.baseline != "" {
					// kiln's output is a function of the tree: every
					// round must give the same bytes.
					sum := fileSHA256(b, file)
					if prev, ok := sums[p.name]; ok && prev != sum {
						b.Fatalf("%s: round %d gave sha256 %s, an earlier one %s", p.name, r+1, sum, prev)
					}
					sums[p.name] = sum
				}
				os.RemoveAll(dir) // keep the temp dir small
			}
		}
		times, cpu := map[string]time.Duration{}, map[string]time.Duration{}
		for name, ds := range all {
			times[name], cpu[name] = medianOf(ds), medianOf(cpus[name])
		}
		fmt.Printf("packing a %.0f MiB tree, median of %d rounds, GOMAXPROCS %d, load average %s; kiln outputs identical in every round:\n",
			float64(size)/(1<<20), runs, gomaxprocs(), loadAvg())
		for _, p := range packers {
			d := times[p.name]
			line := fmt.Sprintf("  %-15s %6.2fs %7.1f MiB/s  cpu %6.2fs  output %6.1f MiB", p.name, d.Seconds(),
				float64(size)/(1<<20)/d.Seconds(), cpu[p.name].Seconds(), float64(sizes[p.name])/(1<<20))
			if p.baseline != "" {
				ratio := times[p.baseline].Seconds() / d.Seconds()
				line += fmt.Sprintf("  throughput %.2fx %s (goal >= 1.0), cpu per byte %.2fx", ratio, p.baseline,
					cpu[p.name].Seconds()/cpu[p.baseline].Seconds())
				b.ReportMetric(ratio, p.name+"/"+p.baseline)
			}
			fmt.Println(line)
		}
	}
}

func fileSHA256(b *testing.B, file string) string {
	f, err := os.Open(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// loadAvg is the 1-minute load average: the machine may be shared, and
// the figures only mean something next to it.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

func medianOf(ds []time.Duration) time.Duration {
	ds = append([]time.Duration(nil), ds...)
	sort.Slice(ds, func(i, k int) bool { return ds[i] < ds[k] })
	return ds[len(ds)/2]
}

// cpuTime is the user and system time of this process and of the children
// it waited for (tar and the compressor tar waits for): with one packer
// running at a time, the difference around a run is that packer's CPU.
func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}
