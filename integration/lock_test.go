package integration

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/treedigest"
)

// TestLock: kiln lock turns a git tag into its commit, fills a url
// source's sha256 and a fixed-output source's digest, through the daemon,
// against a local git repository and local HTTP; --dry-run prints them
// and keeps the file; the locked recipe builds.
func TestLock(t *testing.T) {
	requireIntegration(t)
	base := t.TempDir()
	git := gitRepo(t, filepath.Join(base, "tool.git"), map[string]string{"tool.txt": "tool v1\n"})
	git("tag", "-a", "v1.0", "-m", "release 1.0") // annotated: lock wants the commit, not the tag object
	tagged := git("rev-parse", "v1.0^{commit}")
	writeFiles(t, filepath.Join(base, "tool.git"), map[string]string{"tool.txt": "tool v2\n"})
	git("commit", "-q", "-am", "after the tag")
	gitURL := gitDaemon(t, base)

	httpURL, _ := countingServer(t, map[string]string{"data.bin": "payload\n", "extra.txt": "extra\n"})
	want := t.TempDir()
	writeFiles(t, want, map[string]string{"extra.txt": "extra\n"})
	wantDigest, err := treedigest.Of(want)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	recipe := fmt.Sprintf(recipeHead, "locked") + fmt.Sprintf(`# sources to lock
sources:
  - git: %s/tool.git  # upstream
    ref: v1.0
    dest: tool
  - url: %s/data.bin
    extract: false
  - script: |
      umask 022
      curl -fsS -o extra.txt %s/extra.txt
    network: true
    dest: extra
package: |
  install -D -m 644 tool/tool.txt "$pkgdir/usr/share/locked/tool.txt"
  install -D -m 644 data.bin "$pkgdir/usr/share/locked/data.bin"
  install -D -m 644 extra/extra.txt "$pkgdir/usr/share/locked/extra.txt"
`, gitURL, httpURL, httpURL)
	file := filepath.Join(dir, "kiln.yaml")
	writeFiles(t, dir, map[string]string{"kiln.yaml": recipe})
	payload := filepath.Join(base, "payload")
	writeFiles(t, base, map[string]string{"payload": "payload\n"})
	wantLines := []string{
		"sources.0.commit: " + tagged,
		"sources.1.sha256: " + sha(t, payload),
		"sources.2.digest: " + wantDigest,
	}

	r := mustKiln(t, nil, "lock", dir, "--dry-run", "--progress", "plain")
	if got := strings.TrimSpace(r.stdout); got != strings.Join(wantLines, "\n") {
		t.Errorf("--dry-run printed:\n%s\nwant:\n%s", got, strings.Join(wantLines, "\n"))
	}
	if readFile(t, file) != recipe {
		t.Error("--dry-run changed the recipe")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".kiln-lock-*")); len(left) > 0 {
		t.Errorf("--dry-run left %v", left)
	}

	mustKiln(t, nil, "lock", dir, "--progress", "plain")
	locked := readFile(t, file)
	for _, w := range []string{
		`  - commit: "` + tagged + `"` + "\n    git: " + gitURL + "/tool.git  # upstream\n    ref: v1.0\n",
		`  - sha256: "` + sha(t, payload) + `"`,
		`  - digest: "` + wantDigest + `"`,
		"# sources to lock\n",
	} {
		if !strings.Contains(locked, w) {
			t.Errorf("locked recipe lacks %q:\n%s", w, locked)
		}
	}
	buildLocked(t, dir, map[string]map[string]string{"locked_1.0-1_x86_64.ipk": {
		"usr/share/locked/tool.txt": "tool v1\n", "usr/share/locked/data.bin": "payload\n", "usr/share/locked/extra.txt": "extra\n"}})
}

// TestLockRepo: in a repository file kiln lock pins every recipe's
// sources: each recipe's fixed-output digest (both at sources.N of their
// recipe, told apart by recipe) and a url's sha256; the repository then
// builds.
func TestLockRepo(t *testing.T) {
	requireIntegration(t)
	url, _ := countingServer(t, map[string]string{"a.txt": "alpha\n", "b.txt": "beta\n", "b.bin": "beta payload\n"})
	alpha, beta := treeDigest(t, "a.txt", "alpha\n"), treeDigest(t, "b.txt", "beta\n")
	dir := t.TempDir()
	fetch := func(name string) string {
		return fmt.Sprintf("script: |\n          umask 022\n          curl -fsS -o %s %s/%s\n        network: true\n        dest: x", name, url, name)
	}
	// recipeHead but the name, as the repository's defaults.
	head := strings.TrimSuffix(strings.SplitN(recipeHead, "\n", 2)[1], "\n")
	repo := fmt.Sprintf("# two recipes\ndefaults:\n  "+strings.ReplaceAll(head, "\n", "\n  ")+`
recipes:
  alpha:
    sources:
      - %s
    package: install -D -m 644 x/a.txt "$pkgdir/usr/share/alpha/a.txt"
  beta:
    sources:
      - url: %s/b.bin  # the payload
        extract: false
      - %s
    package: |
      install -D -m 644 x/b.txt "$pkgdir/usr/share/beta/b.txt"
      install -D -m 644 b.bin "$pkgdir/usr/share/beta/b.bin"
`, fetch("a.txt"), url, fetch("b.txt"))
	file := filepath.Join(dir, "repo.yaml")
	writeFiles(t, dir, map[string]string{"repo.yaml": repo})

	r := mustKiln(t, nil, "lock", file, "--progress", "plain")
	want := []string{
		"recipes.alpha.sources.0.digest: " + alpha,
		"recipes.beta.sources.0.sha256: " + fmt.Sprintf("%x", sha256.Sum256([]byte("beta payload\n"))),
		"recipes.beta.sources.1.digest: " + beta,
	}
	if got := strings.TrimSpace(r.stdout); got != strings.Join(want, "\n") {
		t.Errorf("kiln lock printed:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	locked := readFile(t, file)
	for _, w := range []string{"# two recipes\n", `      - digest: "` + alpha + `"`, `      - digest: "` + beta + `"`,
		"        extract: false\n", "  # the payload\n"} {
		if !strings.Contains(locked, w) {
			t.Errorf("locked repository lacks %q:\n%s", w, locked)
		}
	}
	buildLocked(t, file, map[string]map[string]string{
		"alpha_1.0-1_x86_64.ipk": {"usr/share/alpha/a.txt": "alpha\n"},
		"beta_1.0-1_x86_64.ipk":  {"usr/share/beta/b.txt": "beta\n", "usr/share/beta/b.bin": "beta payload\n"},
	})
}

// buildLocked checks kiln lock finds nothing more to lock in path, builds
// it and checks the packages' files (package -> path -> content).
func buildLocked(t *testing.T, path string, want map[string]map[string]string) {
	t.Helper()
	if r := mustKiln(t, nil, "lock", path); !strings.Contains(r.stderr, "nothing to lock") {
		t.Errorf("a locked recipe locks again: %s", r.stderr)
	}
	out := t.TempDir()
	mustKiln(t, nil, "build", path, "-o", out, "--progress", "plain")
	for pkg, files := range want {
		x := t.TempDir()
		run(t, "dpkg-deb", "-x", filepath.Join(out, pkg), x)
		for f, w := range files {
			if got := readFile(t, filepath.Join(x, f)); got != w {
				t.Errorf("%s %s: %q", pkg, f, got)
			}
		}
	}
}

// TestLockComputed: a CUE recipe whose fixed-output source CUE computes
// (#fetch) beside a literal one: kiln lock writes the literal's digest,
// and fails naming the computed one with its digest, which, pinned where
// #fetch is used, builds.
func TestLockComputed(t *testing.T) {
	requireIntegration(t)
	url, _ := countingServer(t, map[string]string{"c.txt": "computed\n", "l.txt": "literal\n"})
	computed, literal := treeDigest(t, "c.txt", "computed\n"), treeDigest(t, "l.txt", "literal\n")
	dir := t.TempDir()
	fetch := func(name string) string {
		return fmt.Sprintf(`network: true, dest: "x", script: "umask 022; curl -fsS -o %s %s/%s"`, name, url, name)
	}
	recipe := fmt.Sprintf(`#fetch: {%s}
name:       "computed"
version:    "1.0-1"
summary:    "Test recipe"
license:    "MIT"
maintainer: "Kiln Tests <tests@example.org>"
timestamp:  "2024-05-01"
targets: ["x86_64"]
sources: [#fetch, {%s}]
package: """
	install -D -m 644 x/c.txt "$pkgdir/usr/share/computed/c.txt"
	install -D -m 644 x/l.txt "$pkgdir/usr/share/computed/l.txt"
	"""
`, fetch("c.txt"), fetch("l.txt"))
	file := filepath.Join(dir, "kiln.cue")
	writeFiles(t, dir, map[string]string{"kiln.cue": recipe})

	r := kiln(t, nil, "lock", dir, "--progress", "plain")
	if r.err == nil {
		t.Fatalf("kiln lock succeeded with a computed source open:\n%s", r.stdout)
	}
	if want := "computed by CUE or given by defaults; kiln lock cannot write into them, pin these where they are defined:\n  sources.0.digest: " + computed; !strings.Contains(r.stderr, want) {
		t.Errorf("the error does not name the computed source's digest (%s):\n%s", want, tail(r.stderr, 5))
	}
	if got := strings.TrimSpace(r.stdout); got != "sources.1.digest: "+literal+"\nsources.0.digest: "+computed {
		t.Errorf("kiln lock printed:\n%s", got)
	}
	locked := readFile(t, file)
	if !strings.Contains(locked, `digest: "`+literal+`"`) || strings.Contains(locked, computed) {
		t.Fatalf("the locked recipe:\n%s", locked)
	}
	writeFiles(t, dir, map[string]string{"kiln.cue": strings.Replace(locked, "sources: [#fetch,", `sources: [#fetch & {digest: "`+computed+`"},`, 1)})
	buildLocked(t, dir, map[string]map[string]string{"computed_1.0-1_x86_64.ipk": {
		"usr/share/computed/c.txt": "computed\n", "usr/share/computed/l.txt": "literal\n"}})
}

// treeDigest is the digest of a tree holding one file.
func treeDigest(t *testing.T, name, content string) string {
	t.Helper()
	d := t.TempDir()
	writeFiles(t, d, map[string]string{name: content})
	dg, err := treedigest.Of(d)
	if err != nil {
		t.Fatal(err)
	}
	return dg
}
