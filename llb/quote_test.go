package llb

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
)

// TestShellQuote: a word shellQuote makes reads back as written in bash
// and sh, and no command in it runs.
func TestShellQuote(t *testing.T) {
	dir := t.TempDir()
	for _, sh := range []string{"sh", "bash"} {
		for _, s := range append(hostile, "", "it's", "a b\tc", "*") {
			cmd := exec.Command(sh, "-c", "printf '%s' "+shellQuote(s))
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil || string(out) != s {
				t.Errorf("%s: %q read back as %q (%v)", sh, s, out, err)
			}
		}
		if m, _ := filepath.Glob(filepath.Join(dir, "pwned*")); len(m) > 0 {
			t.Fatalf("%s ran a command of a quoted word: %v", sh, m)
		}
	}
}

// TestRecipePathsQuoted: a script source's dest and a patch's name go into
// the generated shell single-quoted: $(...) in them is text.
func TestRecipePathsQuoted(t *testing.T) {
	r := &schema.Recipe{Name: "q", Version: "1-1", Targets: []string{"x86_64"}, Package: "true",
		Sources: []schema.Source{{Script: "true", Dest: "$(touch pwned)"}},
		Patches: []string{"p/$(touch pwned).patch"}}
	tgt, err := toolchains.Lookup("x86_64")
	if err != nil {
		t.Fatal(err)
	}
	j, err := Compile(r, Options{Target: tgt, Context: LocalContext{Name: "ctx"}})
	if err != nil {
		t.Fatal(err)
	}
	def, err := j.Output.Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, dt := range def.Def {
		all += string(dt)
	}
	for _, want := range []string{"mkdir -p '/kiln/src/$(touch pwned)' && cd '/kiln/src/$(touch pwned)'",
		"echo 'applying p/$(touch pwned).patch'; patch -p1 --forward --batch -i '/kiln/patches/p/$(touch pwned).patch'"} {
		if !strings.Contains(all, want) {
			t.Errorf("the graph lacks %s", want)
		}
	}
}
