package schema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCache: recipes from the cache are the recipes the loader makes;
// files with problems are evaluated (and reported) every time.
func TestCache(t *testing.T) {
	paths, _ := filepath.Glob("../examples/*")
	want, err := LoadAll(paths)
	if err != nil {
		t.Fatal(err)
	}
	c := &Cache{Dir: t.TempDir(), Salt: "test"}
	for round := 0; round < 2; round++ { // fill, then hit
		got, err := LoadAllCached(paths, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("round %d: %d recipes, want %d", round, len(got), len(want))
		}
		for i := range want {
			a, _ := json.Marshal(want[i])
			b, _ := json.Marshal(got[i])
			if string(a) != string(b) || want[i].File != got[i].File || want[i].Dir != got[i].Dir || want[i].Epoch != got[i].Epoch {
				t.Errorf("round %d: %s differs:\n%s\n%s", round, want[i].Name, a, b)
			}
		}
	}
	entries, _ := os.ReadDir(c.saltDir())
	if len(entries) != len(paths) {
		t.Errorf("%d cache entries for %d files", len(entries), len(paths))
	}
	// Another kiln (salt) starts afresh and removes the old entries.
	other := &Cache{Dir: c.Dir, Salt: "another build"}
	if _, err := LoadAllCached(paths, other); err != nil {
		t.Fatal(err)
	}
	if dirs, _ := os.ReadDir(c.Dir); len(dirs) != 1 || dirs[0].Name() != filepath.Base(other.saltDir()) {
		t.Errorf("cache holds %v after another salt wrote", dirs)
	}

	// A broken file is not cached and still reported.
	dir := t.TempDir()
	bad := filepath.Join(dir, "kiln.yaml")
	os.WriteFile(bad, []byte("name: Bad Name\n"), 0o644)
	for round := 0; round < 2; round++ {
		if _, err := LoadAllCached([]string{dir}, other); err == nil || !strings.Contains(err.Error(), `kiln.yaml:1:1: name: "Bad Name" is not a package name`) {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	// A recipe defined twice is reported with positions, cached or not.
	a, b := t.TempDir(), t.TempDir()
	body := "name: twice\nversion: 1.0-1\nsummary: s\nlicense: MIT\nmaintainer: K <k@example.org>\ntimestamp: 2024-05-01\n"
	os.WriteFile(filepath.Join(a, "kiln.yaml"), []byte(body), 0o644)
	os.WriteFile(filepath.Join(b, "kiln.yaml"), []byte("# other\n"+body), 0o644)
	repo := &Cache{Dir: t.TempDir(), Salt: "test"}
	for round := 0; round < 2; round++ {
		_, err := loadFiles([]string{filepath.Join(a, "kiln.yaml"), filepath.Join(b, "kiln.yaml")}, repo)
		if err == nil || !strings.Contains(err.Error(), `kiln.yaml:2:1: name: recipe "twice" is defined twice`) {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}
