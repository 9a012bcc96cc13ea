// Package importertest holds what the importers' tests share: golden
// renderings of imports and checking that imports validate.
package importertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/internal/golden"
	_ "github.com/kiln-build/kiln/pack/all" // formats, for validating the imports
)

// Render is an import's golden form: every recipe, the files copied
// beside it, then the report.
func Render(t testing.TB, im *importer.Import, f importer.Format) string {
	t.Helper()
	var b strings.Builder
	for _, r := range im.Recipes {
		name, data, err := importer.Render(r, f)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("== " + r.Name + "/" + name + " ==\n")
		b.Write(data)
		for _, lf := range r.Files {
			b.WriteString("== " + r.Name + "/" + lf.To + " (copied) ==\n")
		}
	}
	b.WriteString("== report ==\n" + importer.TextReport(im))
	return b.String()
}

// Golden imports each corpus entry on its own and compares it with
// testdata/golden/NAME.golden (NAME without extension).
func Golden(t *testing.T, entries []string, imp importer.Importer, o importer.Options) {
	t.Helper()
	for _, e := range entries {
		name := strings.TrimSuffix(filepath.Base(e), filepath.Ext(e))
		t.Run(name, func(t *testing.T) {
			im, err := imp([]string{e}, o)
			if err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, "golden/"+name, Render(t, im, importer.FormatCUE))
		})
	}
}

// Validates writes im as CUE and as YAML and checks every recipe as kiln
// validate does (schema, local files, compiling for each target).
func Validates(t *testing.T, im *importer.Import) {
	t.Helper()
	for _, f := range []importer.Format{importer.FormatCUE, importer.FormatYAML} {
		files, err := importer.Write(t.TempDir(), im, f)
		if err != nil {
			t.Fatal(err)
		}
		var dirs []string
		for _, p := range files {
			dirs = append(dirs, filepath.Dir(p))
		}
		rs, _, err := build.Check(dirs)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(rs) != len(im.Recipes) {
			t.Errorf("%s: %d recipes validated, %d imported", f, len(rs), len(im.Recipes))
		}
	}
}

// ErrorCase is an input kiln cannot import: its text, the options, and a
// part of the error, which must also name the input.
type ErrorCase struct {
	Src     string
	Options importer.Options
	Want    string
}

// Errors writes each case's input under its name and imports it alone.
func Errors(t *testing.T, imp importer.Importer, cases map[string]ErrorCase) {
	t.Helper()
	dir := t.TempDir()
	for name, tc := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(tc.Src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := imp([]string{p}, tc.Options)
		if err == nil || !strings.Contains(err.Error(), tc.Want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file and %q", name, err, tc.Want)
		}
	}
}

// Corpus lists a corpus's entries matching glob, at least min of them.
func Corpus(t *testing.T, glob string, min int) []string {
	t.Helper()
	entries, err := filepath.Glob(glob)
	if err != nil || len(entries) < min {
		t.Fatalf("corpus %s: %d entries, want at least %d (%v)", glob, len(entries), min, err)
	}
	return entries
}
