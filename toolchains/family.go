package toolchains

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/elfcheck"
	"github.com/kiln-build/kiln/schema"
)

// Device families. A target may name families: targets whose packages
// its devices install too, besides its own (Toltec's rmall, whose
// packages serve every reMarkable, for rm1 and rm2):
//
//	targets:
//	  rmall: {extends: armv7, formats: {ipk: {arch: rmall}}}
//	  rm2:   {extends: rmall, families: [rmall], formats: {ipk: {arch: rm2}}}
//
// A recipe with targets: [rmall] builds once, and its packages serve
// every member: a recipe built for rm2 finds its host: dependencies among
// them, and a build for --target rm2 builds it (as rmall). A family's
// packages must run on the member's devices: it builds for the same
// platform and a C library floor no newer than the member's.

// Serving lists the targets whose packages serve target name's devices
// besides its own: its families, their families in turn, each once, in
// the order they are listed (nearest first).
func (s *Set) Serving(name string) []string {
	var out []string
	seen := map[string]bool{name: true}
	var visit func(n string)
	visit = func(n string) {
		t, err := s.Lookup(n)
		if err != nil {
			return
		}
		for _, f := range t.Families {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
				visit(f)
			}
		}
	}
	visit(name)
	return out
}

// checkFamilies reports, at the name, every family of a user's target
// that is not a known target, is the target itself, or makes packages its
// devices cannot run.
func (l *loader) checkFamilies() {
	for _, name := range l.order {
		t := l.set.targets[name]
		if !l.resolved[name] || t == nil {
			continue
		}
		ut := l.defs[name]
		for i, f := range t.Families {
			at := schema.Path("targets", name, "families") + "." + strconv.Itoa(i)
			ft, ok := l.set.targets[f]
			var msg string
			switch {
			case f == name:
				msg = fmt.Sprintf("target %q is its own family (a family is another target whose packages its devices install)", name)
			case !ok && l.bad[f]:
				continue // reported where it is defined
			case !ok:
				msg = fmt.Sprintf("%s is not a known target (known: %s)", strconv.Quote(f), strings.Join(l.known(""), ", "))
			default:
				msg = familyMismatch(t, ft)
			}
			if msg != "" {
				l.errs = append(l.errs, ut.doc.ErrorAt(at, msg))
			}
		}
	}
}

// familyMismatch says why family f's packages would not run on t's
// devices, or "".
func familyMismatch(t, f *Target) string {
	if f.DebianArch == "all" {
		return "" // noarch serves every target anyway
	}
	if f.Platform != t.Platform {
		return fmt.Sprintf("family %s builds for %s, target %s for %s: its packages would not run there", f.Name, f.Platform, t.Name, t.Platform)
	}
	switch {
	case f.Libc == nil || t.Libc == nil:
		return ""
	case f.Libc.Name != t.Libc.Name:
		return fmt.Sprintf("family %s runs on %s, target %s on %s", f.Name, f.Libc.Name, t.Name, t.Libc.Name)
	}
	if c, err := elfcheck.CompareVersions(f.Libc.Version, t.Libc.Version); err == nil && c > 0 {
		return fmt.Sprintf("family %s allows %s %s, newer than target %s's %s: its packages may not run there",
			f.Name, f.Libc.Name, f.Libc.Version, t.Name, t.Libc.Version)
	}
	return ""
}
