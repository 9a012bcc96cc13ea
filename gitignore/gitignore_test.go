package gitignore

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
)

func TestConvert(t *testing.T) {
	for _, c := range []struct{ line, base, want string }{
		{"*.o", ".", "**/*.o"},
		{"/build", ".", "build"},
		{"build/", ".", "**/build/**"},
		{"/build/", ".", "build/**"},
		{"docs/*.html", ".", "docs/*.html"},
		{"!keep/**", ".", "!keep/**"},
		{"*.tmp", "sub", "sub/**/*.tmp"},
		{"/out", "sub", "sub/out"},
		{"**/x", "sub", "sub/**/x"},
		{"a/**/b", ".", "a/**/b"},
		{"a**b", ".", "**/a*b"},
		{"***", ".", "**"},
		{"*.tmp", "we*rd [1]", `we\*rd \[1\]/**/*.tmp`},
		{"x", "!odd", `\!odd/**/x`},
		{`\#notcomment`, ".", `**/\#notcomment`},
		{`\!bang`, ".", `**/\!bang`},
		{`\a\.b`, ".", `**/a\.b`},
		{"a^b", ".", `**/a\^b`},
		{"x]", ".", `**/x\]`},
		{"[!x]y", ".", "**/[^x]y"},
		{"[]x]", ".", `**/[\]x]`},
		{"[*?]", ".", `**/[\*\?]`},
		{"[[:digit:]]z", ".", "**/[[:digit:]]z"},
		{"trailing\\ ", ".", "**/trailing[ ]"},
		{"spaces   ", ".", "**/spaces"},
		{"tab\t", ".", "**/tab[\t]"},
		{"/ lead", ".", "[ ]lead"},
		{"crlf\r", ".", "**/crlf"},
	} {
		got := Convert(c.line, c.base)
		if strings.HasPrefix(c.line, "!") {
			got = got[:1] // see TestConvertNegation
		}
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("Convert(%q, %q) = %q; want %q", c.line, c.base, got, c.want)
		}
	}
	// Nothing for blank lines, comments and what git never matches.
	for _, skip := range []string{"", "   ", "# comment", "/", "!", "[abc", `trailing\`} {
		if got := Convert(skip, "."); got != nil {
			t.Errorf("Convert(%q) = %q, want nothing", skip, got)
		}
	}
}

// TestConvertNegation: an exception also re-includes below what it matches.
func TestConvertNegation(t *testing.T) {
	for line, want := range map[string][]string{
		"!keep.o": {"!**/keep.o", "!**/keep.o/**"},
		"!keep/":  {"!**/keep", "!**/keep/**"},
		"!/a/**":  {"!a/**"},
		"!**":     {"!**"},
	} {
		if got := Convert(line, "."); !reflect.DeepEqual(got, want) {
			t.Errorf("Convert(%q) = %q, want %q", line, got, want)
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
	want := []string{".git", "**/.git", "**/*.o", "hello", "!**/keep.o", "!**/keep.o/**", "sub/**/gen/**"}
	if !reflect.DeepEqual(pats, want) {
		t.Fatalf("patterns = %q, want %q", pats, want)
	}
	pm, err := patternmatcher.New(pats)
	if err != nil {
		t.Fatal(err)
	}
	for p, excluded := range map[string]bool{
		"main.c": false, "main.o": true, "deep/x/y.o": true, "keep.o": false,
		"hello": true, "src/hello": false, "sub/gen/f": true, "sub/a/gen/f": true,
		"sub/gen": false, // "gen/" is for directories: a file named gen stays
		"gen/f":   false, ".git/config": true,
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
