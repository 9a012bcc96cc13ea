package toltec

import (
	"path/filepath"
	"testing"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/internal/testtool"
)

// BenchmarkCorpus imports the whole test corpus and reports the import
// time per recipe, the share of recipes carried over whole (an empty
// report) and the share that validate as kiln validate checks them:
//
//	go test -run '^$' -bench Corpus ./importer/toltec
func BenchmarkCorpus(b *testing.B) {
	testtool.Need(b, "bash")
	var im *importer.Import
	for b.Loop() {
		var err error
		if im, err = Import([]string{"testdata/corpus"}, importer.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	n := len(im.Recipes)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1e6, "ms/recipe")

	files, err := importer.Write(b.TempDir(), im, importer.FormatCUE)
	if err != nil {
		b.Fatal(err)
	}
	whole, valid := 0, 0
	for i, r := range im.Recipes {
		if len(r.Notes) == 0 {
			whole++
		}
		if _, _, err := build.Check([]string{filepath.Dir(files[i])}); err == nil {
			valid++
		} else {
			b.Logf("%s does not validate: %v", r.Name, err)
		}
	}
	b.ReportMetric(float64(n), "recipes")
	b.ReportMetric(100*float64(whole)/float64(n), "%whole")
	b.ReportMetric(100*float64(valid)/float64(n), "%valid")
}
