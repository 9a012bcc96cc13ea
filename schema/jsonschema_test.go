package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"cuelang.org/go/cue/cuecontext"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// compileJSONSchema compiles the exported schema with an independent
// validator (santhosh-tekuri/jsonschema, draft 2020-12).
func compileJSONSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestJSONSchemaAcceptsRecipes: every example and every good test recipe,
// read as an editor reads it (YAML with the core schema: timestamps are
// strings; CUE evaluated to JSON), is valid under the exported schema.
func TestJSONSchemaAcceptsRecipes(t *testing.T) {
	s := compileJSONSchema(t)
	var files []string
	for _, pat := range []string{"../examples/*/kiln.*", "testdata/good/*.*"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 15 {
		t.Fatalf("only %d recipes found: %v", len(files), files)
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			if err := s.Validate(recipeAsJSON(t, file)); err != nil {
				t.Errorf("%s: %v", file, err)
			}
		})
	}
}

// TestJSONSchemaRefusesBadRecipes: what the schema says is checked, not
// only accepted.
func TestJSONSchemaRefusesBadRecipes(t *testing.T) {
	s := compileJSONSchema(t)
	good := recipeAsJSON(t, "testdata/good/hello.yaml").(map[string]any)
	for _, tc := range []struct {
		name, field string
		value       any
	}{
		{"unknown field", "versoin", "1.0"},
		{"bad version", "version", "not a version"},
		{"missing summary", "summary", nil},
		{"maintainer without email", "maintainer", "Jane Doe"},
		{"number for a string", "license", 3},
		{"bad dependency", "depends", []any{"libc6 => 2.31"}},
		{"unknown source field", "sources", []any{map[string]any{"path": "src", "shaa256": "00"}}},
		{"absolute source path", "sources", []any{map[string]any{"path": "/etc"}}},
		{"bad test stage", "tests", []any{map[string]any{"stage": "deploy", "script": "true"}}},
		{"unknown package field", "packages", map[string]any{"hello": map[string]any{"filez": []any{"a"}}}},
		{"unknown format", "formats", map[string]any{"deb": map[string]any{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := map[string]any{}
			for k, v := range good {
				r[k] = v
			}
			if tc.value == nil {
				delete(r, tc.field)
			} else {
				r[tc.field] = tc.value
			}
			if err := s.Validate(r); err == nil {
				t.Errorf("accepted %s = %v", tc.field, tc.value)
			}
		})
	}
	repo := map[string]any{"recipes": map[string]any{"hello": map[string]any{"version": "x y"}}}
	if err := s.Validate(repo); err == nil {
		t.Error("accepted a repository recipe with a bad version")
	}
}

// recipeAsJSON reads a recipe file into JSON values.
func recipeAsJSON(t *testing.T, file string) any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	switch filepath.Ext(file) {
	case ".cue":
		// Read as kiln reads CUE (top-level definitions open), then
		// evaluated to JSON on its own, without kiln's schema.
		d, errs := decode(file, data)
		if errs != nil {
			t.Fatal(errs)
		}
		b, err := cuecontext.New().BuildFile(d.cue).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		data = b
		fallthrough
	case ".json":
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		t.Fatal(err)
	}
	return yamlValue(t, n.Content[0])
}

// yamlValue converts a YAML node as YAML 1.2's core schema reads it.
func yamlValue(t *testing.T, n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = yamlValue(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, yamlValue(t, c))
		}
		return l
	case yaml.AliasNode:
		return yamlValue(t, n.Alias)
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return json.Number(strings.ReplaceAll(n.Value, "_", ""))
	case "!!bool":
		b, _ := strconv.ParseBool(n.Value)
		return b
	case "!!null":
		return nil
	}
	return n.Value
}

// TestJSONSchemaDescribesFields: editors show the words kiln's own
// errors use for a field.
func TestJSONSchemaDescribesFields(t *testing.T) {
	b, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs map[string]struct {
			Properties map[string]struct{ Description string }
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for def, fields := range map[string]map[string]string{
		"RecipeBody":    {"version": "A Debian version ([epoch:]upstream[-revision]).", "maintainer": `Of the form "Name <email>".`},
		"PartialRecipe": {"version": "A Debian version ([epoch:]upstream[-revision])."},
		"Source":        {"sha256": "A sha256 checksum (64 lowercase hex digits)."},
		"TargetFields":  {"patches": `Each one: a relative path without ".." elements.`},
	} {
		for field, want := range fields {
			if got := doc.Defs[def].Properties[field].Description; got != want {
				t.Errorf("%s.%s: description %q, want %q", def, field, got, want)
			}
		}
	}
}
