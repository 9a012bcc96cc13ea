package schema

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.golden from the current output")

// TestGood: the same recipe in CUE, YAML and JSON decodes to one Recipe.
func TestGood(t *testing.T) {
	want := &Recipe{
		Name:        "hello",
		Version:     "1:1.2.0~beta1-3",
		Summary:     "Friendly greeter",
		Description: "Prints a greeting.\nTwo lines of description.\n",
		License:     "MIT",
		Homepage:    "https://example.org/hello",
		Maintainer:  "Jane Doe <jane@example.org>",
		Section:     "utils",
		Timestamp:   "2024-05-01T00:00:00Z",
		Targets:     []string{"x86_64", "aarch64"},
		Sources: []Source{
			{Path: "src", Dest: "src"},
			{URL: "https://example.org/hello-1.2.0.tar.gz", SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Extract: ptr(true), Strip: ptr(1)},
			{URL: "https://example.org/hello.1", SHA256: "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", Extract: ptr(false), Filename: "hello.1"},
			{Git: "https://example.org/hello.git", Commit: "0123456789abcdef0123456789abcdef01234567", Dest: "vendor/hello"},
		},
		Depends:     []string{"libc6 >= 2.31", "oxide=1.2", "draft<<2.0", "zlib"},
		Makedepends: []string{"build:cmake", "host:zlib >= 1.2", "make"},
		Conflicts:   []string{"hello-legacy"},
		Prepare:     "patch -p1 < fix.patch",
		Build:       `make CC="$CC"`,
		Package:     `install -D -m 755 hello "$pkgdir/opt/bin/hello"`,
		Dir:         filepath.Join("testdata", "good"),
		Epoch:       1714521600,
	}
	for _, name := range []string{"hello.cue", "hello.yaml", "hello.json"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join("testdata", "good", name)
			got, err := Load(file)
			if err != nil {
				t.Fatal(err)
			}
			want.File = file
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if k := got.Sources[3].Kind(); k != "git" {
				t.Errorf("Kind() = %q", k)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestBad compares the rendered errors of every testdata/bad recipe with
// its .golden file; go test -update rewrites them.
func TestBad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, file := range files {
		if strings.HasSuffix(file, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(file), func(t *testing.T) {
			_, err := LoadRepo(file)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %T %v", err, err)
			}
			for _, e := range errs {
				if e.File != file {
					t.Errorf("error names %q, want %q", e.File, file)
				}
				if strings.Contains(e.Field, "#Recipe") || strings.Contains(e.Msg, "#Recipe") {
					t.Errorf("schema path leaks: %v", e)
				}
			}
			got := err.Error() + "\n"
			golden := file + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
	if n < 20 {
		t.Errorf("only %d bad recipes found", n)
	}
}

func TestErrorRendering(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.yaml", Line: 3, Col: 5, Field: "sources.1.sha256", Msg: "bad"}, "a.yaml:3:5: sources.1.sha256: bad"},
		{Error{File: "a.yaml", Line: 3, Msg: "bad"}, "a.yaml:3: bad"},
		{Error{File: "a.yaml", Field: "version", Msg: "bad"}, "a.yaml: version: bad"},
		{Error{File: "a.yaml", Msg: "bad"}, "a.yaml: bad"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	es := Errors{{File: "b", Line: 2, Msg: "y"}, {File: "b", Line: 1, Msg: "x"}, {File: "b", Line: 2, Msg: "y"}}.normalize()
	if got, want := es.Error(), "b:1: x\nb:2: y"; got != want {
		t.Errorf("normalize: got %q, want %q", got, want)
	}
}

// TestTimestamps: every accepted spelling, in YAML both quoted and not
// (YAML would otherwise read some as its own timestamp type), and in CUE.
func TestTimestamps(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"2024-05-01", 1714521600},
		{"2024-05-01T00:00:00Z", 1714521600},
		{"2024-05-01T12:30Z", 1714566600},
		{"2024-05-01T12:30:15Z", 1714566615},
		{"2024-05-01T12:30:15.250Z", 1714566615},
		{"2024-05-01t12:30:15z", 1714566615},
		{"2024-05-01 12:30:15Z", 1714566615},
		{"2024-05-01T12:30:15+02:00", 1714559415},
		{"2024-05-01T12:30:15-0130", 1714572015},
		{"2024-05-01T12:30+0200", 1714559400},
		{"2024-05-01T12:30:15.5-07:00", 1714591815},
		{"1970-01-01T00:00:00Z", 0},
	} {
		t.Run(tc.in, func(t *testing.T) {
			ts, err := ParseTimestamp(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if ts.Unix() != tc.want {
				t.Errorf("ParseTimestamp = %d, want %d", ts.Unix(), tc.want)
			}
			for name, recipe := range map[string]string{
				"plain.yaml":  "timestamp: " + tc.in + "\n",
				"quoted.yaml": `timestamp: "` + tc.in + "\"\n",
				"r.json":      `{"timestamp": "` + tc.in + `", ` + strings.TrimPrefix(minimalJSON, "{"),
				"r.cue":       `timestamp: "` + tc.in + "\"\n" + minimalCUE,
			} {
				if strings.HasSuffix(name, ".yaml") {
					recipe += minimalYAML
				}
				r, err := Parse(name, []byte(recipe))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if r.Epoch != tc.want || r.Timestamp != tc.in {
					t.Errorf("%s: Epoch %d Timestamp %q", name, r.Epoch, r.Timestamp)
				}
			}
		})
	}
	for _, in := range []string{"", "2024-05-01T12:00", "2024-5-1", "2024-05-01T12Z", "2024-05-01T12:00:00", "2024-05-01T12:00+2", "2024-13-01", "2024-02-30", "2024-05-01T24:00Z", "2024-05-01T12:00+25:00", "May 1, 2024"} {
		if ts, err := ParseTimestamp(in); err == nil {
			t.Errorf("ParseTimestamp(%q) = %v, want error", in, ts)
		}
	}
}

const (
	minimalYAML = "name: hello\nversion: 1.0-1\nsummary: Greeter\nlicense: MIT\nmaintainer: Jane Doe <jane@example.org>\n"
	minimalCUE  = "name: \"hello\"\nversion: \"1.0-1\"\nsummary: \"Greeter\"\nlicense: \"MIT\"\nmaintainer: \"Jane Doe <jane@example.org>\"\n"
	minimalJSON = `{"name": "hello", "version": "1.0-1", "summary": "Greeter", "license": "MIT", "maintainer": "Jane Doe <jane@example.org>"}`
)

func TestDefaults(t *testing.T) {
	r, err := Parse("r.yaml", []byte(minimalYAML+"timestamp: 2024-05-01\nsources:\n  - url: https://example.org/a.tar.gz\n    sha256: \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"x86_64", "aarch64", "armv7"}; !reflect.DeepEqual(r.Targets, want) {
		t.Errorf("Targets = %v, want %v", r.Targets, want)
	}
	if s := r.Sources[0]; s.Extract == nil || !*s.Extract || !s.ShouldExtract() || s.Kind() != "url" {
		t.Errorf("url source: %+v", s)
	}
}

func TestParseUnknownFormat(t *testing.T) {
	_, err := Parse("recipe.toml", []byte("name = 'x'"))
	if err == nil || err.Error() != `recipe.toml: unknown recipe format ".toml" (want .cue, .yaml, .yml or .json)` {
		t.Errorf("got %v", err)
	}
}

// TestSyntaxDirective: a BuildKit "# syntax=" first line is blanked in
// every format, and later line numbers are unchanged.
func TestSyntaxDirective(t *testing.T) {
	const directive = "# syntax=127.0.0.1:5000/kiln-frontend\n"
	for name, body := range map[string]string{
		"r.cue":  "timestamp: \"2024-05-01\"\n" + minimalCUE,
		"r.yaml": "timestamp: 2024-05-01\n" + minimalYAML,
		"r.json": `{"timestamp": "2024-05-01", ` + strings.TrimPrefix(minimalJSON, "{"),
	} {
		if _, err := Parse(name, []byte(directive+body)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		_, err := Parse(name, []byte(directive+strings.Replace(body, "hello", "Hello", 1)))
		var errs Errors
		if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != "name" || errs[0].Line < 2 {
			t.Errorf("%s: want one error at name below line 1, got %v", name, err)
		}
	}
}

func TestLoadDir(t *testing.T) {
	write := func(dir, name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("none", func(t *testing.T) {
		dir := t.TempDir()
		write(dir, "README", "not a recipe")
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), dir+": no recipe found (want one of kiln.cue, kiln.yaml, kiln.yml, kiln.json)") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("one", func(t *testing.T) {
		dir := t.TempDir()
		write(dir, "kiln.yml", "timestamp: 2024-05-01\n"+minimalYAML)
		r, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if r.File != filepath.Join(dir, "kiln.yml") || r.Dir != dir || r.Name != "hello" {
			t.Errorf("File %q Dir %q Name %q", r.File, r.Dir, r.Name)
		}
	})
	t.Run("several", func(t *testing.T) {
		dir := t.TempDir()
		write(dir, "kiln.cue", "timestamp: \"2024-05-01\"\n"+minimalCUE)
		write(dir, "kiln.json", minimalJSON)
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), dir+": several recipes found (kiln.cue, kiln.json); keep exactly one") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "nope"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		dir := t.TempDir()
		write(dir, "kiln.yaml", minimalYAML)
		_, err := Load(dir)
		want := filepath.Join(dir, "kiln.yaml") + `:1:1: field "timestamp" is required`
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
}

// TestExamples: the project's examples are recipes too, each loadable on
// its own and all of them as one repository.
func TestExamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*", "kiln.*"))
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for _, file := range files {
		if _, err := LoadRepo(file); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
	rs, err := LoadRepo(filepath.Join("..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < len(files) {
		t.Errorf("%d recipes from %d files", len(rs), len(files))
	}
}

// TestConcurrentLoads exercises the evaluator pool under -race, enough
// loads for evaluators to be retired and replaced (maxUses).
func TestConcurrentLoads(t *testing.T) {
	n := 3 * maxUses
	if testing.Short() {
		n = 16
	}
	work := make(chan int)
	done := make(chan error)
	for range 4 {
		go func() {
			for i := range work {
				name, data := genRecipe(i)
				r, err := Parse(name, data)
				if err == nil && r.Name != fmt.Sprintf("pkg%d", i) {
					err = fmt.Errorf("recipe %d decoded as %q", i, r.Name)
				}
				done <- err
			}
		}()
	}
	go func() {
		for i := range n {
			work <- i
		}
		close(work)
	}()
	for range n {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestYAMLLineBreaks: CRLF and the other breaks yaml/v3 accepts parse, and
// positions still count lines the way editors do.
func TestYAMLLineBreaks(t *testing.T) {
	body := "timestamp: 2024-05-01\n" + minimalYAML + "bogus: 1\n"
	for name, nl := range map[string]string{"crlf": "\r\n", "cr": "\r", "nel": "\u0085", "ls": "\u2028"} {
		_, err := Parse("r.yaml", []byte(strings.ReplaceAll(body, "\n", nl)))
		if err == nil || err.Error() != "r.yaml:7:1: bogus: unknown field" {
			t.Errorf("%s: got %v", name, err)
		}
	}
}
