package spksrc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	// One recipe per spk package, and one per cross dependency an spk
	// package stages (demo's libtiny).
	var spk, staged int
	for _, r := range im.Recipes {
		if strings.Contains(r.Source, "/spk/") {
			spk++
		} else if r.Name == "demo-libtiny" {
			staged++
		}
	}
	if spk != len(packages(t)) || staged != 1 || len(im.Recipes) != spk+staged {
		t.Errorf("%d recipes from the tree: %d spk packages, %d staged dependencies", len(im.Recipes), spk, staged)
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

// TestMakefileConditionals: conditionals on the Makefile's own variables
// are evaluated (only the branch make takes is read, nested ones too);
// one on a variable spksrc's framework sets, or on a make function, is
// reported at its line and its first branch read.
func TestMakefileConditionals(t *testing.T) {
	src := `PKG_NAME = tool
PKG_VERS = 1.4
WITH_SSL = yes
ifeq ($(WITH_SSL),yes)
CONFIGURE_ARGS = --with-ssl
ifneq "$(PKG_VERS)" "1.4"
CONFIGURE_ARGS += --old-api
else
CONFIGURE_ARGS += --new-api
endif
else
CONFIGURE_ARGS = --without-ssl
endif
ifdef NOT_SET_HERE
A = framework
endif
ifeq ($(call version_ge, $(TCVERSION), 7.0),1)
SPK_REV = 2
else
SPK_REV = 1
endif
ifeq ($(PKG_NAME),other)
B = other
else ifeq ($(PKG_NAME), tool)
B = tool
else
B = neither
endif
ifndef WITH_SSL
C = no ssl
endif
`
	p := filepath.Join(t.TempDir(), "Makefile")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mf, err := readMakefile(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"CONFIGURE_ARGS": "--with-ssl --new-api", "A": "framework", "SPK_REV": "2", "B": "tool", "C": "",
	} {
		if got := mf.get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if fmt.Sprint(mf.unevaluated) != "[14 17]" || len(mf.other) != 0 {
		t.Errorf("unevaluated at %v, other constructs at %v; want [14 17], none", mf.unevaluated, mf.other)
	}
}

// TestCrossDependsCycle: cross packages depending on each other are an
// error naming the chain, not an endless expansion.
func TestCrossDependsCycle(t *testing.T) {
	tree := t.TempDir()
	for p, src := range map[string]string{
		"spk/x/Makefile":   "SPK_NAME = x\nSPK_VERS = 1\nDEPENDS = cross/a\nLICENSE = MIT\n",
		"cross/a/Makefile": "PKG_NAME = a\nDEPENDS = cross/b\n",
		"cross/b/Makefile": "PKG_NAME = b\nDEPENDS = cross/a\n",
	} {
		if err := os.MkdirAll(filepath.Join(tree, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tree, p), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Import([]string{tree}, opts)
	if err == nil || !strings.Contains(err.Error(), "cross/a depends on itself (a → b → a)") {
		t.Fatalf("got %v", err)
	}
}
