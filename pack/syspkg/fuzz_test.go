package syspkg

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// FuzzParseMeta: the metainfo parser never panics, recurses past
// maxMetaDepth or hangs, whatever it is given; seeds are the golden
// metainfo files and the seeds' examples.
func FuzzParseMeta(f *testing.F) {
	testtool.AddFiles(f, filepath.Join("testdata", "*"))
	f.Add([]byte(`{"a": [{ "en", "x" }], "b": {"c": null}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseMeta(data)
	})
}

// FuzzScanPayload: the payload (ZIP) reader `kiln syspkg index` and
// `kiln pack` use never panics on a corrupt or hostile archive (entries
// with .. or absolute names, unknown methods, bad sizes).
func FuzzScanPayload(f *testing.F) {
	for _, entries := range [][]string{{"hello/bin/hello"}, {"../x"}, {"/abs", "hello/a"}} {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, e := range entries {
			w, err := zw.Create(e)
			if err != nil {
				f.Fatal(err)
			}
			w.Write([]byte(e))
		}
		if err := zw.Close(); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ScanPayload("hello", "x86_64", bytes.NewReader(data), int64(len(data)))
	})
}
