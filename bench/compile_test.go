package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln-build/kiln/llb"
	_ "github.com/kiln-build/kiln/pack/all"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"go.yaml.in/yaml/v3"
)

// genRecipes writes n distinct recipes, alternating YAML and CUE.
func genRecipes(b *testing.B, n int) []string {
	dir := b.TempDir()
	var paths []string
	for i := 0; i < n; i++ {
		d := filepath.Join(dir, fmt.Sprintf("r%03d", i))
		if err := os.MkdirAll(filepath.Join(d, "src"), 0o755); err != nil {
			b.Fatal(err)
		}
		var name, body string
		if i%2 == 0 {
			name = "kiln.yaml"
			body = fmt.Sprintf(`name: pkg%d
version: 1.%d.0-1
summary: Generated package %d
license: MIT
maintainer: Bench <bench@example.org>
timestamp: 2024-05-01T00:00:00Z
targets: [x86_64, aarch64, armv7]
sources:
  - path: src
  - url: https://example.org/pkg%d-1.0.tar.gz
    sha256: "%064x"
    strip: 1
depends: ["libc6 >= 2.31", "pkg%d"]
build: make CC="$CC" -j2
package: make install DESTDIR="$pkgdir"
`, i, i, i, i, i, i+1)
		} else {
			name = "kiln.cue"
			body = fmt.Sprintf(`name: "pkg%d"
version: "2:1.%d~beta1-3"
summary: "Generated package %d"
license: "Apache-2.0"
maintainer: "Bench <bench@example.org>"
timestamp: "2024-05-01"
targets: ["x86_64", "armv7"]
sources: [{path: "src"}, {git: "https://example.org/pkg%d.git", commit: "%040x"}]
build: "make CC=\"$CC\""
package: "make install DESTDIR=\"$pkgdir\""
`, i, i, i, i, i+1)
		}
		if err := os.WriteFile(filepath.Join(d, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, d)
	}
	return paths
}

func loadCompile(b *testing.B, paths []string) {
	rs, err := schema.LoadAll(paths)
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.New(plan.Options{
		Recipes:   rs,
		Toolchain: toolchains.Options{AptMirror: "http://mirror.test/debian"},
		Context: func(r *schema.Recipe) llb.LocalContext {
			return llb.LocalContext{Name: "recipe-" + r.Name, UniqueID: r.Name}
		},
		Packer: llb.Packer{State: bkllb.Local("kiln-packer"), Path: "/kiln"},
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(p.Jobs) == 0 {
		b.Fatal("no jobs")
	}
}

// baseline: reading and YAML-decoding the same files, no schema, no LLB.
func baseline(b *testing.B, paths []string) {
	for _, p := range paths {
		matches, _ := filepath.Glob(filepath.Join(p, "kiln.*"))
		data, err := os.ReadFile(matches[0])
		if err != nil {
			b.Fatal(err)
		}
		var v map[string]any
		_ = yaml.Unmarshal(data, &v) // CUE files are not YAML; reading is the floor
	}
}

// BenchmarkLoadCompile500: load + validate + compile 500 recipes for all
// their targets. Goal: < 1 s.
func BenchmarkLoadCompile500(b *testing.B) {
	paths := genRecipes(b, 500)
	loadCompile(b, paths[:10]) // schema compile once, as in any real run
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		loadCompile(b, paths)
		k := time.Since(start)
		start = time.Now()
		baseline(b, paths)
		base := time.Since(start)
		b.ReportMetric(k.Seconds(), "kiln-s")
		b.ReportMetric(float64(k)/float64(base), "ratio-vs-yaml-read")
		fmt.Printf("load+validate+compile 500 recipes: %.3fs (goal < 1s); reading+YAML-decoding them: %.3fs; ratio %.1f\n",
			k.Seconds(), base.Seconds(), float64(k)/float64(base))
	}
}
