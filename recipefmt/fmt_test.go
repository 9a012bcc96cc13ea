package recipefmt

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/golden"
	"github.com/kiln-build/kiln/schema"
)

func TestGolden(t *testing.T) {
	for _, name := range []string{"messy.yaml", "repo.yaml", "syntax.cue"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			out, err := Source(name, data)
			if err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, name, string(out))
			again, err := Source(name, out)
			if err != nil || string(again) != string(out) {
				t.Errorf("formatting twice changes the file again (%v)", err)
			}
		})
	}
}

// TestMeaningKept: every example and good test recipe reads the same
// before and after formatting, and formatting is idempotent.
func TestMeaningKept(t *testing.T) {
	var files []string
	for _, pat := range []string{"../examples/*/kiln.*", "../schema/testdata/good/*.*", "testdata/*.yaml"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("only %d files", len(files))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Source(f, data)
			if err != nil {
				t.Fatal(err)
			}
			before, err1 := schema.ParseRepo(f, data)
			after, err2 := schema.ParseRepo(f, out)
			if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(before, after) {
				t.Errorf("formatting changed the recipe:\n%s\nerrors %v / %v", out, err1, err2)
			}
			if again, _ := Source(f, out); string(again) != string(out) {
				t.Errorf("not idempotent:\n%s\n---\n%s", out, again)
			}
		})
	}
}

// TestFieldOrderMatchesREADME: FieldOrder is the README's field table.
func TestFieldOrderMatchesREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "| field | required | meaning |\n")
	if !ok {
		t.Fatal("README has no field table")
	}
	name := regexp.MustCompile("`([a-z_]+)`")
	var fields []string
	for _, row := range strings.Split(table, "\n")[1:] {
		if !strings.HasPrefix(row, "| `") {
			break
		}
		first := strings.Split(row, "|")[1]
		for _, m := range name.FindAllStringSubmatch(first, -1) {
			fields = append(fields, m[1])
		}
	}
	if strings.Join(fields, " ") != strings.Join(FieldOrder, " ") {
		t.Errorf("README's field table:\n%v\nFieldOrder:\n%v", fields, FieldOrder)
	}
}

// TestRefused: what formatting cannot do safely is an error naming the
// file, and nothing is returned to write.
func TestRefused(t *testing.T) {
	for name, tc := range map[string]struct{ src, err string }{
		"alias.yaml":        {"version: 1.0-1\nname: &n hello\nsummary: *n\n", ""}, // anchor stays first
		"anchor-moves.yaml": {"summary: &s hello\nname: *s\nversion: 1.0-1\n", "would change what the file says"},
		"multi.yaml":        {"name: a\n---\nname: b\n", "several YAML documents"},
		"broken.yaml":       {"name: [a\n", "broken.yaml"},
		"broken.cue":        {"name: {\n", "broken.cue"},
	} {
		out, err := Source(name, []byte(tc.src))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.err != "" && (err == nil || out != nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), name)):
			t.Errorf("%s: formatted as %q (%v), want an error saying %q", name, out, err, tc.err)
		}
	}
}
