package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// genRecipe returns a distinct, valid recipe: even i in YAML, odd in CUE.
// Distinct names, versions and hashes keep any caching from flattering the
// numbers.
func genRecipe(i int) (name string, data []byte) {
	if i%2 == 0 {
		return fmt.Sprintf("r%03d/kiln.yaml", i), fmt.Appendf(nil, `name: pkg%d
version: 1.%d.0-1
summary: Generated package %d
license: MIT
homepage: https://example.org/pkg%d
maintainer: Bench <bench@example.org>
section: utils
timestamp: 2024-05-01T00:00:00Z
targets: [x86_64, aarch64, armv7]
sources:
  - path: src
  - url: https://example.org/pkg%d-1.0.tar.gz
    sha256: "%064x"
    strip: 1
depends: ["libc6 >= 2.31", "pkg%d"]
makedepends: ["build:cmake", "host:zlib >= 1.2"]
build: make CC="$CC" -j2
package: make install DESTDIR="$pkgdir"
`, i, i, i, i, i, i+1, i+1)
	}
	return fmt.Sprintf("r%03d/kiln.cue", i), fmt.Appendf(nil, `name:       "pkg%d"
version:    "2:1.%d~beta1-3"
summary:    "Generated package %d"
license:    "Apache-2.0"
maintainer: "Bench <bench@example.org>"
timestamp:  "2024-05-01"
targets: ["x86_64", "armv7"]
sources: [{path: "src"}, {git: "https://example.org/pkg%d.git", commit: "%040x"}]
depends: ["libc6 >= 2.31", "pkg\(%d)"]
build:   "make CC=\"$CC\""
package: "make install DESTDIR=\"$pkgdir\""
`, i, i, i, i, i+1, i-1)
}

// BenchmarkParse measures one recipe per format, validation included:
// hello is a typical recipe, full uses every field of the model.
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"hello.yaml", "hello.cue", "hello.json", "full.yaml", "full.cue", "full.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "good", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(name, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseInvalid measures the explain path, for a recipe with many
// problems: it re-validates after repairs, so it is several times dearer.
func BenchmarkParseInvalid(b *testing.B) {
	name := filepath.Join("testdata", "bad", "kitchen-sink.yaml")
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Parse(name, data); err == nil {
			b.Fatal("no error")
		}
	}
}

// BenchmarkLoad500 loads 500 distinct recipes (half YAML, half CUE) from
// disk, sequentially and with one goroutine per CPU. The project's budget
// for load + validate + LLB compile of 500 recipes is 1 s.
func BenchmarkLoad500(b *testing.B) {
	dir := b.TempDir()
	var paths []string
	for i := range 500 {
		name, data := genRecipe(i)
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, filepath.Dir(p))
	}
	if _, err := Load(paths[0]); err != nil { // compile the schema outside the timing
		b.Fatal(err)
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			for _, p := range paths {
				if _, err := Load(p); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(paths)), "µs/recipe")
	})
	b.Run("parallel", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			work := make(chan string)
			for range runtime.GOMAXPROCS(0) {
				wg.Go(func() {
					for p := range work {
						if _, err := Load(p); err != nil {
							b.Error(err)
						}
					}
				})
			}
			for _, p := range paths {
				work <- p
			}
			close(work)
			wg.Wait()
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(paths)), "µs/recipe")
	})
}

// genRepo returns a repository file of n distinct recipes sharing
// defaults, in YAML (defaults:) or CUE (#defaults), each recipe using a
// good part of the model: options, variants, split packages, tests.
func genRepo(n int, format string) []byte {
	var b strings.Builder
	if format == "cue" {
		b.WriteString("#defaults: {\n\tlicense: *\"MIT\" | string\n\tmaintainer: \"Bench <bench@example.org>\"\n\ttimestamp: \"2024-05-01\"\n\ttargets: *[\"x86_64\", \"armv7\"] | [...string]\n}\nrecipes: [string]: #defaults\n")
		for i := range n {
			fmt.Fprintf(&b, `recipes: "pkg%d": {
	version: "1.%d.0-1"
	summary: "Generated package %d"
	sources: [{path: "pkg%d"}, {url: "https://example.org/pkg%d.tar.gz", sha256: "%064x", strip: 1}]
	depends: ["libc6 >= 2.31"]
	options: debug: {default: "off", choices: ["on", "off"]}
	variants: [{debug: "off"}, {debug: "on"}]
	build: "make"
	package: "make install DESTDIR=$pkgdir"
	packages: {
		"pkg%d": {files: ["bin:opt/bin/*"], uses: ["pkg%d-lib"]}
		"pkg%d-lib": files: ["lib:opt/lib/*.so*"]
	}
	tests: [{stage: "install", checks: [{path: "/opt/bin/pkg%d", mode: "0755"}, {command: "pkg%d --version", output: "^pkg"}]}]
}
`, i, i, i, i, i, i+1, i, i, i, i, i)
		}
		return []byte(b.String())
	}
	b.WriteString("defaults:\n  license: MIT\n  maintainer: Bench <bench@example.org>\n  timestamp: 2024-05-01\n  targets: [x86_64, armv7]\nrecipes:\n")
	for i := range n {
		fmt.Fprintf(&b, `  pkg%d:
    version: 1.%d.0-1
    summary: Generated package %d
    sources:
      - path: pkg%d
      - url: https://example.org/pkg%d.tar.gz
        sha256: "%064x"
        strip: 1
    depends: [libc6 >= 2.31]
    options:
      debug: {default: "off", choices: ["on", "off"]}
    variants: [{debug: "off"}, {debug: "on"}]
    build: make
    package: make install DESTDIR=$pkgdir
    packages:
      pkg%d: {files: ["bin:opt/bin/*"], uses: [pkg%d-lib]}
      pkg%d-lib: {files: ["lib:opt/lib/*.so*"]}
    tests:
      - stage: install
        checks:
          - {path: /opt/bin/pkg%d, mode: "0755"}
          - {command: pkg%d --version, output: "^pkg"}
`, i, i, i, i, i, i+1, i, i, i, i, i)
	}
	return []byte(b.String())
}

// BenchmarkRepo20 loads and validates a 20-recipe repository file from
// disk. The budget is 100 ms.
func BenchmarkRepo20(b *testing.B) {
	dir := b.TempDir()
	for _, format := range []string{"yaml", "cue"} {
		file := filepath.Join(dir, "kiln."+format)
		if err := os.WriteFile(file, genRepo(20, format), 0o644); err != nil {
			b.Fatal(err)
		}
		if _, err := LoadRepo(file); err != nil { // compile the schema outside the timing
			b.Fatal(err)
		}
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				rs, err := LoadRepo(file)
				if err != nil || len(rs) != 20 {
					b.Fatal(len(rs), err)
				}
			}
		})
	}
}
