package integration

import (
	"path/filepath"
	"strings"
	"testing"
)

// verifyRecipe is a noarch recipe whose package script is body.
func verifyRecipe(name, body string) string {
	return `name: ` + name + `
version: 1.0-1
summary: kiln verify test package
license: MIT
maintainer: Kiln Tests <kiln@example.org>
timestamp: 2024-05-01T00:00:00Z
targets: [noarch]
package: |
  mkdir -p "$pkgdir/usr/share/` + name + `"
  ` + body + `
`
}

// TestVerify: kiln verify rebuilds a package from the recipe its SBOM
// names, with every step run again, and finds it identical; a recipe that
// writes the time makes a package whose rebuild differs, and verify says
// where (the member and the content offset) and exits 1.
func TestVerify(t *testing.T) {
	requireIntegration(t)
	recipes := t.TempDir()
	writeFiles(t, recipes, map[string]string{
		"stable/kiln.yaml":  verifyRecipe("stable", `echo "the same every time" >"$pkgdir/usr/share/stable/file"`),
		"stamped/kiln.yaml": verifyRecipe("stamped", `date +%s%N >"$pkgdir/usr/share/stamped/stamp"`),
	})
	out := t.TempDir()
	mustKiln(t, nil, "build", filepath.Join(recipes, "stable"), filepath.Join(recipes, "stamped"), "-o", out, "--progress", "plain")

	stable := filepath.Join(out, "stable_1.0-1_all.ipk")
	r := mustKiln(t, nil, "verify", stable, "--recipes", filepath.Join(recipes, "stable"), "--progress", "plain")
	if !strings.Contains(r.stdout, stable+": identical to its rebuild (sha256 "+sha(t, stable)+")") {
		t.Errorf("verify of an unchanged recipe:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "stable [noarch] package") {
		t.Errorf("verify did not run the package step again:\n%s", tail(r.stderr, 30))
	}

	stamped := filepath.Join(out, "stamped_1.0-1_all.ipk")
	r = kiln(t, nil, "verify", stamped, "--recipes", filepath.Join(recipes, "stamped"), "--progress", "plain")
	if r.err == nil {
		t.Fatalf("verify passed a package whose recipe writes the time:\n%s", r.stdout)
	}
	for _, want := range []string{
		stamped + ": DIFFERS from its rebuild from recipe stamped (sha256:",
		"stamped_1.0-1_all.ipk/data.tar.gz/(gunzipped)/./usr/share/stamped/stamp: content differs from offset ",
		"stamped_1.0-1_all.ipk/data.tar.gz/(gunzipped)/./usr/share/kiln/sbom/stamped.spdx.json: content differs",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "a rebuild differs") {
		t.Errorf("stderr: %s", tail(r.stderr, 5))
	}

	// A recipe changed since the build is refused, not rebuilt.
	writeFiles(t, recipes, map[string]string{"stable/kiln.yaml": verifyRecipe("stable", `echo changed >"$pkgdir/usr/share/stable/file"`)})
	r = kiln(t, nil, "verify", stable, "--recipes", filepath.Join(recipes, "stable"), "--progress", "plain")
	if r.err == nil || !strings.Contains(r.stderr, "recipe stable is not the one the package was built from") {
		t.Errorf("verify with a changed recipe: %v\n%s", r.err, tail(r.stderr, 5))
	}
}
