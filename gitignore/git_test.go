package gitignore

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// gitTree is a source tree with tricky .gitignore files: a name that is a
// file in one place and a directory in another, nested .gitignore files
// (one in a directory whose name has glob characters, one in a directory
// that sorts before ".gitignore", one in an ignored directory), negations,
// "**", anchors, escapes, trailing spaces and tabs, classes. A name ending
// in "/" is an empty directory; every other entry is a file.
var gitTree = map[string]string{
	".gitignore": `# a comment, then a blank line

*.o
!keep.o
build/
/top
docs/*.html
**/gen/**
a**b
[!x]y.txt
*.d/
/anch/dir/
trailing\ 
spaces   
\#hash
\!bang
a^b
paren(1).txt
vendor
!vendor/
!sub/build/keep.txt
logs/
!logs/important.log
tab	
\[literal]
\a\b\c
empty-dir/
linkdir/
build-link/
`,
	"build":                 "a file named build",
	"build.txt":             "",
	"sub/build/out.bin":     "",
	"sub/build/keep.txt":    "",
	"sub/build/.gitignore":  "!*\n",
	"src/build/x.c":         "",
	"src/.gitignore":        "!main.o\n/local/\n",
	"src/main.o":            "",
	"src/other.o":           "",
	"src/top":               "",
	"src/local/f":           "",
	"src/x/local/f":         "",
	"src/vendor":            "a file named vendor",
	"keep.o":                "",
	"main.o":                "",
	"top":                   "",
	"docs/a.html":           "",
	"docs/readme":           "",
	"docs/sub/b.html":       "",
	"x/gen/y.c":             "",
	"gen":                   "",
	"axb":                   "",
	"ab":                    "",
	"ax/b":                  "",
	"ay.txt":                "",
	"xy.txt":                "",
	"deps.d/f":              "",
	"file.d":                "",
	"anch/dir/f":            "",
	"anch/x/anch/dir/f":     "",
	"trailing ":             "",
	"trailing":              "",
	"spaces":                "",
	"#hash":                 "",
	"!bang":                 "",
	"a^b":                   "",
	"paren(1).txt":          "",
	"paren1.txt":            "",
	"vendor/lib.go":         "",
	"logs/important.log":    "",
	"logs/x.log":            "",
	"tab\t":                 "",
	"[literal]":             "",
	"l":                     "",
	"abc":                   "",
	"empty-dir/":            "",
	"kept-empty/":           "",
	"-x/.gitignore":         "!*.o\n",
	"-x/y.o":                "",
	"we*rd/.gitignore":      "inner\n",
	"we*rd/inner":           "",
	"weXrd/inner":           "",
	"wl/.gitignore":         "/*\n!/src/\n",
	"wl/a.txt":              "",
	"wl/src/main.c":         "",
	"only-c/.gitignore":     "*\n!*/\n!*.c\n",
	"only-c/a.c":            "",
	"only-c/a.txt":          "",
	"only-c/sub/b.c":        "",
	"only-c/sub/b.txt":      "",
	"deep/a/b/c/.gitignore": "!/x.o\n",
	"deep/a/b/c/x.o":        "",
	"deep/a/b/c/y.o":        "",
	"sub2/.gitignore":       "!build/\n",
	"sub2/build/f":          "",
	"only-c/odd [1]*?.txt ": "",
	"only-c/!neg":           "",
}

// gitLinks are symbolic links of gitTree: git matches them as files, even
// when they point to a directory.
var gitLinks = map[string]string{
	"linkdir":        "src",
	"src/build-link": "build",
}

// fromFilesOnly are the paths where the patterns of FromFiles (what the
// frontend has: the .gitignore files, not the tree) send what git ignores,
// and why; the package comment has the general rules.
var fromFilesOnly = map[string]string{
	"sub/build":             `"build/" cannot exclude the directory itself`,
	"src/build":             `"build/" cannot exclude the directory itself`,
	"deps.d":                `"*.d/" cannot exclude the directory itself`,
	"anch/dir":              `"/anch/dir/" cannot exclude the directory itself`,
	"logs":                  `"logs/" cannot exclude the directory itself`,
	"empty-dir":             `"empty-dir/" cannot exclude the directory itself`,
	"src/local":             `"/local/" cannot exclude the directory itself`,
	"sub/build/keep.txt":    `"!sub/build/keep.txt" re-includes below an ignored directory`,
	"logs/important.log":    `"!logs/important.log" re-includes below an ignored directory`,
	"src/vendor":            `"!vendor/" re-includes files named vendor too`,
	"only-c/a.txt":          `"!*/" re-includes everything below`,
	"only-c/sub/b.txt":      `"!*/" re-includes everything below`,
	"only-c/.gitignore":     `"!*/" re-includes everything below`,
	"only-c/odd [1]*?.txt ": `"!*/" re-includes everything below`,
	"only-c/!neg":           `"!*/" re-includes everything below`,
}

// TestAgainstGit compares, for every path of gitTree, what BuildKit's
// local source sends with kiln's patterns against git check-ignore.
func TestAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: this test compares with git check-ignore")
	}
	dir := t.TempDir()
	for name, content := range gitTree {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range gitLinks {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	git(t, dir, nil, "init", "-q")
	var paths []string
	isDir := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		paths, isDir[rel] = append(paths, rel), d.IsDir()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ignored := checkIgnore(t, dir, paths)

	t.Run("Patterns", func(t *testing.T) {
		pats, err := Patterns(dir)
		if err != nil {
			t.Fatal(err)
		}
		compare(t, dir, pats, paths, isDir, ignored, nil)
	})
	t.Run("FromFiles", func(t *testing.T) {
		// The frontend's way: the .gitignore files, not the tree, and
		// in the order a walk finds them ("-x" before ".gitignore").
		files := map[string][]byte{}
		for _, p := range paths {
			if path.Base(p) == ".gitignore" {
				data, err := os.ReadFile(filepath.Join(dir, p))
				if err != nil {
					t.Fatal(err)
				}
				files[p] = data
			}
		}
		compare(t, dir, FromFiles(files), paths, isDir, ignored, fromFilesOnly)
	})
}

// compare checks what BuildKit sends of dir with excludes pats against
// git's decisions: never anything git keeps left out, and nothing git
// ignores sent but the known paths (a directory may come empty).
func compare(t *testing.T, dir string, pats, paths []string, isDir, ignored map[string]bool, known map[string]string) {
	t.Helper()
	sent, err := sends(dir, pats)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		switch {
		case ignored[p] && sent[p] && known[p] != "":
		case ignored[p] && sent[p]:
			t.Errorf("%s: git ignores it, kiln sends it", p)
		case !ignored[p] && !sent[p] && !isDir[p]:
			t.Errorf("%s: git keeps it, kiln leaves it out", p)
		case known[p] != "" && (!ignored[p] || !sent[p]):
			t.Errorf("%s: known to differ (%s), but does not", p, known[p])
		}
	}
	if t.Failed() {
		t.Logf("patterns:\n%s", strings.Join(pats, "\n"))
	}
}

// checkIgnore asks git which of paths it ignores.
func checkIgnore(t *testing.T, dir string, paths []string) map[string]bool {
	t.Helper()
	out := git(t, dir, []byte(strings.Join(paths, "\x00")+"\x00"), "check-ignore", "--no-index", "--stdin", "-z", "-v", "-n")
	// Records of four fields: source, line number, pattern, path; a
	// path no pattern matches has empty ones.
	f := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(f)%4 != 0 {
		t.Fatalf("git check-ignore: %q", out)
	}
	ignored := map[string]bool{}
	for i := 0; i < len(f); i += 4 {
		ignored[f[i+3]] = f[i+2] != "" && !strings.HasPrefix(f[i+2], "!")
	}
	if len(ignored) != len(paths) {
		t.Fatalf("git check-ignore answered for %d of %d paths", len(ignored), len(paths))
	}
	return ignored
}

func git(t *testing.T, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	// Only the tree's .gitignore files: no global or system excludes.
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.Output()
	// check-ignore exits with 1 when it ignores none of the paths.
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1 && slices.Contains(args, "check-ignore")) {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}
