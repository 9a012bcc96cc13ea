package shlibs

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
)

// AllowUnresolved is the validation rule that lets a recipe ship files
// needing a soname nothing provides: each is reported as a warning, and
// no dependency is added for it.
const AllowUnresolved = "UnresolvedSoname"

// Provider is a package that may meet NEEDED entries: its name, its
// version (a dependency on it asks for at least that) and the sonames it
// provides.
type Provider struct {
	Package string   `json:"package"`
	Version string   `json:"version"`
	Sonames []string `json:"sonames"`
}

// Source is one place sonames are looked up in, named in messages
// ("the build", "$SYSROOT", "feed URL").
type Source struct {
	Name      string
	Providers []Provider
}

// Input is everything a resolution looks at, in its order: Sources
// first to last (the job's own packages, $SYSROOT, feeds), then the
// target's system libraries.
type Input struct {
	Target  string
	Sources []Source
	// System are sonames, or shell patterns of them, the target's base
	// system always has.
	System []string
	// Allow turns an unresolved soname from an error into a warning
	// (validation rule UnresolvedSoname).
	Allow bool
}

// Result is what one package gains: Depends in Debian syntax
// ("libgreet (>= 1.2.0-1)"), sorted by package name, and the sonames its
// own shared libraries provide, sorted.
type Result struct {
	Depends []string `json:"depends,omitempty"`
	Sonames []string `json:"sonames,omitempty"`
	// Packages are the names in Depends, for steps that install them.
	Packages []string `json:"packages,omitempty"`
}

// Package is one package's scanned ELF files.
type Package struct {
	Name  string
	Files []File
}

// Provided are the sonames the files provide, sorted, without repeats.
func Provided(files []File) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		if f.Soname != "" && !seen[f.Soname] {
			seen[f.Soname] = true
			out = append(out, f.Soname)
		}
	}
	sort.Strings(out)
	return out
}

// Resolve finds, for every package, a provider of every soname its files
// need. A package needing a soname it provides itself gains nothing; one
// provided by several packages of the same source is met by the first by
// name. Unresolved sonames are all reported in one error (one line each,
// "package P: FILE needs SONAME, ..."), or, when in.Allow, as warnings.
func Resolve(in Input, pkgs []Package) (map[string]Result, []string, error) {
	out := map[string]Result{}
	var problems []string
	for _, p := range pkgs {
		own := map[string]bool{}
		for _, s := range Provided(p.Files) {
			own[s] = true
		}
		deps := map[string]string{}
		for _, f := range p.Files {
			for _, need := range f.Needed {
				if own[need] {
					continue
				}
				prov, ok := in.lookup(need)
				switch {
				case ok && prov.Package != "" && prov.Package != p.Name:
					deps[prov.Package] = prov.Version
				case !ok:
					problems = append(problems, fmt.Sprintf("package %s: %s needs %s: not provided by %s", p.Name, f.Path, need, in.nowhere()))
				}
			}
		}
		r := Result{Sonames: Provided(p.Files)}
		for _, name := range slices.Sorted(maps.Keys(deps)) {
			r.Depends = append(r.Depends, fmt.Sprintf("%s (>= %s)", name, deps[name]))
			r.Packages = append(r.Packages, name)
		}
		out[p.Name] = r
	}
	if len(problems) == 0 {
		return out, nil, nil
	}
	if in.Allow {
		return out, problems, nil
	}
	problems = append(problems, fmt.Sprintf("(give the library's package a host: makedepend or a feed, add it to target %s's system_libs, or allow this with validation rule %s)", in.Target, AllowUnresolved))
	return nil, nil, fmt.Errorf("shared libraries that nothing provides on target %s:\n%s", in.Target, strings.Join(problems, "\n"))
}

// lookup finds soname in the sources, in order, then in the system;
// a system library is a Provider without a package.
func (in Input) lookup(soname string) (Provider, bool) {
	for _, s := range in.Sources {
		var found []Provider
		for _, p := range s.Providers {
			for _, so := range p.Sonames {
				if so == soname {
					found = append(found, p)
					break
				}
			}
		}
		if len(found) > 0 {
			sort.SliceStable(found, func(i, j int) bool { return found[i].Package < found[j].Package })
			return found[0], true
		}
	}
	for _, pat := range in.System {
		if ok, _ := path.Match(pat, soname); ok {
			return Provider{}, true
		}
	}
	return Provider{}, false
}

// nowhere lists where a soname was looked for.
func (in Input) nowhere() string {
	var names []string
	for _, s := range in.Sources {
		names = append(names, s.Name)
	}
	names = append(names, "the system of target "+in.Target)
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
