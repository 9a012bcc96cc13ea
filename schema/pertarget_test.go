package schema

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue"
)

// TestPerTarget: per_target reads the same in CUE, YAML and JSON; for its
// target each list given replaces the recipe's (an empty one too), install
// scripts hook by hook; other targets build the recipe as written.
func TestPerTarget(t *testing.T) {
	rm2 := &TargetFields{
		Sources:     []Source{{Path: "src"}, {Path: "rm2"}},
		Depends:     []string{"display", "rm2fb"},
		Conflicts:   []string{},
		Makedepends: []string{"host:libpng", "host:rm2fb-dev"},
		Replaces:    []string{"splash-rm2"},
		Provides:    []string{"splash-screen"},
		Patches:     []string{"rm2.patch"},
		Scripts:     Scripts{Configure: "echo configured for rm2"},
		Build:       "make RM2=1",
	}
	for _, name := range []string{"per-target.cue", "per-target.yaml", "per-target.json"} {
		t.Run(name, func(t *testing.T) {
			r, err := Load(filepath.Join("testdata", "good", name))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.PerTarget, map[string]*TargetFields{"rm2": rm2}) {
				t.Errorf("per_target %+v", r.PerTarget["rm2"])
			}
			if r.ForTarget("rm1") != r {
				t.Error("rm1: per_target says nothing about it, but the recipe changed")
			}
			got := r.ForTarget("rm2")
			want := *r
			want.Sources, want.Depends, want.Conflicts = rm2.Sources, rm2.Depends, []string{}
			want.Makedepends, want.Replaces, want.Provides, want.Patches = rm2.Makedepends, rm2.Replaces, rm2.Provides, rm2.Patches
			want.Scripts = Scripts{Configure: "echo configured for rm2", Preremove: "echo removing"}
			want.Build = "make RM2=1"
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("ForTarget(rm2):\n got %+v\nwant %+v", got, &want)
			}
			if r.Conflicts[0] != "splash-legacy" || r.Build != "make" || r.Scripts.Configure != "echo configured" {
				t.Error("ForTarget changed the recipe itself")
			}
			// The recipe cache keeps an empty list apart from none.
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var back Recipe
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if c := back.PerTarget["rm2"].Conflicts; c == nil || len(c) != 0 {
				t.Errorf("conflicts: [] came back from JSON as %#v", c)
			}
			if back.PerTarget["rm2"].Replaces == nil || back.PerTarget["rm2"].Scripts.Preremove != "" {
				t.Errorf("rm2 came back from JSON as %+v", back.PerTarget["rm2"])
			}
		})
	}
}

// TestPerTargetInRepository: a repository's recipes vary per target too,
// and a key they do not build is reported at the key.
func TestPerTargetInRepository(t *testing.T) {
	repo := `targets:
  rm1: {extends: armv7}
recipes:
  a:
    version: 1.0-1
    summary: A
    license: MIT
    maintainer: Jane Doe <jane@example.org>
    timestamp: 2024-05-01
    targets: [rm1]
    per_target:
      rm1: {conflicts: [b]}
      rm2: {conflicts: [c]}
`
	_, err := ParseRepo("repo.yaml", []byte(repo))
	want := `repo.yaml:13:7: recipes.a.per_target.rm2: "rm2" is not one of the recipe's targets (rm1)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestPerTargetFieldsMatchSchema: the message naming per_target's fields
// lists #TargetFields, and the Go type has each.
func TestPerTargetFieldsMatchSchema(t *testing.T) {
	e := acquire()
	defer release(e)
	v := e.ctx.CompileBytes(schemaSource).LookupPath(cue.ParsePath("#TargetFields"))
	it, err := v.Fields(cue.Optional(true))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for it.Next() {
		names = append(names, it.Selector().Unquoted())
	}
	last := len(names) - 1
	if got := strings.Join(names[:last], ", ") + " and " + names[last]; got != perTargetFields {
		t.Errorf("#TargetFields: %s\nmessage: %s", got, perTargetFields)
	}
	typ := reflect.TypeOf(TargetFields{})
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !strings.Contains(perTargetFields, name) {
			t.Errorf("TargetFields.%s (%s) is not in #TargetFields", typ.Field(i).Name, name)
		}
	}
	if typ.NumField() != len(names) {
		t.Errorf("TargetFields has %d fields, #TargetFields %d", typ.NumField(), len(names))
	}
}
