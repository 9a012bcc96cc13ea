package lock

import (
	"strings"
	"testing"

	"github.com/kiln-build/kiln/schema"
)

const head = `name: app
version: 1.0-1
summary: App
license: MIT
maintainer: A <a@example.org>
timestamp: 2024-05-01
`

// cueHead is head in CUE.
const cueHead = `name:       "app"
version:    "1.0-1"
summary:    "App"
license:    "MIT"
maintainer: "A <a@example.org>"
timestamp:  "2024-05-01"
`

// repoDefaults starts a repository file: head's fields but the name.
const repoDefaults = `defaults:
  version: 1.0-1
  summary: App
  license: MIT
  maintainer: A <a@example.org>
  timestamp: 2024-05-01
`

const commit = "0123456789abcdef0123456789abcdef01234567"
const sum = "89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"
const digest = "sha256:" + sum

// fill resolves every pin with a fixed value of its kind.
func fill(pins []*Pin) {
	for _, p := range pins {
		p.Value = map[string]string{Commit: commit, SHA256: sum, Digest: digest}[p.Kind]
	}
}

func TestYAML(t *testing.T) {
	src := head + `# the sources
sources:
  - git: https://example.org/tool.git  # upstream
    ref: v1.0
  - url: https://example.org/a.tar.gz
    strip: 1
  - {gomod: ., dest: x}
  - path: src
  - script: |
      curl -o "$out/a" https://example.org/a
    network: true
per_target:
  x86_64:
    sources:
      - git: https://example.org/other.git
`
	pins, err := Find("kiln.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pins {
		got = append(got, p.Field+" "+p.Kind+" "+p.Git+p.Ref+p.URL)
	}
	want := []string{
		"sources.0 commit https://example.org/tool.gitv1.0",
		"sources.1 sha256 https://example.org/a.tar.gz",
		"sources.2 digest ",
		"sources.4 digest ",
		"per_target.x86_64.sources.0 commit https://example.org/other.git",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("pins:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	fill(pins)
	out, err := Apply("kiln.yaml", []byte(src), pins)
	if err != nil {
		t.Fatal(err)
	}
	wantOut := head + `# the sources
sources:
  - commit: "` + commit + `"
    git: https://example.org/tool.git  # upstream
    ref: v1.0
  - sha256: "` + sum + `"
    url: https://example.org/a.tar.gz
    strip: 1
  - {digest: "` + digest + `", gomod: ., dest: x}
  - path: src
  - digest: "` + digest + `"
    script: |
      curl -o "$out/a" https://example.org/a
    network: true
per_target:
  x86_64:
    sources:
      - commit: "` + commit + `"
        git: https://example.org/other.git
`
	if string(out) != wantOut {
		t.Errorf("locked:\n%s\nwant:\n%s", out, wantOut)
	}
	// The result is a valid recipe with nothing left open.
	r, err := schema.Parse("kiln.yaml", out)
	if err != nil {
		t.Fatalf("locked recipe: %v", err)
	}
	if r.Sources[0].Commit != commit || r.Sources[0].Ref != "v1.0" || r.Sources[2].Digest != digest {
		t.Errorf("decoded %+v", r.Sources)
	}
	if again, _ := Find("kiln.yaml", out); len(again) != 0 {
		t.Errorf("still open: %v", again)
	}
}

func TestJSON(t *testing.T) {
	src := `{
  "name": "app", "version": "1.0-1", "summary": "App", "license": "MIT",
  "maintainer": "A <a@example.org>", "timestamp": "2024-05-01",
  "sources": [
    {
      "git": "https://example.org/tool.git",
      "ref": "v1.0"
    },
    {"url": "https://example.org/a.tar.gz"}
  ]
}
`
	pins, err := Find("kiln.json", []byte(src))
	if err != nil || len(pins) != 2 {
		t.Fatalf("pins %v, %v", pins, err)
	}
	fill(pins)
	out, err := Apply("kiln.json", []byte(src), pins)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(src, `{
      "git"`, `{
      "commit": "`+commit+`",
      "git"`, 1), `{"url"`, `{"sha256": "`+sum+`", "url"`, 1)
	if string(out) != want {
		t.Errorf("locked:\n%s\nwant:\n%s", out, want)
	}
	if _, err := schema.Parse("kiln.json", out); err != nil {
		t.Errorf("locked recipe: %v", err)
	}
}

func TestCUE(t *testing.T) {
	src := `# syntax=registry.test/kiln/frontend
// the app
` + cueHead + `sources: [
	// from upstream
	{git: "https://example.org/tool.git", ref: "v1.0"},
	{
		url: "https://example.org/a.tar.gz" // the release
	},
	{path: "src"},
	{npm: "."},
]
`
	pins, err := Find("kiln.cue", []byte(src))
	if err != nil || len(pins) != 3 {
		t.Fatalf("pins %v, %v", pins, err)
	}
	fill(pins)
	out, err := Apply("kiln.cue", []byte(src), pins)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# syntax=registry.test/kiln/frontend\n// the app\n", "// from upstream", "// the release",
		`commit: "` + commit + `"`, `sha256: "` + sum + `"`, `digest: "` + digest + `"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("locked CUE lacks %q:\n%s", want, out)
		}
	}
	r, err := schema.Parse("kiln.cue", out)
	if err != nil {
		t.Fatalf("locked recipe: %v\n%s", err, out)
	}
	if r.Sources[0].Commit != commit || r.Sources[1].SHA256 != sum || r.Sources[3].Digest != digest {
		t.Errorf("decoded %+v", r.Sources)
	}
}

// TestApplyTwice: pins found on one version of a file apply to a later
// one (kiln lock writes commits first, digests after).
func TestApplyTwice(t *testing.T) {
	src := head + `sources:
  - url: https://example.org/a.tar.gz
  - {gomod: .}
`
	pins, err := Find("kiln.yaml", []byte(src))
	if err != nil || len(pins) != 2 {
		t.Fatalf("pins %v, %v", pins, err)
	}
	fill(pins)
	once, err := Apply("kiln.yaml", []byte(src), pins[:1])
	if err != nil {
		t.Fatal(err)
	}
	twice, err := Apply("kiln.yaml", once, pins[1:])
	if err != nil {
		t.Fatal(err)
	}
	want := head + `sources:
  - sha256: "` + sum + `"
    url: https://example.org/a.tar.gz
  - {digest: "` + digest + `", gomod: .}
`
	if string(twice) != want {
		t.Errorf("got:\n%s\nwant:\n%s", twice, want)
	}
}

// TestRepoFile: in a repository file every recipe's literal sources are
// found, named by recipe (Recipe, Source) and by path in the file.
func TestRepoFile(t *testing.T) {
	yamlSrc := repoDefaults + `recipes:
  app:
    sources:
      - path: src
      - {gomod: .}
  tool:
    sources:
      - git: https://example.org/tool.git  # upstream
        ref: v1.0
    per_target:
      x86_64:
        sources:
          - url: https://example.org/a.tar.gz
`
	cueSrc := `#defaults: {
	version:    "1.0-1"
	summary:    "App"
	license:    "MIT"
	maintainer: "A <a@example.org>"
	timestamp:  "2024-05-01"
}
recipes: [string]: #defaults
recipes: app: sources: [{path: "src"}, {gomod: "."}]
recipes: {
	// the tool
	tool: {
		sources: [{git: "https://example.org/tool.git", ref: "v1.0"}]
		per_target: x86_64: sources: [{url: "https://example.org/a.tar.gz"}]
	}
}
`
	want := []string{
		"recipes.app.sources.1 digest app sources.1",
		"recipes.tool.sources.0 commit tool sources.0",
		"recipes.tool.per_target.x86_64.sources.0 sha256 tool per_target.x86_64.sources.0",
	}
	for file, src := range map[string]string{"repo.yaml": yamlSrc, "repo.cue": cueSrc} {
		t.Run(file, func(t *testing.T) {
			pins, err := Find(file, []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pins {
				got = append(got, strings.Join([]string{p.Field, p.Kind, p.Recipe, p.Source}, " "))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("pins:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			fill(pins)
			out, err := Apply(file, []byte(src), pins)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := schema.ParseRepo(file, out)
			if err != nil {
				t.Fatalf("locked repository: %v\n%s", err, out)
			}
			byName := map[string]*schema.Recipe{}
			for _, r := range rs {
				byName[r.Name] = r
			}
			app, tool := byName["app"], byName["tool"]
			if app == nil || tool == nil || app.Sources[1].Digest != digest || tool.Sources[0].Commit != commit ||
				tool.PerTarget["x86_64"].Sources[0].SHA256 != sum {
				t.Errorf("locked repository decodes to %+v, %+v\n%s", app, tool, out)
			}
			if !strings.Contains(string(out), "# upstream") && !strings.Contains(string(out), "// the tool") {
				t.Errorf("comments lost:\n%s", out)
			}
			if again, _ := Find(file, out); len(again) != 0 {
				t.Errorf("still open: %v", again)
			}
		})
	}
}

// TestComputed: sources CUE computes (or a repository's defaults give)
// are open once evaluated but have no literal to write into; Computed
// tells them from those Find found.
func TestComputed(t *testing.T) {
	cueSrc := "#go: {gomod: \".\"}\n" + cueHead + `sources: [{path: "src"}, #go, {npm: "web"}, #go & {digest: "` + digest + `"}]
`
	yamlSrc := repoDefaults + `  sources: [{gomod: .}]
recipes:
  app: {}
  tool:
    sources: [{npm: .}]
`
	for _, c := range []struct{ file, src, written, computed string }{
		{"kiln.cue", cueSrc, "sources.2", "sources.1"},
		{"repo.yaml", yamlSrc, "recipes.tool.sources.0", "recipes.app.sources.0"},
	} {
		t.Run(c.file, func(t *testing.T) {
			literal, err := Find(c.file, []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			open, err := Open(c.file, []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			written, computed := Computed(open, literal)
			fields := func(ps []*Pin) string {
				var out []string
				for _, p := range ps {
					out = append(out, p.Field)
				}
				return strings.Join(out, " ")
			}
			if fields(written) != c.written || fields(computed) != c.computed {
				t.Errorf("written %q, computed %q; want %q, %q", fields(written), fields(computed), c.written, c.computed)
			}
		})
	}
}
