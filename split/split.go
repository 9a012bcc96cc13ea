// Package split divides a recipe's $pkgdir into its output packages: each
// package selects files by globs or spksrc PLIST entries (bin:, lib:, lnk:,
// rsc:), binaries and libraries are stripped with the target's strip, and
// files claimed by no package or by two are reported. It runs inside the
// build graph (kiln split), in the target's toolchain.
package split

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/patternmatcher"
)

// Validation rule names (SPK style) that relax the checks.
const (
	AllowUnclaimed     = "UnclaimedFiles"
	AllowDoublyClaimed = "DoublyClaimedFiles"
	AllowEmpty         = "EmptyPackage"
)

// Spec says how to split one $pkgdir. It travels into the graph as JSON.
type Spec struct {
	Packages []Package `json:"packages"`
	// Strip is the target's strip command; "" (nostrip) keeps files as built.
	Strip string          `json:"strip,omitempty"`
	Allow map[string]bool `json:"allow,omitempty"`
}

// Package is one output package and its file selection.
type Package struct {
	Name  string   `json:"name"`
	Files []string `json:"files"`
}

// entry is one parsed selection line.
type entry struct {
	kind    string // "", "bin", "lib", "lnk", "rsc"
	negate  bool   // "!glob": takes back what earlier entries selected
	pattern string
	m       *patternmatcher.PatternMatcher
}

func parseEntry(s string) (entry, error) {
	e := entry{pattern: s}
	if p, ok := strings.CutPrefix(s, "!"); ok {
		e.negate, e.pattern, s = true, p, p
	}
	if k, p, ok := strings.Cut(s, ":"); ok {
		if e.negate || strings.HasPrefix(p, "!") {
			return e, fmt.Errorf("%q: a PLIST entry cannot be negated (negate a plain glob: !path)", e.pattern)
		}
		switch k {
		case "bin", "lib", "lnk", "rsc":
			e.kind, e.pattern = k, p
		default:
			return e, fmt.Errorf("%q: unknown PLIST type %q (bin, lib, lnk, rsc)", s, k)
		}
	}
	clean := path.Clean(strings.TrimPrefix(e.pattern, "/"))
	if clean == ".." || strings.HasPrefix(clean, "../") || e.pattern == "" {
		return e, fmt.Errorf("%q is not a path inside the package", s)
	}
	pm, err := patternmatcher.New([]string{clean})
	if err != nil {
		return e, fmt.Errorf("%q: %w", s, err)
	}
	e.m = pm
	e.pattern = clean
	return e, nil
}

// claim is a file taken by a package, and whether it is to be stripped.
type claim struct {
	pkg   string
	strip bool
}

// Plan decides, for every non-directory path and every empty directory
// under root, which package takes it. It reports unclaimed, doubly claimed
// and empty packages unless spec allows them; PLIST entries imply that
// unlisted files are dropped.
//
// An empty directory is claimed like a file, by its own path: a glob that
// matches it ("var/spool/*", "**") or names a directory above it
// ("var/spool"), or a PLIST entry of any type naming it or a directory
// above it ("rsc:var/spool/mail"). Every package claiming it gets it (a
// directory may belong to several packages, so that is not "doubly
// claimed"); one claimed by no package is dropped without a report, as
// before, since it holds no file to lose. Directories that hold files are
// created in each package with the files, keeping their modes.
func Plan(root string, spec Spec) (map[string][]string, map[string]bool, error) {
	files, emptyDirs, err := listFiles(root)
	if err != nil {
		return nil, nil, err
	}
	claims := map[string][]claim{}
	plist := false
	for _, p := range spec.Packages {
		// As in .gitignore files, the last entry matching a file decides:
		// "!glob" takes back what the entries before it selected.
		taken := map[string]*claim{}
		for _, s := range p.Files {
			e, err := parseEntry(s)
			if err != nil {
				return nil, nil, fmt.Errorf("package %s: files: %w", p.Name, err)
			}
			plist = plist || e.kind != ""
			for _, f := range files {
				// A pattern naming a directory takes everything below it.
				if ok, _ := e.m.MatchesOrParentMatches(f); !ok {
					continue
				}
				if e.negate {
					delete(taken, f)
				} else if taken[f] == nil {
					taken[f] = &claim{p.Name, e.kind == "" || e.kind == "bin" || e.kind == "lib"}
				}
			}
		}
		for _, f := range files {
			if c := taken[f]; c != nil {
				claims[f] = append(claims[f], *c)
			}
		}
	}
	out := map[string][]string{}
	strip := map[string]bool{}
	var unclaimed, doubly []string
	for _, f := range files {
		cs := claims[f]
		switch {
		case len(cs) == 0:
			if !emptyDirs[f] {
				unclaimed = append(unclaimed, f)
			}
			continue
		case len(cs) > 1 && !emptyDirs[f]:
			names := make([]string, len(cs))
			for i, c := range cs {
				names[i] = c.pkg
			}
			doubly = append(doubly, fmt.Sprintf("%s (%s)", f, strings.Join(names, ", ")))
		}
		for _, c := range cs {
			out[c.pkg] = append(out[c.pkg], f)
			if c.strip {
				strip[f] = true
			}
		}
	}
	var problems []string
	if len(unclaimed) > 0 && !spec.Allow[AllowUnclaimed] && !plist {
		problems = append(problems, fmt.Sprintf("files claimed by no package (allow with validation rule %s): %s", AllowUnclaimed, strings.Join(unclaimed, ", ")))
	}
	if len(doubly) > 0 && !spec.Allow[AllowDoublyClaimed] {
		problems = append(problems, fmt.Sprintf("files claimed by several packages (allow with %s): %s", AllowDoublyClaimed, strings.Join(doubly, ", ")))
	}
	for _, p := range spec.Packages {
		if len(out[p.Name]) == 0 && !spec.Allow[AllowEmpty] {
			problems = append(problems, fmt.Sprintf("package %s selects no files (allow with %s)", p.Name, AllowEmpty))
		}
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return out, strip, nil
}

// listFiles returns the slash-separated relative paths of every
// non-directory entry and every empty directory under root, sorted, and
// the set of those that are empty directories.
func listFiles(root string) ([]string, map[string]bool, error) {
	var files []string
	emptyDirs := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			entries, err := os.ReadDir(p)
			if err != nil {
				return err
			}
			if len(entries) > 0 {
				return nil
			}
			emptyDirs[rel] = true
		}
		files = append(files, rel)
		return nil
	})
	sort.Strings(files)
	return files, emptyDirs, err
}
