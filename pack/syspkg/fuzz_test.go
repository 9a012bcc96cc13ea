package syspkg

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseMeta: the metainfo parser never panics, recurses past
// maxMetaDepth or hangs, whatever it is given; seeds are the golden
// metainfo files and the seeds' examples.
func FuzzParseMeta(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"a": [{ "en", "x" }], "b": {"c": null}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseMeta(data)
	})
}
