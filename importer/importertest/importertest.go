// Package importertest holds what the importers' tests share: golden
// renderings of imports and checking that imports validate.
package importertest

import (
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
