package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMutations replaces, one at a time, each value of the full recipe and
// of a repository with values of other types. Every result must be valid
// or positioned Errors, phrased by explain (not its plain fallback), with
// no schema path leaking. The fuzzer rarely builds such well-formed
// documents; this walks them all.
func TestMutations(t *testing.T) {
	if testing.Short() {
		t.Skip("parses a few hundred invalid recipes")
	}
	for _, name := range []string{"full.yaml", "repo.yaml"} {
		src, err := os.ReadFile(filepath.Join("testdata", "good", name))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		for i, line := range lines {
			k := strings.Index(line, ": ")
			if k < 0 || strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, repl := range []string{"{a: 1}", "[x]", `""`} {
				m := append([]string(nil), lines...)
				m[i] = line[:k+2] + repl
				panics := explainPanics.Load()
				_, err := ParseRepo(name, []byte(strings.Join(m, "\n")))
				if err == nil {
					continue
				}
				var errs Errors
				if !errors.As(err, &errs) || explainPanics.Load() != panics || strings.Contains(err.Error(), "#Recipe") {
					t.Errorf("%s:%d: %q: %v", name, i+1, m[i], err)
				}
				for _, e := range errs {
					if e.Line == 0 || e.Msg == "" {
						t.Errorf("%s:%d: %q: unpositioned %#v", name, i+1, m[i], e)
					}
				}
			}
		}
	}
}
