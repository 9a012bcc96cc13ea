package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// unresolvedRecipe builds libnope.so.1 and a program linked to it, but
// packages only the program: nothing provides the library it needs.
// run makes the program differ from any built before, so its steps run.
func unresolvedRecipe(name, extra string, run int64) string {
	return fmt.Sprintf(recipeHead, name) + extra + fmt.Sprintf(`build: |
  printf 'int nope(void){return 0;}\n' > nope.c
  "$CC" -shared -fPIC -Wl,-soname,libnope.so.1 -o libnope.so.1 nope.c
  ln -s libnope.so.1 libnope.so
  printf 'int nope(void); const char *run = "%d"; int main(void){return nope() + (run[0] == 0);}\n' > app.c
  "$CC" -o app app.c -L. -lnope
package: install -D app "$pkgdir/usr/bin/app"
`, run)
}

// TestUnresolvedSoname: a binary linked to a library no package of the
// build, of $SYSROOT and not the target's system provides fails the
// build in the resolution step, naming the package, the file and the
// soname, and writes nothing; validation rule UnresolvedSoname lets it
// through with a warning, adding no dependency.
func TestUnresolvedSoname(t *testing.T) {
	requireIntegration(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": unresolvedRecipe("nolib", "", 0)})
	out := t.TempDir()
	r := kiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	if r.err == nil {
		t.Fatalf("build succeeded:\n%s", tail(r.stderr, 30))
	}
	for _, w := range []string{"nolib [x86_64] resolve shared libraries",
		"package nolib: usr/bin/app needs libnope.so.1: not provided by the packages of this recipe or the system of target x86_64",
		"validation rule UnresolvedSoname"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("output lacks %q:\n%s", w, tail(r.stderr, 30))
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a refused build wrote %d files", len(entries))
	}

	// A fresh build (the warning is the step's output, which a cached step
	// does not repeat).
	allowed := unresolvedRecipe("nolib", "validation: [{allow: UnresolvedSoname}]\n", time.Now().UnixNano())
	writeFiles(t, dir, map[string]string{"kiln.yaml": allowed})
	r = mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	if !strings.Contains(r.stderr, "usr/bin/app needs libnope.so.1") {
		t.Errorf("no warning about libnope.so.1:\n%s", tail(r.stderr, 30))
	}
	if deps := ipkField(t, filepath.Join(out, "nolib_1.0-1_x86_64.ipk"), "Depends"); deps != "" {
		t.Errorf("an allowed unresolved soname added %q", deps)
	}
}

// TestShlibsSplitPackages: a program's dependency on the library a
// sibling split package holds is found in the binary, the library's
// package records its soname, and the install test (which runs the
// program) gets the library installed.
func TestShlibsSplitPackages(t *testing.T) {
	requireIntegration(t)
	dir := t.TempDir()
	recipe := fmt.Sprintf(recipeHead, "twolib") + `packages:
  libtwo: {files: ["usr/lib/**"]}
  two: {files: ["usr/bin/**"]}
build: |
  printf 'int two(void){return 0;}\n' > two.c
  "$CC" -shared -fPIC -Wl,-soname,libtwo.so.2 -o libtwo.so.2 two.c
  ln -s libtwo.so.2 libtwo.so
  printf 'int two(void); int main(void){return two();}\n' > app.c
  "$CC" -o app app.c -L. -ltwo
package: |
  install -D app "$pkgdir/usr/bin/two"
  install -D libtwo.so.2 "$pkgdir/usr/lib/libtwo.so.2"
tests:
  - stage: install
    checks: [{command: two, output: "^$"}]
`
	writeFiles(t, dir, map[string]string{"kiln.yaml": recipe})
	out := t.TempDir()
	mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	if d := ipkField(t, filepath.Join(out, "two_1.0-1_x86_64.ipk"), "Depends"); d != "libtwo (>= 1.0-1)" {
		t.Errorf("two.ipk: %s", d)
	}
	if p := ipkField(t, filepath.Join(out, "libtwo_1.0-1_x86_64.ipk"), "Provides"); p != "libtwo.so.2" {
		t.Errorf("libtwo.ipk: %s", p)
	}
}

// ipkField is one field of an .ipk's control file, read with dpkg-deb
// (its warnings about opkg's architecture names left out).
func ipkField(t *testing.T, ipk, field string) string {
	t.Helper()
	out, err := exec.Command("dpkg-deb", "-f", ipk, field).Output()
	if err != nil {
		t.Fatalf("dpkg-deb -f %s %s: %v", ipk, field, err)
	}
	return strings.TrimSpace(string(out))
}
