package syspkg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/importer/importertest"
)

var opts = importer.Options{Maintainer: "Jane Doe <jane@example.org>", Timestamp: "2024-05-01"}

func corpus(t *testing.T) []string {
	files, err := filepath.Glob("testdata/corpus/*.json")
	if err != nil || len(files) < 3 {
		t.Fatalf("corpus: %d metainfo files, %v", len(files), err)
	}
	return files
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
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		src  string
		o    importer.Options
		want string
	}{
		"bad.json":        {`{"id": "x",`, opts, "parsing metainfo"},
		"nomaint.json":    {`{"id": "x", "description": [{"en", "X", "x"}], "version": "1.0.0", "category": "tools", "license": "MIT"}`, importer.Options{Timestamp: "2024-05-01"}, "give --maintainer"},
		"notime.json":     {`{"id": "x", "description": [{"en", "X", "x"}], "version": "1.0.0", "category": "tools", "license": "MIT"}`, importer.Options{Maintainer: opts.Maintainer}, "give --timestamp"},
		"unknownkey.json": {`{"id": "x", "colour": "red"}`, opts, "colour"},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(tc.src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Import([]string{p}, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file and %q", name, err, tc.want)
		}
	}
}
