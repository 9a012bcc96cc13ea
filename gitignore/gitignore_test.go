package gitignore

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/moby/patternmatcher"
)

func TestConvert(t *testing.T) {
	for _, c := range []struct{ line, base, want string }{
		{"*.o", ".", "**/*.o"},
		{"/build", ".", "build"},
		{"build/", ".", "**/build"},
		{"docs/*.html", ".", "docs/*.html"},
		{"!keep.o", ".", "!**/keep.o"},
		{"*.tmp", "sub", "sub/**/*.tmp"},
		{"/out", "sub", "sub/out"},
		{`\#notcomment`, ".", "**/#notcomment"},
	} {
		got, ok := Convert(c.line, c.base)
		if !ok || got != c.want {
			t.Errorf("Convert(%q, %q) = %q, %v; want %q", c.line, c.base, got, ok, c.want)
		}
	}
	for _, skip := range []string{"", "   ", "# comment", "/"} {
		if _, ok := Convert(skip, "."); ok {
			t.Errorf("Convert(%q) should be skipped", skip)
		}
	}
}

// TestPatternsMatch checks the converted patterns with BuildKit's own matcher.
func TestPatternsMatch(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitignore", "*.o\n/hello\n!keep.o\n")
	write("sub/.gitignore", "gen/\n")
	pats, err := Patterns(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".git", "**/.git", "**/*.o", "hello", "!**/keep.o", "sub/**/gen"}
	if !reflect.DeepEqual(pats, want) {
		t.Fatalf("patterns = %q, want %q", pats, want)
	}
	pm, err := patternmatcher.New(pats)
	if err != nil {
		t.Fatal(err)
	}
	for p, excluded := range map[string]bool{
		"main.c": false, "main.o": true, "deep/x/y.o": true, "keep.o": false,
		"hello": true, "src/hello": false, "sub/gen": true, "sub/a/gen/f": true,
		"gen/f": false, ".git/config": true,
	} {
		got, err := pm.MatchesOrParentMatches(p)
		if err != nil {
			t.Fatal(err)
		}
		if got != excluded {
			t.Errorf("%s: excluded = %v, want %v", p, got, excluded)
		}
	}
}
