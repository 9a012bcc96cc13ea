package integration

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSeveralGomod: a recipe with two Go modules, each its own gomod
// source. kiln lock pins both digests (two fetch steps), the build sees
// one module cache holding both modules' dependencies, fetches nothing
// more, and both programs run.
func TestSeveralGomod(t *testing.T) {
	requireIntegration(t)
	dir := t.TempDir()
	sums := strings.Split(readFile(t, filepath.Join(repoRoot(t), "examples/gohello/src/go.sum")), "\n")
	sumsOf := func(prefixes ...string) string {
		var out []string
		for _, l := range sums {
			for _, p := range prefixes {
				if strings.HasPrefix(l, p+" ") {
					out = append(out, l)
				}
			}
		}
		return strings.Join(out, "\n") + "\n"
	}
	writeFiles(t, dir, map[string]string{
		"kiln.yaml": fmt.Sprintf(recipeHead, "twomods") + `sources:
  - path: src
  - gomod: quote
  - gomod: id
build: |
  for m in quote id; do (cd $m && CGO_ENABLED=0 go build -trimpath -o ../bin/$m .); done
package: |
  install -D -m 755 bin/quote "$pkgdir/opt/bin/quote"
  install -D -m 755 bin/id "$pkgdir/opt/bin/id"
`,
		"src/quote/go.mod": "module example.org/quote\n\ngo 1.22\n\nrequire rsc.io/quote/v4 v4.0.1\n\n" +
			"require (\n\tgolang.org/x/text v0.0.0-20170915032832-14c0d48ead0c // indirect\n\trsc.io/sampler v1.3.0 // indirect\n)\n",
		"src/quote/go.sum":  sumsOf("rsc.io/quote/v4", "rsc.io/sampler", "golang.org/x/text"),
		"src/quote/main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"rsc.io/quote/v4\"\n)\n\nfunc main() { fmt.Println(quote.Go()) }\n",
		"src/id/go.mod":     "module example.org/id\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
		"src/id/go.sum":     sumsOf("github.com/google/uuid"),
		"src/id/main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/google/uuid\"\n)\n\n" +
			"func main() { fmt.Println(uuid.NewSHA1(uuid.NameSpaceURL, []byte(\"kiln\"))) }\n",
	})

	mustKiln(t, nil, "lock", dir)
	locked := readFile(t, filepath.Join(dir, "kiln.yaml"))
	if n := len(regexp.MustCompile(`(?m)^  - digest: "sha256:[0-9a-f]{64}"$`).FindAllString(locked, -1)); n != 2 {
		t.Fatalf("kiln lock pinned %d digests, want 2:\n%s", n, locked)
	}
	out := t.TempDir()
	r := mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	if !strings.Contains(r.stderr, "(fetch steps: 0 of 2 run)") {
		t.Errorf("the build fetched again after kiln lock:\n%s", tail(r.stderr, 5))
	}
	if !strings.Contains(r.stderr, "twomods gomod: the trees of 2 sources merged") {
		t.Errorf("the build does not merge the two module caches:\n%s", tail(r.stderr, 30))
	}
	x := t.TempDir()
	run(t, "dpkg-deb", "-x", filepath.Join(out, "twomods_1.0-1_x86_64.ipk"), x)
	if got := run(t, filepath.Join(x, "opt/bin/quote")); !strings.Contains(got, "Don't communicate by sharing memory") {
		t.Errorf("quote printed %q", got)
	}
	const uuid = "53f8b315-3f19-5a81-9257-9fda522dfe5c" // uuid.NewSHA1(NameSpaceURL, "kiln")
	if got := run(t, filepath.Join(x, "opt/bin/id")); strings.TrimSpace(got) != uuid {
		t.Errorf("id printed %q", got)
	}
}
