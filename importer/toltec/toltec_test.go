package toltec

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/importer/importertest"
	"github.com/kiln-build/kiln/internal/golden"
	"github.com/kiln-build/kiln/internal/testtool"
)

// corpus lists the test recipes: testdata/corpus/NAME/package, written
// for these tests from Toltec's documentation (no public recipe).
func corpus(t *testing.T) []string {
	return importertest.Corpus(t, "testdata/corpus/*", 25)
}

// TestGolden imports every corpus recipe and compares the recipes and the
// report with testdata/golden/NAME.golden.
func TestGolden(t *testing.T) {
	testtool.Need(t, "bash")
	importertest.Golden(t, corpus(t), Import, importer.Options{})
	im, err := Import([]string{"testdata/corpus/penkit"}, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden.Compare(t, "golden/penkit.yaml", importertest.Render(t, im, importer.FormatYAML))
}

// TestValidates: every recipe of the corpus, carried over whole or not,
// validates as CUE and as YAML.
func TestValidates(t *testing.T) {
	testtool.Need(t, "bash")
	im, err := Import([]string{"testdata/corpus"}, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	importertest.Validates(t, im)
}

// TestIdempotent: importing again over an import changes no file.
func TestIdempotent(t *testing.T) {
	testtool.Need(t, "bash")
	out := t.TempDir()
	write := func() map[string]string {
		im, err := Import([]string{"testdata/corpus"}, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := importer.Write(out, im, importer.FormatCUE); err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		err = filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				data, _ := os.ReadFile(p)
				seen[p] = fi.ModTime().String() + fi.Mode().String() + string(data)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return seen
	}
	first, second := write(), write()
	if len(first) != len(second) {
		t.Fatalf("%d files, then %d", len(first), len(second))
	}
	for p, s := range first {
		if second[p] != s {
			t.Errorf("%s changed on the second import", p)
		}
	}
	if _, ok := first[filepath.Join(out, "motd-banner", "motd-banner.sh")]; !ok {
		t.Errorf("local files not copied: %v", len(first))
	} else if fi, _ := os.Stat(filepath.Join(out, "motd-banner", "motd-banner.sh")); fi.Mode().Perm() != 0o755 {
		t.Errorf("motd-banner.sh: mode %v, want the source's executable bit", fi.Mode())
	}
}

// TestSandbox: sourcing has no side effect and reaches no command.
func TestSandbox(t *testing.T) {
	testtool.Need(t, "bash")
	dir := t.TempDir()
	marker := filepath.Join(dir, "touched")
	recipe := filepath.Join(dir, "package")
	src := "pkgnames=(x)\n/usr/bin/touch " + marker + "\necho hi > " + marker + "\ntouch " + marker +
		"\nenable -f x y\nexec /bin/sh -c 'touch " + marker + "'\npkgver=1-1\n"
	if err := os.WriteFile(recipe, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	top, _, ds, err := source(recipe)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Fatalf("sourcing the recipe touched %s", marker)
	}
	if top.vars["pkgver"] != "1-1" {
		t.Errorf("pkgver = %q after the refused commands", top.vars["pkgver"])
	}
	if len(ds) < 4 {
		t.Errorf("bash's refusals not reported: %v", ds)
	}
}

// TestErrors: a recipe kiln cannot read is an error naming it.
func TestErrors(t *testing.T) {
	testtool.Need(t, "bash")
	importertest.Errors(t, Import, map[string]importertest.ErrorCase{
		"syntax":    {Src: "pkgnames=(a\nfoo() {\n", Want: "syntax error"},
		"nonames":   {Src: "pkgver=1-1\n", Want: "pkgnames: required"},
		"noversion": {Src: "pkgnames=(a)\npkgdesc=x\n", Want: "package a: pkgver: required"},
	})
}

// TestInstallLibPackage: the install library ships once, as a recipe of
// its own beside the imports that validates; a hook calling the library
// sources it from there and its package depends on it, while a package
// whose hooks call none of it does not.
func TestInstallLibPackage(t *testing.T) {
	testtool.Need(t, "bash")
	im, err := Import([]string{"testdata/corpus/homebind", "testdata/corpus/hello-rm"}, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := importer.Write(out, im, importer.FormatCUE); err != nil {
		t.Fatal(err)
	}
	rs, _, err := build.Check([]string{filepath.Join(out, LibPackage)})
	if err != nil || len(rs) != 1 {
		t.Fatalf("%s: %d recipes, %v", LibPackage, len(rs), err)
	}
	lib, err := os.ReadFile(filepath.Join(out, LibPackage, "install-lib.sh"))
	if err != nil || len(parseLib(string(lib))) < 8 {
		t.Fatalf("install-lib.sh: %d functions, %v", len(parseLib(string(lib))), err)
	}
	for _, r := range im.Recipes {
		deps, _ := r.Fields.Get("depends").([]string)
		scripts, _ := r.Fields.Get("scripts").(importer.Map)
		hooks := fmt.Sprint(scripts)
		uses := r.Name == "homebind"
		if slices.Contains(deps, LibPackage) != uses || strings.Contains(hooks, libSource) != uses || strings.Contains(hooks, "bind-mount-unit() {") {
			t.Errorf("%s: depends %v, hooks:\n%s", r.Name, deps, hooks)
		}
	}
}
