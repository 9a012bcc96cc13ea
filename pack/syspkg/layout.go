package syspkg

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/pack/tarball"
)

// Categories are the top-level directories of a payload, in the seed's
// order: bin BINDIR, lib LIBDIR, inc INCDIR, etc ETCDIR, shr SHRDIR,
// var VARDIR, man DOCDIR, src SRCDIR.
var Categories = []string{"bin", "lib", "inc", "etc", "shr", "var", "man", "src"}

func isCategory(c string) bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

// prefixes are the install prefixes an installed tree may use; the longest
// one a path starts with is stripped before the category rules apply. The
// prefix directories themselves are not part of the payload.
var prefixes = []string{"usr/local", "usr", "opt"}

// topRules map the first directory under a prefix to a category.
var topRules = map[string]string{
	"bin": "bin", "sbin": "bin",
	"lib": "lib", "lib32": "lib", "lib64": "lib", "libexec": "lib",
	"include": "inc", "inc": "inc",
	"etc": "etc",
	"var": "var",
	"man": "man", "doc": "man", "info": "man",
	"src": "src",
	"shr": "shr",
}

// shareDocs are the directories under share/ that hold help files (DOCDIR)
// rather than shared data.
var shareDocs = map[string]bool{"man": true, "doc": true, "info": true}

// Layout maps installed paths onto payload paths.
//
// The default rules, after stripping the longest of the prefixes usr/local,
// usr and opt: bin and sbin go to bin; lib, lib32, lib64 and libexec to lib;
// include to inc; etc to etc; var to var; share/man, share/doc and
// share/info (and bare man, doc, info) to man; the rest of share to shr; src
// to src. The category names themselves (inc, shr, ...) map to themselves,
// so a tree already laid out by category passes unchanged. Sub-paths are
// kept: usr/share/man/man1/x.1 is man/man1/x.1. Anything else is an error
// naming the file, unless an Override claims it.
type Layout struct {
	// Override maps a category to an installed directory whose contents go
	// there; it wins over the default rules (the longest match wins).
	Override map[string]string
	// Verbatim keeps every path as is (the "base" package).
	Verbatim bool
}

// Map returns the payload path of an installed path (slash-separated,
// relative to the tree root). ok is false when no rule applies; a path that
// is only an install prefix ("usr", "opt") maps to "" with ok true.
func (l Layout) Map(p string) (payload string, ok bool) {
	if l.Verbatim {
		return p, true
	}
	best, bestDir := "", ""
	for cat, dir := range l.Override {
		dir = path.Clean(dir)
		if (p == dir || strings.HasPrefix(p, dir+"/")) && len(dir) > len(bestDir) {
			best, bestDir = cat, dir
		}
	}
	if bestDir != "" {
		return best + strings.TrimPrefix(p, bestDir), true
	}

	rest := p
	for _, pre := range prefixes {
		if p == pre {
			return "", true
		}
		if strings.HasPrefix(p, pre+"/") {
			rest = p[len(pre)+1:]
			break
		}
	}
	top, sub, _ := strings.Cut(rest, "/")
	if top == "share" {
		if sub == "" {
			return "shr", true
		}
		second, subsub, _ := strings.Cut(sub, "/")
		if shareDocs[second] {
			return join("man", subsub), true
		}
		return join("shr", sub), true
	}
	if cat, ok := topRules[top]; ok {
		return join(cat, sub), true
	}
	return "", false
}

func join(cat, sub string) string {
	if sub == "" {
		return cat
	}
	return cat + "/" + sub
}

// maxReported caps the unmapped paths listed in one error.
const maxReported = 20

// items maps scanned entries to payload items, sorted by name, with every
// parent directory present. Category roots are always 0755 at the epoch:
// they stand for BINDIR and the like, which the package does not own.
func (l Layout) items(entries []tarball.Entry, epoch int64) ([]item, error) {
	for cat := range l.Override {
		if !isCategory(cat) {
			return nil, fmt.Errorf("override: %q is not a category (%s)", cat, strings.Join(Categories, ", "))
		}
	}
	byName := map[string]*item{}
	var unmapped, mapped []string
	for i := range entries {
		e := &entries[i]
		if e.Name == "." {
			continue
		}
		name, ok := l.Map(e.Name)
		if !ok {
			unmapped = append(unmapped, e.Name)
			continue
		}
		if name == "" {
			continue // an install prefix directory
		}
		mapped = append(mapped, e.Name)
		it := item{name: name, mode: e.Mode, mtime: clampTime(e.ModTime.Unix(), epoch), size: e.Size, path: e.Path, data: e.Data}
		switch {
		case e.Mode.IsDir():
			it.name += "/"
			if !l.Verbatim && !strings.Contains(name, "/") {
				it.mode, it.mtime = fs.ModeDir|0o755, clampTime(epoch, epoch)
			}
		case e.Mode&fs.ModeSymlink != 0:
			it.data = []byte(l.linkTarget(e.Name, name, e.Linkname))
			it.size = int64(len(it.data))
		}
		if prev, dup := byName[it.name]; dup {
			if !it.mode.IsDir() || prev.mode != it.mode {
				return nil, fmt.Errorf("%s: two installed paths map to payload path %s", e.Name, it.name)
			}
			prev.mtime = max(prev.mtime, it.mtime)
			continue
		}
		byName[it.name] = &it
	}
	if err := reportUnmapped(unmapped, mapped); err != nil {
		return nil, err
	}
	// Parents that no entry provides (category roots under an override,
	// or roots of a category reached only through share/).
	for name := range byName {
		for d := path.Dir(strings.TrimSuffix(name, "/")); d != "."; d = path.Dir(d) {
			if _, ok := byName[d+"/"]; !ok {
				byName[d+"/"] = &item{name: d + "/", mode: fs.ModeDir | 0o755, mtime: clampTime(epoch, epoch)}
			}
		}
	}
	out := make([]item, 0, len(byName))
	for _, it := range byName {
		out = append(out, *it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// reportUnmapped fails on installed paths no rule places. A directory is
// left out of the report when something below it is mapped (it is then an
// install prefix, e.g. opt/hello above an override) or reported.
func reportUnmapped(unmapped, mapped []string) error {
	if len(unmapped) == 0 {
		return nil
	}
	sort.Strings(unmapped)
	sort.Strings(mapped)
	under := func(dir string, names []string) bool {
		i := sort.SearchStrings(names, dir+"/")
		return i < len(names) && strings.HasPrefix(names[i], dir+"/")
	}
	var errs []error
	for _, u := range unmapped {
		if under(u, mapped) || under(u, unmapped) {
			continue
		}
		if len(errs) == maxReported {
			errs = append(errs, errors.New("... (more paths without a category)"))
			break
		}
		errs = append(errs, fmt.Errorf("%s: no syspkg category for this path", u))
	}
	if len(errs) == 0 {
		return nil
	}
	errs = append(errs, fmt.Errorf("payload directories are the categories %s; install under bin, lib, include, etc, share, var, man or src (optionally below usr, usr/local or opt), or map a directory with an override",
		strings.Join(Categories, ", ")))
	return errors.Join(errs...)
}

// linkTarget rewrites a relative symlink target whose destination is in the
// tree and lands in the same category, so that it still points at it after
// the move; other targets (absolute, outside the tree, into another
// category, which syspkg may install elsewhere) are kept as written.
func (l Layout) linkTarget(from, to, target string) string {
	if l.Verbatim || path.IsAbs(target) {
		return target
	}
	dest := path.Join(path.Dir(from), target)
	if dest == ".." || strings.HasPrefix(dest, "../") {
		return target
	}
	mapped, ok := l.Map(dest)
	if !ok || mapped == "" || category(mapped) != category(to) {
		return target
	}
	return relPath(path.Dir(to), mapped)
}

func category(p string) string {
	c, _, _ := strings.Cut(p, "/")
	return c
}

// relPath is the relative path from directory dir to target, both clean
// and slash-separated.
func relPath(dir, target string) string {
	d, t := strings.Split(dir, "/"), strings.Split(target, "/")
	i := 0
	for i < len(d) && i < len(t)-1 && d[i] == t[i] {
		i++
	}
	parts := make([]string, 0, len(d)-i+len(t)-i)
	for range d[i:] {
		parts = append(parts, "..")
	}
	return strings.Join(append(parts, t[i:]...), "/")
}

// clampTime is the mtime written for a file: SOURCE_DATE_EPOCH when the
// file is newer, its own when older, never before 1970 (the extended
// timestamp field is unsigned).
func clampTime(mtime, epoch int64) int64 {
	return max(0, min(mtime, epoch))
}
