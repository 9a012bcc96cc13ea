package syspkg

import (
	"testing"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/importer/importertest"
)

var opts = importer.Options{Maintainer: "Jane Doe <jane@example.org>", Timestamp: "2024-05-01"}

func corpus(t *testing.T) []string {
	return importertest.Corpus(t, "testdata/corpus/*.json", 3)
}

// TestGolden imports each metainfo of the corpus (written for these tests
// from syspkg's documentation) and compares recipe and report.
func TestGolden(t *testing.T) {
	importertest.Golden(t, corpus(t), Import, opts)
}

// TestValidates: every import validates as CUE and YAML.
func TestValidates(t *testing.T) {
	im, err := Import(corpus(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	importertest.Validates(t, im)
}

// TestErrors: what kiln cannot import names the file and the reason.
func TestErrors(t *testing.T) {
	meta := `{"id": "x", "description": [{"en", "X", "x"}], "version": "1.0.0", "category": "tools", "license": "MIT"}`
	importertest.Errors(t, Import, map[string]importertest.ErrorCase{
		"bad.json":        {Src: `{"id": "x",`, Options: opts, Want: "parsing metainfo"},
		"nomaint.json":    {Src: meta, Options: importer.Options{Timestamp: "2024-05-01"}, Want: "give --maintainer"},
		"notime.json":     {Src: meta, Options: importer.Options{Maintainer: opts.Maintainer}, Want: "give --timestamp"},
		"unknownkey.json": {Src: `{"id": "x", "colour": "red"}`, Options: opts, Want: "colour"},
	})
}
