package llb

import (
	"strings"
	"testing"

	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
)

// TestEditingOneTestKeepsTheOthers: each test mounts only its own checks,
// so editing one test's checks re-runs that test alone, not every later
// test of its stage.
func TestEditingOneTestKeepsTheOthers(t *testing.T) {
	tgt, err := toolchains.Lookup("x86_64")
	if err != nil {
		t.Fatal(err)
	}
	digests := func(firstPath string) map[string]string {
		yes := true
		r := &schema.Recipe{Name: "t", Version: "1-1", Targets: []string{"x86_64"}, Build: "make", Package: "true",
			Tests: []schema.Test{
				{Stage: "build", Checks: []schema.Check{{Path: firstPath, Exists: &yes}}},
				{Stage: "build", Checks: []schema.Check{{Path: "b", Exists: &yes}}},
				{Stage: "build", Script: "true"},
			}}
		j, err := Compile(r, Options{Target: tgt})
		if err != nil {
			t.Fatal(err)
		}
		def, err := j.Output.Marshal(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for d, md := range def.Metadata {
			if n := md.Description["llb.customname"]; strings.Contains(n, "test ") {
				out[n] = d.String()
			}
		}
		return out
	}
	before, after := digests("a"), digests("a-edited")
	if len(before) == 0 {
		t.Fatal("no test vertices")
	}
	for name, d := range before {
		changed := after[name] != d
		if want := strings.Contains(name, "test 0"); changed != want {
			t.Errorf("%s: changed = %v after editing test 0, want %v", name, changed, want)
		}
	}
}
