package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTargetSources: which files define a build's targets, for each way
// of naming a repository's recipes.
func TestTargetSources(t *testing.T) {
	dir := t.TempDir()
	recipe := "name: NAME\nversion: 1.0-1\nsummary: S\nlicense: MIT\nmaintainer: K <k@example.org>\ntimestamp: 2024-05-01\ntargets: [x86_64]\n"
	for name, body := range map[string]string{
		"repo/targets/a.yaml":      "targets: {}",
		"repo/targets/README.md":   "not a targets file",
		"repo/hello/kiln.yaml":     strings.Replace(recipe, "NAME", "hello", 1),
		"repo/hello/targets/b.cue": "targets: {}",
		"repo/many/kiln.yaml":      "recipes: {}\ntargets: {}\n",
		"other/kiln.yaml":          strings.Replace(recipe, "NAME", "other", 1),
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	for _, c := range []struct {
		paths         []string
		files, recipe string
	}{
		{[]string{"repo"}, "repo/targets/a.yaml repo/many/kiln.yaml", "repo"},
		{[]string{"repo/hello", "repo/many", "repo/targets"}, "repo/hello/targets/b.cue repo/targets/a.yaml repo/many/kiln.yaml", "repo/hello repo/many"},
		{[]string{"repo/hello/kiln.yaml"}, "repo/hello/targets/b.cue repo/targets/a.yaml", "repo/hello/kiln.yaml"},
		{[]string{"other"}, "", "other"},
		{[]string{"repo", "repo/many/kiln.yaml"}, "repo/targets/a.yaml repo/many/kiln.yaml", "repo repo/many/kiln.yaml"},
	} {
		srcs, recipePaths, err := targetSources(c.paths, false)
		if err != nil {
			t.Fatalf("%v: %v", c.paths, err)
		}
		var files []string
		for _, s := range srcs {
			files = append(files, filepath.ToSlash(s.File))
		}
		if got := strings.Join(files, " "); got != c.files {
			t.Errorf("%v: targets from %q, want %q", c.paths, got, c.files)
		}
		if got := filepath.ToSlash(strings.Join(recipePaths, " ")); got != c.recipe {
			t.Errorf("%v: recipes at %q, want %q", c.paths, got, c.recipe)
		}
	}
	if _, _, err := LoadRecipes([]string{"repo/targets"}); err == nil || !strings.Contains(err.Error(), "holds targets only") {
		t.Errorf("only a targets directory: %v", err)
	}
}
