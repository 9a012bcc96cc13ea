package synology

import (
	"testing"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/importer/importertest"
)

var opts = importer.Options{Maintainer: "Jane Doe <jane@example.org>", Timestamp: "2024-05-01", License: "MIT"}

// projects lists the pkgscripts-ng projects of the corpus, written for
// these tests from Synology's documentation (no public project).
func projects(t *testing.T) []string {
	return importertest.Corpus(t, "testdata/source/*", 2)
}

func TestGolden(t *testing.T) {
	importertest.Golden(t, projects(t), Import, opts)
}

func TestValidates(t *testing.T) {
	im, err := Import([]string{"testdata/source"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	importertest.Validates(t, im)
}
