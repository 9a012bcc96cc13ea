package repo

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
)

// FuzzParseList: a signed repository list from the network never panics
// the reader.
func FuzzParseList(f *testing.F) {
	testtool.AddFiles(f, filepath.Join("testdata", "*"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseList(data, nil, time.Unix(1700000000, 0))
	})
}
