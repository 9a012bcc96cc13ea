// Package gitignore turns the .gitignore files of a local source tree into
// the exclude patterns BuildKit's local source understands, so files git
// ignores (build output, editor droppings) never reach a build.
//
// BuildKit matches excludes with moby/patternmatcher, the .dockerignore
// syntax: a path is left out when the last pattern that matches it or one
// of its parent directories is not a "!" exception. Each .gitignore line
// becomes such a pattern (Convert, Parse), but three of git's rules cannot
// be written exactly in that syntax:
//
//   - "build/" matches directories only, and a pattern cannot tell a
//     directory from a file. It becomes "**/build/**", everything below a
//     directory named build: a file named build stays, and the directory
//     itself is sent, empty.
//   - git never re-includes a path below an ignored directory; in BuildKit
//     a later "!" exception does.
//   - "!dir/" re-includes directories only. It becomes "!dir" and
//     "!dir/**", which re-include files of that name and everything below
//     such a directory too.
//
// Where the translation differs from git, it sends more than git keeps,
// never less. Patterns, which sees the tree, sends exactly what git keeps:
// it excludes the ignored directories by their path and corrects what is
// still wrong with a pattern per file. FromFiles, for a caller that has
// the .gitignore files but not the tree (the gateway frontend), orders
// them as git does and, like Patterns, skips those inside ignored
// directories, which git never reads; the gaps above remain.
package gitignore

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moby/patternmatcher"
	"github.com/tonistiigi/fsutil"
)

// Patterns reads every .gitignore under dir and returns exclude patterns
// relative to dir that send exactly the files git does not ignore, always
// excluding .git itself. Directories the .gitignore files ignore are not
// searched for more .gitignore files (git does not read those) and are
// excluded by their path. What the translated patterns still get wrong
// (see the package comment) in dir as it is now is corrected by a pattern
// per file at the end; only a directory git keeps but whose every file it
// ignores may be left out.
func Patterns(dir string) ([]string, error) {
	w := walker{root: dir, out: []string{".git", "**/.git"}, files: map[string]bool{}}
	if err := w.walk("."); err != nil {
		return nil, fmt.Errorf("reading .gitignore files under %s: %w", dir, err)
	}
	if len(w.rules) == 0 {
		// No .gitignore: nothing is ignored but .git, which the
		// patterns say exactly; there is nothing to correct.
		return w.out, nil
	}
	pats := append(w.out, w.ignored...)
	sent, err := sends(dir, pats)
	if err != nil {
		return nil, fmt.Errorf("checking the .gitignore patterns of %s: %w", dir, err)
	}
	for _, f := range slices.Sorted(maps.Keys(w.files)) {
		switch ignored := w.files[f]; {
		case ignored && sent[f]:
			pats = append(pats, escape(f))
		case !ignored && !sent[f]:
			pats = append(pats, "!"+escape(f))
		}
	}
	return pats, nil
}

// sends is what BuildKit's local source sends of dir with excludes: the
// same walk (fsutil) the client runs.
func sends(dir string, excludes []string) (map[string]bool, error) {
	root, err := fsutil.NewFS(dir)
	if err != nil {
		return nil, err
	}
	filtered, err := fsutil.NewFilterFS(root, &fsutil.FilterOpt{ExcludePatterns: excludes})
	if err != nil {
		return nil, err
	}
	sent := map[string]bool{}
	err = filtered.Walk(context.Background(), "/", func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			sent[filepath.ToSlash(p)] = true
		}
		return err
	})
	return sent, err
}

// walker visits a tree top-down, a directory's .gitignore before its
// entries, and decides for each entry as git does.
type walker struct {
	root    string
	rules   []rule          // of every .gitignore read so far, in order
	out     []string        // their patterns
	ignored []string        // patterns of the ignored directories
	files   map[string]bool // every file outside them: is it ignored?
}

func (w *walker) walk(rel string) error {
	data, err := os.ReadFile(filepath.Join(w.root, rel, ".gitignore"))
	switch {
	case err == nil:
		for _, r := range parse(data, rel) {
			w.rules = append(w.rules, r)
			w.out = append(w.out, r.patterns()...)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	entries, err := os.ReadDir(filepath.Join(w.root, rel))
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := path.Join(rel, e.Name())
		switch {
		case e.Name() == ".git":
		case !e.IsDir():
			w.files[p] = w.isIgnored(p, false)
		case w.isIgnored(p, true):
			w.ignored = append(w.ignored, escape(p), escape(p)+"/**")
		default:
			if err := w.walk(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// isIgnored is git's decision for p, whose parent directories are not
// ignored: the last rule that matches it wins.
func (w *walker) isIgnored(p string, dir bool) bool {
	for _, r := range slices.Backward(w.rules) {
		if (dir || !r.dirOnly) && r.match(p) {
			return !r.negate
		}
	}
	return false
}

// FromFiles is Parse for all .gitignore files of a tree, for a caller that
// has them but not the tree (the gateway frontend): files maps each one's
// path (slash-separated, relative to the root) to its content. Parents
// come before their children (deeper files take precedence), whatever
// order the caller found them in, and a .gitignore inside a directory the
// others ignore is left out, as git does not read it. The gaps of the
// package comment remain.
func FromFiles(files map[string][]byte) []string {
	names := slices.SortedFunc(maps.Keys(files), func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(a, "/"), strings.Count(b, "/")), cmp.Compare(a, b))
	})
	w := walker{out: []string{".git", "**/.git"}}
	for _, name := range names {
		dir := path.Dir(name)
		if w.inIgnored(dir) {
			continue
		}
		for _, r := range parse(files[name], dir) {
			w.rules = append(w.rules, r)
			w.out = append(w.out, r.patterns()...)
		}
	}
	return w.out
}

// inIgnored tells whether the directory dir or one of its parents is
// ignored by the rules read so far.
func (w *walker) inIgnored(dir string) bool {
	if dir == "." {
		return false
	}
	p := ""
	for _, elem := range strings.Split(dir, "/") {
		p = path.Join(p, elem)
		if w.isIgnored(p, true) {
			return true
		}
	}
	return false
}

// Parse converts the lines of a .gitignore file found in directory base
// (relative, "." for the root) into exclude patterns.
func Parse(data []byte, base string) []string {
	var out []string
	for _, r := range parse(data, base) {
		out = append(out, r.patterns()...)
	}
	return out
}

func parse(data []byte, base string) []rule {
	var out []rule
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		if r, ok := parseLine(sc.Text(), base); ok {
			out = append(out, r)
		}
	}
	return out
}

// Convert translates one .gitignore line found in directory base
// (relative, "." for the root) into exclude patterns: none for a blank
// line, a comment or a pattern that can match nothing.
func Convert(line, base string) []string {
	r, ok := parseLine(line, base)
	if !ok {
		return nil
	}
	return r.patterns()
}

// rule is one pattern line of a .gitignore.
type rule struct {
	glob    string // patternmatcher syntax, relative to the root
	negate  bool   // "!": re-include
	dirOnly bool   // trailing "/": directories only
	m       *patternmatcher.PatternMatcher
}

// parseLine reads one line as git does: a trailing CR and unescaped
// trailing spaces go, "#" starts a comment, "!" negates, a trailing "/"
// restricts to directories, and a pattern without another "/" matches at
// any depth below base, one with a "/" relative to base.
func parseLine(line, base string) (rule, bool) {
	line = trimTrailingSpaces(strings.TrimSuffix(line, "\r"))
	if line == "" || line[0] == '#' {
		return rule{}, false
	}
	var r rule
	if line[0] == '!' {
		r.negate, line = true, line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly, line = true, line[:len(line)-1]
	}
	anchored := strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	glob, ok := translate(line)
	if !ok || glob == "" {
		return rule{}, false
	}
	if !anchored && !strings.HasPrefix(glob, "**") {
		glob = "**/" + glob
	}
	if base != "." && base != "" {
		glob = escape(base) + "/" + glob
	}
	r.glob = protectSpace(glob)
	m, err := patternmatcher.New([]string{r.glob})
	if err != nil {
		return rule{}, false
	}
	if _, err := m.MatchesOrParentMatches("x"); err != nil {
		return rule{}, false // compiles lazily: check now, not in the build
	}
	r.m = m
	return r, true
}

// patterns are the rule as exclude patterns (see the package comment). An
// exception also re-includes below what it matches, directly: a parent
// match alone does not reach paths an earlier pattern (such as
// "**/build/**") matches directly.
func (r rule) patterns() []string {
	switch {
	case r.negate && (r.glob == "**" || strings.HasSuffix(r.glob, "/**")):
		return []string{"!" + r.glob}
	case r.negate:
		return []string{"!" + r.glob, "!" + r.glob + "/**"}
	case r.dirOnly:
		return []string{r.glob + "/**"}
	}
	return []string{r.glob}
}

// match tells whether the rule's glob matches p itself, not through a
// parent. For one pattern and parentMatched false, the deprecated
// MatchesUsingParentResult is exactly that; its successor with no parent
// results also tries p's parents, and a MatchInfo saying "none matched"
// cannot be built outside the package.
func (r rule) match(p string) bool {
	//lint:ignore SA1019 see above
	ok, _ := r.m.MatchesUsingParentResult(p, false)
	return ok
}

// trimTrailingSpaces drops trailing spaces that no backslash escapes, as
// git's trim_trailing_spaces.
func trimTrailingSpaces(s string) string {
	end := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			continue
		case '\\':
			i++
		}
		end = min(i+1, len(s))
	}
	return s[:end]
}

// translate turns a gitignore glob into patternmatcher syntax: "**" only
// as a whole path component (git reads any other run of stars as "*"),
// "[!...]" as "[^...]", backslash escapes of letters and digits dropped
// (they would be regexp classes such as \d), and "^" and "]" escaped
// (patternmatcher hands them to a regexp unescaped). ok is false for a
// glob git never matches: an unclosed "[" or a trailing backslash.
func translate(g string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(g); i++ {
		switch c := g[i]; c {
		case '\\':
			if i+1 == len(g) {
				return "", false
			}
			r, n := utf8.DecodeRuneInString(g[i+1:])
			b.WriteString(literal(r))
			i += n
		case '*':
			j := i
			for j < len(g) && g[j] == '*' {
				j++
			}
			if j-i > 1 && (i == 0 || g[i-1] == '/') && (j == len(g) || g[j] == '/') {
				b.WriteString("**")
			} else {
				b.WriteString("*")
			}
			i = j - 1
		case '[':
			class, n, ok := translateClass(g[i:])
			if !ok {
				return "", false
			}
			b.WriteString(class)
			i += n - 1
		case '^', ']':
			b.WriteString(`\` + string(c))
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// translateClass translates the bracket expression at the start of g and
// returns it with the length it had.
func translateClass(g string) (string, int, bool) {
	var b strings.Builder
	b.WriteByte('[')
	i := 1
	if i < len(g) && (g[i] == '!' || g[i] == '^') {
		b.WriteByte('^')
		i++
	}
	for first := true; i < len(g); first = false {
		c := g[i]
		switch {
		case c == ']' && !first:
			return b.String() + "]", i + 1, true
		case c == '[' && strings.HasPrefix(g[i:], "[:"):
			end := strings.Index(g[i+2:], ":]")
			if end < 0 {
				return "", 0, false
			}
			b.WriteString(g[i : i+2+end+2])
			i += 2 + end + 2
			continue
		case c == '\\' && i+1 < len(g):
			r, n := utf8.DecodeRuneInString(g[i+1:])
			b.WriteString(literal(r))
			i += 1 + n
			continue
		case c == ']' || c == '*' || c == '?' || c == '[' || c == '\\':
			b.WriteString(`\` + string(c))
		default:
			b.WriteByte(c)
		}
		i++
	}
	return "", 0, false
}

// literal writes r, which a backslash escaped, so that patternmatcher (and
// the regexp it compiles) reads it as itself: punctuation stays escaped, a
// space becomes a class (patternmatcher trims white space), anything else
// stands for itself.
func literal(r rune) string {
	switch {
	case unicode.IsSpace(r):
		return "[" + string(r) + "]"
	case r < utf8.RuneSelf && !unicode.IsLetter(r) && !unicode.IsDigit(r):
		return `\` + string(r)
	}
	return string(r)
}

// escape quotes the characters of a literal path that patterns treat
// specially.
func escape(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch r {
		case '*', '?', '[', ']', '\\', '^', '!', '#':
			b.WriteString(`\` + string(r))
		default:
			b.WriteRune(r)
		}
	}
	return protectSpace(b.String())
}

// protectSpace keeps white space at either end of a pattern, which
// patternmatcher trims, by writing it as a class.
func protectSpace(p string) string {
	if r, n := utf8.DecodeRuneInString(p); unicode.IsSpace(r) {
		p = "[" + string(r) + "]" + p[n:]
	}
	if r, n := utf8.DecodeLastRuneInString(p); unicode.IsSpace(r) {
		p = p[:len(p)-n] + "[" + string(r) + "]"
	}
	return p
}
