// Package repogen writes synthetic recipe repositories shaped like a real
// feed, for benchmarks at feed scale: a few core libraries most recipes
// link (fan-in), host: dependency chains six deep, one recipe in ten with
// variants, one in five split into several packages, YAML and CUE mixed,
// all for one target as a feed is built per architecture.
// The output depends only on n, so two runs write the same bytes.
package repogen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Core is how many libraries the fan-in points at.
const Core = 10

// Depth is the longest host: chain (recipe i depends on i-1 while
// i%(Depth+1) > 0).
const Depth = 6

// Recipe describes one generated recipe.
type Recipe struct {
	Name     string
	Deps     []string // packages reached through host: makedepends
	Variants bool
	Split    bool
	CUE      bool
}

// Plan returns the n recipes Write would write, in order.
func Plan(n int) []Recipe {
	rs := make([]Recipe, n)
	for i := range rs {
		r := Recipe{Name: fmt.Sprintf("p%04d", i), Variants: i%10 == 3, Split: i%5 == 1, CUE: i%2 == 1}
		if d := i % (Depth + 1); d > 0 {
			r.Deps = append(r.Deps, rs[i-1].devPackage())
			// The core libraries are the chain roots among the first
			// recipes; every chained recipe links one of them too.
			if core := coreLib(i); core != i-1 {
				r.Deps = append(r.Deps, rs[core].devPackage())
			}
		}
		rs[i] = r
	}
	return rs
}

// coreLib picks the core library recipe i links: the roots 0, 7, 14, ...
// below i, spread over the first Core roots.
func coreLib(i int) int {
	roots := (i + Depth) / (Depth + 1) // roots with index < i
	if roots > Core {
		roots = Core
	}
	return (i % roots) * (Depth + 1)
}

// Write writes n recipe directories under dir and returns their paths.
func Write(dir string, n int) ([]string, error) {
	var paths []string
	for _, r := range Plan(n) {
		d := filepath.Join(dir, r.Name)
		if err := os.MkdirAll(filepath.Join(d, "src"), 0o755); err != nil {
			return nil, err
		}
		file, body := "kiln.yaml", r.yaml()
		if r.CUE {
			file, body = "kiln.cue", r.cue()
		}
		if err := os.WriteFile(filepath.Join(d, file), []byte(body), 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(d, "src", "main.c"), []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
			return nil, err
		}
		paths = append(paths, d)
	}
	return paths, nil
}

// devPackage names the package carrying r's headers: split recipes keep
// them in NAME-dev.
func (r Recipe) devPackage() string {
	if r.Split {
		return r.Name + "-dev"
	}
	return r.Name
}

func (r Recipe) makedepends() []string {
	md := []string{"build:zlib1g-dev:target"}
	for _, d := range r.Deps {
		md = append(md, "host:"+d)
	}
	return md
}

func (r Recipe) yaml() string {
	var b strings.Builder
	fmt.Fprintf(&b, `name: %s
version: 1.%d.0-1
summary: Generated package %s
license: MIT
maintainer: Bench <bench@example.org>
timestamp: 2024-05-01T00:00:00Z
targets: [aarch64]
sources:
  - path: src
  - url: https://example.org/%s-1.0.tar.gz
    sha256: "%064x"
makedepends: [%s]
build: $CC -O2 -o %s src/main.c
package: |
  install -D -m 0755 %s "$pkgdir/usr/bin/%s"
  install -D -m 0644 src/main.c "$pkgdir/usr/include/%s.h"
`, r.Name, len(r.Name), r.Name, r.Name, len(r.Name)*7919, quoteAll(r.makedepends(), `"`), r.Name, r.Name, r.Name, r.Name)
	if r.Variants {
		b.WriteString("options:\n  mode: {default: release, choices: [debug, release]}\nvariants: [{mode: debug}, {mode: release}]\n")
	}
	if r.Split {
		fmt.Fprintf(&b, "packages:\n  %s: {files: [\"usr/bin/*\"]}\n  %s-dev: {files: [\"usr/include/*\"]}\n", r.Name, r.Name)
	}
	return b.String()
}

func (r Recipe) cue() string {
	var b strings.Builder
	fmt.Fprintf(&b, `name:       %q
version:    "2:1.%d~beta1-3"
summary:    "Generated package %s"
license:    "Apache-2.0"
maintainer: "Bench <bench@example.org>"
timestamp:  "2024-05-01"
targets: ["aarch64"]
sources: [{path: "src"}, {git: "https://example.org/%s.git", commit: "%040x"}]
makedepends: [%s]
build:   "$CC -O2 -o %s src/main.c"
package: """
	install -D -m 0755 %s "$pkgdir/usr/bin/%s"
	install -D -m 0644 src/main.c "$pkgdir/usr/include/%s.h"
	"""
`, r.Name, len(r.Name), r.Name, r.Name, len(r.Name)*104729, quoteAll(r.makedepends(), `"`), r.Name, r.Name, r.Name, r.Name)
	if r.Variants {
		b.WriteString("options: mode: {default: \"release\", choices: [\"debug\", \"release\"]}\nvariants: [{mode: \"debug\"}, {mode: \"release\"}]\n")
	}
	if r.Split {
		fmt.Fprintf(&b, "packages: {\n\t%q: files: [\"usr/bin/*\"]\n\t%q: files: [\"usr/include/*\"]\n}\n", r.Name, r.Name+"-dev")
	}
	return b.String()
}

func quoteAll(ss []string, q string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = q + s + q
	}
	return strings.Join(out, ", ")
}
