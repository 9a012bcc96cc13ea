package scaffold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/build"
	_ "github.com/kiln-build/kiln/pack/all" // the formats a recipe may name
	"github.com/kiln-build/kiln/schema"
)

func opts(lang, format string) Options {
	return Options{
		Name: "hello-" + lang, Lang: lang, Format: format,
		Maintainer: "Jane Doe <jane@example.org>", License: "MIT",
		Time: time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC), SchemaRef: "../.kiln/recipe.schema.json",
	}
}

// TestEveryRecipeValidates: every language in both formats makes a recipe
// kiln validate accepts (schema, local sources, compiled for every target).
func TestEveryRecipeValidates(t *testing.T) {
	for _, lang := range Langs {
		for _, format := range Formats {
			t.Run(lang+"/"+format, func(t *testing.T) {
				o := opts(lang, format)
				dir := filepath.Join(t.TempDir(), o.Name)
				if err := Write(dir, o); err != nil {
					t.Fatal(err)
				}
				rs, _, err := build.Check([]string{dir})
				if err != nil {
					t.Fatal(err)
				}
				r := rs[0]
				if r.Name != o.Name || r.Timestamp != "2026-12-02" || r.Maintainer != o.Maintainer {
					t.Errorf("recipe %+v", r)
				}
				if (lang == "python" || lang == "shell") != (len(r.Targets) == 1 && r.Targets[0] == "noarch") {
					t.Errorf("targets %v", r.Targets)
				}
			})
		}
	}
}

// TestYAMLNamesTheSchema: the YAML recipe starts with the language
// server's line; the CUE one points at the README's field table.
func TestYAMLNamesTheSchema(t *testing.T) {
	y, err := Files(opts("c", "yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(y["kiln.yaml"]), "# yaml-language-server: $schema=../.kiln/recipe.schema.json\n") {
		t.Errorf("kiln.yaml starts %q", string(y["kiln.yaml"])[:60])
	}
	c, err := Files(opts("c", "cue"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range [][]byte{y["kiln.yaml"], c["kiln.cue"]} {
		if !strings.Contains(string(f), "field table of\n") || !strings.Contains(string(f), `kiln's README ("Recipes")`) {
			t.Errorf("no pointer to the README:\n%s", f)
		}
	}
	if _, err := schema.Parse("kiln.cue", c["kiln.cue"]); err != nil {
		t.Error(err)
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Name: "Hello", Lang: "c", Format: "cue"},
		{Name: "hello", Lang: "cobol", Format: "cue"},
		{Name: "hello", Lang: "c", Format: "toml"},
	} {
		if _, err := Files(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	dir := t.TempDir()
	if err := Write(dir, opts("c", "cue")); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("existing directory: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
}
