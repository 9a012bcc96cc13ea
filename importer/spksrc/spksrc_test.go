package spksrc

import (
	"testing"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/importer/importertest"
)

var opts = importer.Options{Maintainer: "Jane Doe <jane@example.org>", Timestamp: "2024-05-01"}

// packages lists the spk/ packages of the test tree, written for these
// tests from spksrc's documentation (no public package).
func packages(t *testing.T) []string {
	return importertest.Corpus(t, "testdata/tree/spk/*", 8)
}

func TestGolden(t *testing.T) {
	importertest.Golden(t, packages(t), Import, opts)
}

// TestValidates imports the whole tree at once, as a user would.
func TestValidates(t *testing.T) {
	im, err := Import([]string{"testdata/tree"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Recipes) != len(packages(t)) {
		t.Errorf("%d recipes from the tree", len(im.Recipes))
	}
	importertest.Validates(t, im)
}

func TestMakefileVariables(t *testing.T) {
	mf, err := readMakefile("testdata/tree/cross/cmaketool/Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"PKG_DIST_NAME":   "cmaketool-0.9.1.tar.gz",
		"CMAKE_ARGS":      "-DBUILD_TESTING=OFF -DWITH_DOCS=OFF",
		"PLIST_TRANSFORM": `sed -e 's,^bin/cmaketool-0\.9$,bin/cmaketool,' -e 's,lib64/,lib/,'`,
	} {
		if got := mf.get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}
