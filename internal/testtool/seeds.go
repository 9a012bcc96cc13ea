package testtool

import (
	"os"
	"path/filepath"
)

// Seeder is what AddFiles needs of *testing.F.
type Seeder interface{ Add(args ...any) }

// AddFiles adds every file matching pattern as a fuzz seed (testdata
// inputs the package's other tests use).
func AddFiles(f Seeder, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
}
