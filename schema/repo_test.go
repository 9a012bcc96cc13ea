package schema

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue"
)

// TestFull: every field of the model, in CUE, YAML and JSON, decodes to
// one Recipe; spot checks make sure that Recipe is the one written.
func TestFull(t *testing.T) {
	var first *Recipe
	for _, name := range []string{"full.yaml", "full.cue", "full.json"} {
		file := filepath.Join("testdata", "good", name)
		r, err := Load(file)
		if err != nil {
			t.Fatal(err)
		}
		r.File = ""
		if first == nil {
			first = r
			continue
		}
		if !reflect.DeepEqual(r, first) {
			t.Errorf("%s differs from full.yaml:\n got %+v\nwant %+v", name, r, first)
		}
	}
	r := first
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"compat", r.Compat, "x.ab.b-x+x"},
		{"script source", r.Sources[3], Source{Script: "printf '#define VERSION \"2.1.0\"\\n' > version.h\n", Dest: "generated"}},
		{"patches", r.Patches, []string{"patches/0001-fix-build.patch", "patches/0002-arm.patch"}},
		{"flags", r.Flags, []string{"nostrip"}},
		{"package option", r.Options["zlib"], Option{Package: "zlib", Default: ">= 1.2"}},
		{"variants", r.Variants, []map[string]string{{"debug": "off"}, {"debug": "on", "zlib": "=1.3"}}},
		{"uses", r.Packages["toolbox"].Uses, []string{"libtoolbox"}},
		{"package scripts", r.Packages["toolbox"].Scripts, Scripts{Configure: "echo configured"}},
		{"scripts", r.Scripts.Postupgrade, "echo postupgrade"},
		{"env", r.Env[4], EnvOp{Prepend: "LD_LIBRARY_PATH", Value: "/opt/toolbox/lib", Separator: ":"}},
		{"priority", r.Env[0], EnvOp{Priority: 50}},
		{"check", r.Tests[2].Checks[0], Check{Path: "/opt/bin/toolbox", Exists: ptr(true), Mode: "0755"}},
		{"negative check", *r.Tests[2].Checks[2].Exists, false},
		{"validation", r.Validation, []ValidationRule{{Allow: "EmptyPackage"}, {Deny: "UnclaimedFiles"}, {Allow: "NewerLibc"}}},
		{"formats", r.Formats["spk"], map[string]any{"displayname": "Toolbox", "beta": true}},
		{"empty format", r.Formats["ipk"], map[string]any{}},
		{"epoch", r.Epoch, int64(1714559400)},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
}

// TestRepoFiles: one repository in CUE (#defaults), YAML and JSON
// (defaults:) gives the same recipes, in the file's order, each with the
// file it came from.
func TestRepoFiles(t *testing.T) {
	var first []*Recipe
	for _, name := range []string{"repo.yaml", "repo.cue", "repo.json"} {
		file := filepath.Join("testdata", "good", name)
		rs, err := LoadRepo(file)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(rs); !reflect.DeepEqual(got, []string{"libgreet", "greet", "greet-data"}) {
			t.Fatalf("%s: recipes %v", name, got)
		}
		for _, r := range rs {
			if r.File != file || r.Dir != filepath.Join("testdata", "good") {
				t.Errorf("%s: %s has File %q Dir %q", name, r.Name, r.File, r.Dir)
			}
			r.File = ""
		}
		if first == nil {
			first = rs
			continue
		}
		if !reflect.DeepEqual(rs, first) {
			t.Errorf("%s differs from repo.yaml", name)
		}
	}
	greet, data := first[1], first[2]
	if greet.License != "Apache-2.0" || data.License != "MIT" || data.Maintainer != "Jane Doe <jane@example.org>" {
		t.Errorf("defaults not applied or not overridden: %q %q %q", greet.License, data.License, data.Maintainer)
	}
	if !reflect.DeepEqual(data.Targets, []string{"noarch"}) || !reflect.DeepEqual(greet.Targets, []string{"x86_64", "armv7"}) {
		t.Errorf("targets: %v %v", data.Targets, greet.Targets)
	}
	// Parse reads single recipes only; ParseRepo both.
	src, _ := os.ReadFile(filepath.Join("testdata", "good", "repo.yaml"))
	if _, err := Parse("repo.yaml", src); err == nil || !strings.Contains(err.Error(), "LoadRepo") {
		t.Errorf("Parse of a repository: %v", err)
	}
	src, _ = os.ReadFile(filepath.Join("testdata", "good", "hello.yaml"))
	if rs, err := ParseRepo("hello.yaml", src); err != nil || len(rs) != 1 || rs[0].Name != "hello" {
		t.Errorf("ParseRepo of a recipe: %v %v", rs, err)
	}
}

// writeTree creates files (path -> content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func recipeYAML(name string) string {
	return strings.Replace(minimalYAML, "name: hello", "name: "+name, 1) + "timestamp: 2024-05-01\n"
}

func TestLoadRepoTree(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"b/kiln.yaml":             recipeYAML("bee"),
		"a/kiln.cue":              "timestamp: \"2024-05-01\"\n" + strings.Replace(minimalCUE, `"hello"`, `"ay"`, 1),
		"a/nested/kiln.yaml":      recipeYAML("nested"),
		"deep/er/kiln.json":       strings.Replace(`{"timestamp": "2024-05-01", `+minimalJSON[1:], `"hello"`, `"deep"`, 1),
		".hidden/kiln.yaml":       recipeYAML("hidden"),
		"group/.git/x/kiln.yaml":  recipeYAML("in-git"),
		"group/many/kiln.yaml":    "defaults: {license: MIT, maintainer: Jane Doe <jane@example.org>, timestamp: 2024-05-01}\nrecipes:\n  one: {version: 1.0-1, summary: One}\n  two: {version: 1.0-1, summary: Two}\n",
		"group/notes/README":      "not a recipe",
		"empty-dir/sub/README.md": "nothing",
	})
	rs, err := LoadRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(rs), []string{"ay", "nested", "bee", "deep", "one", "two"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("recipes %v, want %v", got, want)
	}
	for _, r := range rs {
		if filepath.Dir(r.File) != r.Dir || !strings.HasPrefix(r.Dir, dir) {
			t.Errorf("%s: File %q Dir %q", r.Name, r.File, r.Dir)
		}
	}
	if rs[4].File != filepath.Join(dir, "group", "many", "kiln.yaml") {
		t.Errorf("repository recipe File %q", rs[3].File)
	}

	// A directory's own recipe file is the whole repository.
	rs, err = LoadRepo(filepath.Join(dir, "a"))
	if err != nil || len(rs) != 1 || rs[0].Name != "ay" {
		t.Errorf("own recipe: %v %v", names(rs), err)
	}
	rs, err = LoadRepo(filepath.Join(dir, "group"))
	if err != nil || !reflect.DeepEqual(names(rs), []string{"one", "two"}) {
		t.Errorf("subdirectory: %v %v", names(rs), err)
	}
	_, err = LoadRepo(filepath.Join(dir, "empty-dir"))
	if err == nil || !strings.Contains(err.Error(), "no recipe found") {
		t.Errorf("empty: %v", err)
	}
}

// TestLoadRepoErrors: every file's problems are reported, and a name
// defined twice names both files, positioned at the second.
func TestLoadRepoErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a/kiln.yaml":      recipeYAML("hello"),
		"b/kiln.yaml":      "# the same name again\n" + recipeYAML("hello"),
		"c/kiln.yaml":      "recipes:\n  world: {version: 1.0-1, summary: W, license: MIT, maintainer: Jane Doe <jane@example.org>, timestamp: 2024-05-01}\n  hello: {version: 1.0-1, summary: H, license: MIT, maintainer: Jane Doe <jane@example.org>, timestamp: 2024-05-01}\n",
		"d/kiln.yaml":      recipeYAML("broken") + "bogus: 1\n",
		"e/kiln.cue":       "timestamp: \"2024-05-01\"\n" + strings.Replace(minimalCUE, `"hello"`, `"world"`, 1),
		"f/g/kiln.json":    "{",
		"z/kiln.yaml":      recipeYAML("zed"),
		"z/.more/kiln.cue": "hidden: not even looked at",
	})
	_, err := LoadRepo(dir)
	if err == nil {
		t.Fatal("no error")
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Errorf("want Errors inside, got %T", err)
	}
	rel := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
	rel = filepath.ToSlash(rel)
	want := []string{
		`d/kiln.yaml:7:1: bogus: unknown field`,
		`f/g/kiln.json:1:1: invalid JSON: unexpected end of JSON input`,
		`b/kiln.yaml:2:1: name: recipe "hello" is defined twice (also in a/kiln.yaml)`,
		`c/kiln.yaml:3:3: recipes.hello: recipe "hello" is defined twice (also in a/kiln.yaml)`,
		`e/kiln.cue:2:1: name: recipe "world" is defined twice (also in c/kiln.yaml)`,
	}
	for _, w := range want {
		if !strings.Contains(rel, w) {
			t.Errorf("missing %q in:\n%s", w, rel)
		}
	}
	if strings.Contains(rel, "zed") || strings.Contains(rel, ".more") {
		t.Errorf("unexpected:\n%s", rel)
	}
}

// TestPatternsMatchSchema keeps Go's copies of schema values in step.
func TestPatternsMatchSchema(t *testing.T) {
	e := acquire()
	defer release(e)
	v := e.ctx.CompileBytes(schemaSource)
	for path, want := range map[string]string{
		"#re.timestamp":  timestampRe.String(),
		"#re.constraint": constraintRe.String(),
	} {
		s, err := v.LookupPath(cue.ParsePath(path)).String()
		if err != nil || s != want {
			t.Errorf("%s: schema %q (%v)\n    Go %q", path, s, err, want)
		}
	}
	var targets []string
	if err := v.LookupPath(cue.ParsePath("#DefaultTargets")).Decode(&targets); err != nil || !reflect.DeepEqual(targets, defaultTargets) {
		t.Errorf("#DefaultTargets %v (%v), Go %v", targets, err, defaultTargets)
	}
}

// TestLongDescriptionAllowed: LongVarDescription lifts the limit.
func TestLongDescriptionAllowed(t *testing.T) {
	long := strings.Repeat("x", MaxVarDescription+1)
	body := "timestamp: 2024-05-01\n" + minimalYAML + "options:\n  color: {description: " + long + "}\n"
	if _, err := Parse("r.yaml", []byte(body)); err == nil || !strings.Contains(err.Error(), "LongVarDescription") {
		t.Errorf("want the limit reported, got %v", err)
	}
	if _, err := Parse("r.yaml", []byte(body+"validation: [{allow: LongVarDescription}]\n")); err != nil {
		t.Error(err)
	}
}

// TestRepoFeeds: a repository file's feeds reach every recipe of the file;
// a feed without its pin, or with an index URL that names no index, is
// reported at the feed.
func TestRepoFeeds(t *testing.T) {
	dir := t.TempDir()
	head := "    version: 1.0-1\n    summary: s\n    license: MIT\n    maintainer: A <a@example.org>\n    timestamp: 2024-05-01\n"
	sum := strings.Repeat("ab", 32)
	good := "feeds:\n  - {url: http://127.0.0.1:8080/armv7/Packages.gz, sha256: " + sum + ", arch: armv7}\nrecipes:\n  a:\n" + head + "  b:\n" + head
	os.WriteFile(filepath.Join(dir, "kiln.yaml"), []byte(good), 0o644)
	rs, err := LoadRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Feed{{URL: "http://127.0.0.1:8080/armv7/Packages.gz", SHA256: sum, Arch: "armv7"}}
	for _, r := range rs {
		if !reflect.DeepEqual(r.Feeds, want) {
			t.Errorf("recipe %s: feeds %+v, want %+v", r.Name, r.Feeds, want)
		}
	}
	bad := "feeds:\n  - {url: http://127.0.0.1:8080/armv7/, arch: armv7}\nrecipes:\n  a:\n" + head
	os.WriteFile(filepath.Join(dir, "kiln.yaml"), []byte(bad), 0o644)
	_, err = LoadRepo(dir)
	for _, w := range []string{"feeds.0.url: \"http://127.0.0.1:8080/armv7/\" is not an http(s) URL of a feed index", "feeds.0: field \"sha256\" is required: a feed index is pinned by its checksum"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("LoadRepo(bad feeds) = %v, want %q", err, w)
		}
	}
}
