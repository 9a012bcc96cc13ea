package integration

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceKinds: every kind of source lands where the recipe says: a
// local directory without what .gitignore excludes, a file fetched without
// extracting it, a script's generated file, each in its dest; the checks
// of a sources test and an install test see them.
func TestSourceKinds(t *testing.T) {
	requireIntegration(t)
	files := t.TempDir()
	writeFiles(t, files, map[string]string{"data.tar.gz": "not really a tarball\n"})
	addr := serveAnywhere(t, files)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"src/keep.txt":   "kept\n",
		"src/build.log":  "ignored\n",
		"src/.gitignore": "*.log\n",
		"kiln.yaml": fmt.Sprintf(recipeHead, "sourcekinds") + fmt.Sprintf(`sources:
  - path: src
    dest: local
  - url: http://%s/data.tar.gz
    sha256: %s
    extract: false
    filename: raw.tar.gz
    dest: dl
  - script: echo generated >gen.txt
    dest: gen
package: |
  mkdir -p "$pkgdir/usr/share/sk"
  cp -r local dl gen "$pkgdir/usr/share/sk/"
tests:
  - stage: sources
    checks:
      - {path: local/keep.txt, contains: kept}
      - {path: local/build.log, exists: false}
      - {path: dl/raw.tar.gz, contains: not really}
      - {path: gen/gen.txt, contains: generated}
  - stage: install
    checks:
      - {path: /usr/share/sk/gen/gen.txt, exists: true}
`, addr, sha(t, filepath.Join(files, "data.tar.gz")))})
	out := t.TempDir()
	mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	list := run(t, "dpkg-deb", "-c", filepath.Join(out, "sourcekinds_1.0-1_x86_64.ipk"))
	for _, want := range []string{"./usr/share/sk/local/keep.txt", "./usr/share/sk/dl/raw.tar.gz", "./usr/share/sk/gen/gen.txt"} {
		if !strings.Contains(list, want) {
			t.Errorf("package lacks %s:\n%s", want, list)
		}
	}
	if strings.Contains(list, "build.log") {
		t.Errorf("a .gitignore'd file reached the package:\n%s", list)
	}
}

// TestFailingStageTest: a failing test fails the build, and the error
// shows which test and what it printed.
func TestFailingStageTest(t *testing.T) {
	requireIntegration(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "broken") + `build: echo built >out.txt
package: install -D -m 0644 out.txt "$pkgdir/usr/share/broken/out.txt"
tests:
  - stage: build
    script: |
      echo "the widget is broken" >&2
      exit 3
`})
	out := t.TempDir()
	r := kiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	if r.err == nil {
		t.Fatal("a failing build test did not fail the build")
	}
	for _, want := range []string{`build failed in "broken [x86_64] test 0 (build)"`, "the widget is broken", "exit code: 3"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, tail(r.stderr, 15))
		}
	}
	if got := packages(t, out); len(got) != 0 {
		t.Errorf("a failed build wrote %v", got)
	}
}
