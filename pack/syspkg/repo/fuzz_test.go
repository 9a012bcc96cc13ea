package repo

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseList: a signed repository list from the network never panics
// the reader.
func FuzzParseList(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseList(data, nil, time.Unix(1700000000, 0))
	})
}
