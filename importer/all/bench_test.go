package all

import (
	"path/filepath"
	"testing"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/internal/testtool"
	_ "github.com/kiln-build/kiln/pack/all" // formats, for validating the imports
)

// BenchmarkCorpus imports each importer's test corpus and reports the
// import time per recipe, the share of recipes carried over whole (an
// empty report) and the share that validate as kiln validate checks them:
//
//	go test -run '^$' -bench Corpus ./importer/all
func BenchmarkCorpus(b *testing.B) {
	testtool.Need(b, "bash")
	o := importer.Options{Maintainer: "Jane Doe <jane@example.org>", Timestamp: "2024-05-01", License: "MIT"}
	for _, c := range []struct{ kind, corpus string }{
		{"toltec", "../toltec/testdata/corpus"},
		{"spk", "../spk/testdata/corpus"},
		{"spksrc", "../spksrc/testdata/tree"},
		{"synology", "../synology/testdata/source"},
		{"syspkg", "../syspkg/testdata/corpus"},
	} {
		b.Run(c.kind, func(b *testing.B) {
			imp, err := importer.Lookup(c.kind)
			if err != nil {
				b.Fatal(err)
			}
			var im *importer.Import
			for b.Loop() {
				if im, err = imp([]string{c.corpus}, o); err != nil {
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
				if r.Whole() {
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
		})
	}
}
