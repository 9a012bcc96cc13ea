package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// genRepo writes a 20-recipe repository (genRepoN).
func genRepo(b *testing.B, dir, build string) []string { return genRepoN(b, dir, 20, build) }

// genRepoN writes an n-recipe repository: r00..r04 are libraries, every
// other recipe rN depends on library r(N%5) through host: makedepends.
// build is the build script of recipe r02, which the benchmark changes.
func genRepoN(b *testing.B, dir string, n int, build string) []string {
	var paths []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("r%02d", i)
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(d, "src"), 0o755); err != nil {
			b.Fatal(err)
		}
		deps, script := "", fmt.Sprintf(`echo "%s" >out.txt`, name)
		if i >= 5 {
			deps = fmt.Sprintf("makedepends: [\"host:r%02d\"]\n", i%5)
			script = fmt.Sprintf(`cat "$SYSROOT/usr/share/r%02d/out.txt" >out.txt; echo %s >>out.txt`, i%5, name)
		}
		if i == 2 {
			script = build
		}
		body := fmt.Sprintf(`name: %s
version: 1.0-1
summary: Repository benchmark recipe %d
license: MIT
maintainer: Bench <bench@example.org>
timestamp: 2024-05-01T00:00:00Z
targets: [x86_64]
%ssources: [{path: src}]
build: %q
package: install -D -m 0644 out.txt "$pkgdir/usr/share/%s/out.txt"
`, name, i, deps, script, name)
		files := map[string]string{"kiln.yaml": body, "src/README": name + "\n"}
		for f, data := range files {
			if err := os.WriteFile(filepath.Join(d, f), []byte(data), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		paths = append(paths, d)
	}
	return paths
}

var (
	summaryRE = regexp.MustCompile(`(\d+) steps: (\d+) cached, (\d+) run, (\d+) checked`)
	stepRE    = regexp.MustCompile(`(?m)^#(\d+) (.+)$`)
	fileStep  = regexp.MustCompile(`(metadata|split spec|checks|step specs)$`)
)

// ranRecipes names the recipes whose steps executed (were not cached) in
// a plain progress log.
func ranRecipes(log string) []string {
	names := map[string]string{}
	done := map[string]bool{}
	for _, m := range stepRE.FindAllStringSubmatch(log, -1) {
		id, rest := m[1], m[2]
		switch {
		case rest == "DONE" || strings.HasPrefix(rest, "DONE "):
			done[id] = true
		case rest == "CACHED":
			delete(names, id)
			names[id+"-cached"] = ""
		case names[id] == "" && !strings.HasPrefix(rest, "0.") && !strings.HasPrefix(rest, "["):
			if _, cached := names[id+"-cached"]; !cached {
				names[id] = rest
			}
		}
	}
	set := map[string]bool{}
	for id, name := range names {
		// File steps (metadata, specs) are re-checked every build, never
		// reported cached; only commands say what re-ran.
		if done[id] && strings.HasPrefix(name, "r") && strings.Contains(name, " [x86_64] ") && !fileStep.MatchString(name) {
			set[strings.Fields(name)[0]] = true
		}
	}
	var out []string
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// BenchmarkRepoChange: in a 20-recipe repository, changing one library's
// build script re-runs only that recipe and its dependents; and loading,
// validating and compiling the repository stays under 100 ms.
func BenchmarkRepoChange(b *testing.B) {
	kiln := os.Getenv("KILN_BIN")
	if kiln == "" {
		b.Skip("KILN_BIN not set (run make bench)")
	}
	dir := b.TempDir()
	paths := genRepo(b, dir, `echo r02 >out.txt`)
	build := func() (string, time.Duration) {
		start := time.Now()
		cmd := command(kiln, append([]string{"build", "--progress", "plain", "-o", b.TempDir()}, paths...)...)
		var errb strings.Builder
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			b.Fatalf("kiln build: %v\n%s", err, errb.String())
		}
		return errb.String(), time.Since(start)
	}
	build() // warm
	_, noop := build()
	genRepo(b, dir, fmt.Sprintf(`echo "r02 changed %d" >out.txt`, time.Now().UnixNano()))
	log, changed := build()
	m := summaryRE.FindStringSubmatch(log)
	if m == nil {
		b.Fatalf("no summary in:\n%s", log)
	}
	ran := ranRecipes(log)
	want := []string{"r02", "r07", "r12", "r17"}
	fmt.Printf("repository of 20 recipes, r02's build changed: %s; recipes re-run: %v (want %v)\n", m[0], ran, want)
	fmt.Printf("  rebuild after the change %.2fs vs no-op rebuild %.2fs: ratio %.2f\n", changed.Seconds(), noop.Seconds(), changed.Seconds()/noop.Seconds())
	if strings.Join(ran, " ") != strings.Join(want, " ") {
		b.Errorf("re-run recipes %v, want %v", ran, want)
	}

	loadCompile(b, paths) // schema compiled once, as in any run
	d := median(b, 5, func() error { loadCompile(b, paths); return nil })
	base := median(b, 5, func() error { baseline(b, paths); return nil })
	fmt.Printf("load+validate+compile of the 20-recipe repository: %.1f ms (goal < 100 ms); reading+YAML-decoding it: %.1f ms; ratio %.1f\n",
		float64(d.Microseconds())/1000, float64(base.Microseconds())/1000, float64(d)/float64(base))
	b.ReportMetric(float64(d.Microseconds())/1000, "compile-ms")
}
