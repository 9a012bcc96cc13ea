package integration

import (
	"fmt"
	"os"
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
	if r := mustKiln(t, nil, "lock", dir); !strings.Contains(r.stderr, "nothing to lock") {
		t.Errorf("a locked recipe locks again: %s", r.stderr)
	}

	out := t.TempDir()
	mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	x := t.TempDir()
	run(t, "dpkg-deb", "-x", filepath.Join(out, "locked_1.0-1_x86_64.ipk"), x)
	for f, w := range map[string]string{"tool.txt": "tool v1\n", "data.bin": "payload\n", "extra.txt": "extra\n"} {
		if b, err := os.ReadFile(filepath.Join(x, "usr/share/locked", f)); err != nil || string(b) != w {
			t.Errorf("%s: %q, %v", f, b, err)
		}
	}
}
