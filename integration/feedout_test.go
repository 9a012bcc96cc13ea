package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildIntoFeed: kiln build -o an existing feed adds the packages
// built and indexes the old and the new; an older version of a package
// stays, unless --prune removes it; packages the build did not touch stay
// either way.
func TestBuildIntoFeed(t *testing.T) {
	requireIntegration(t)
	recipe := func(name, ver string) string {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"kiln.yaml": strings.Replace(fmt.Sprintf(recipeHead, name), "1.0-1", ver, 1) +
			"package: |\n  mkdir -p \"$pkgdir/usr/share/" + name + "\"\n  echo " + ver + " > \"$pkgdir/usr/share/" + name + "/version\"\n"})
		return dir
	}
	feedDir := t.TempDir()
	mustKiln(t, nil, "build", recipe("other", "3.0-1"), recipe("tool", "1.0-1"), "-o", feedDir)
	mustKiln(t, nil, "build", recipe("tool", "1.1-1"), "-o", feedDir)
	index := func() string { return readFile(t, filepath.Join(feedDir, "Packages")) }
	for _, w := range []string{"Package: other\nVersion: 3.0-1", "Package: tool\nVersion: 1.0-1", "Package: tool\nVersion: 1.1-1"} {
		if !strings.Contains(index(), w) {
			t.Errorf("index lacks %q:\n%s", w, index())
		}
	}
	if gz := run(t, "sh", "-c", `cd "$1" && gzip -dc Packages.gz | cmp - Packages && echo same`, "sh", feedDir); strings.TrimSpace(gz) != "same" {
		t.Errorf("Packages.gz and Packages differ: %s", gz)
	}

	r := mustKiln(t, nil, "build", recipe("tool", "1.2-1"), "-o", feedDir, "--prune")
	for _, old := range []string{"tool_1.0-1_x86_64.ipk", "tool_1.1-1_x86_64.ipk"} {
		if _, err := os.Stat(filepath.Join(feedDir, old)); err == nil {
			t.Errorf("--prune kept %s", old)
		}
		if !strings.Contains(r.stderr, "removed "+filepath.Join(feedDir, old)) {
			t.Errorf("no message about removing %s:\n%s", old, tail(r.stderr, 10))
		}
	}
	idx := index()
	if strings.Count(idx, "Package: ") != 2 || !strings.Contains(idx, "Package: other\nVersion: 3.0-1") || !strings.Contains(idx, "Package: tool\nVersion: 1.2-1") {
		t.Errorf("index after --prune:\n%s", idx)
	}
}
