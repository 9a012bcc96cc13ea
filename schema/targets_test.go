package schema

import (
	"strings"
	"testing"
)

// TestCheckTargets: a recipe naming a target the build does not know is
// reported at the name, in a recipe file, a CUE repository (where the list
// may come from #defaults) and a YAML repository's defaults.
func TestCheckTargets(t *testing.T) {
	known := []string{"aarch64", "armv7", "noarch", "rm2", "x86_64"}
	dir := writeTree(t, map[string]string{
		"one/kiln.yaml": recipeYAML("one") + "targets: [armv7, rm3]\n",
		"cue/kiln.cue": `#defaults: {version: "1.0-1", summary: "S", license: "MIT", maintainer: "K <k@example.org>", timestamp: "2024-05-01", targets: *["rm2", "rm9"] | _}
recipes: [string]: #defaults
recipes: {
	a: {}
	b: {targets: ["x86_64"]}
}
targets: rm2: extends: "armv7"
`,
		"yaml/kiln.yaml": "defaults: {version: 1.0-1, summary: S, license: MIT, maintainer: K <k@example.org>, timestamp: 2024-05-01, targets: [sparc]}\nrecipes:\n  c: {}\n  d: {}\n",
	})
	var all []*Recipe
	for _, p := range []string{"one", "cue", "yaml"} {
		rs, err := LoadRepo(dir + "/" + p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rs...)
	}
	err := CheckTargets(all, known, nil)
	if err == nil {
		t.Fatal("no error")
	}
	got := strings.ReplaceAll(err.Error(), dir+"/", "")
	for _, want := range []string{
		`one/kiln.yaml:7:18: targets.1: "rm3" is not a known target (known: aarch64, armv7, noarch, rm2, x86_64)`,
		`cue/kiln.cue:4:2: recipes.a.targets.1: "rm9" is not a known target`,
		`yaml/kiln.yaml:1:118: defaults.targets.0: "sparc" is not a known target (known: aarch64, armv7, noarch, rm2, x86_64); inherited by c, d`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != 3 {
		t.Errorf("%d errors, want 3:\n%s", n, got)
	}
	if err := CheckTargets(all[:1], []string{"armv7", "rm3"}, nil); err != nil {
		t.Errorf("known targets: %v", err)
	}
}
