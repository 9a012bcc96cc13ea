package toltec

import (
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
	kllb "github.com/kiln-build/kiln/llb"
)

// Archs are Toltec's architectures, each a target of targets.yaml.
var Archs = []string{"rmall", "rmallos2", "rmallos3", "rm1", "rm1os2", "rm1os3", "rm2", "rm2os2", "rm2os3"}

// metadata are the variables of Toltec's recipe format.
var metadata = []string{"pkgnames", "pkgdesc", "url", "pkgver", "timestamp", "section", "maintainer", "license",
	"depends", "makedepends", "conflicts", "replaces", "provides", "installdepends", "image", "source",
	"sha256sums", "noextract", "flags", "archs"}

// suffixable are the fields Toltec reads per architecture too
// (conflicts_rmallos2): for that architecture they add to the field.
var suffixable = []string{"source", "sha256sums", "noextract", "depends", "installdepends", "makedepends", "conflicts", "replaces", "provides"}

// hooks are Toltec's install functions, kiln's scripts of the same names.
var hooks = []string{"preinstall", "configure", "preremove", "postremove", "preupgrade", "postupgrade"}

// pkg is the conversion of one package of a recipe.
type pkg struct {
	rd   *recipeData
	v    *view
	r    *importer.Recipe
	from int  // the line of the split package's function, 0 for the top level
	lib  bool // a hook sources the install library
}

func (p *pkg) note(field, kind, format string, args ...any) {
	p.r.Note(p.rd.rel, p.rd.line(field, p.from), field, kind, format, args...)
}

func (p *pkg) scalar(name string) string {
	if s, ok := p.v.vars[name]; ok {
		return s
	}
	if a := p.v.arrays[name]; len(a) > 0 {
		return a[0]
	}
	return ""
}

// convert maps one package's view to a kiln recipe.
func (rd *recipeData) convert(name string, v *view) (*importer.Recipe, error) {
	p := &pkg{rd: rd, v: v, r: &importer.Recipe{Name: name, Source: rd.rel}}
	if f, ok := rd.top.funcs[name]; ok && rd.split {
		p.from = f.line
	}
	m := importer.Map{{Key: "name", Value: name}}
	for _, f := range []struct{ toltec, kiln string }{
		{"pkgver", "version"}, {"pkgdesc", "summary"}, {"license", "license"}, {"url", "homepage"},
		{"maintainer", "maintainer"}, {"section", "section"}, {"timestamp", "timestamp"},
	} {
		val := p.scalar(f.toltec)
		if val == "" {
			if f.toltec == "url" || f.toltec == "section" {
				continue
			}
			return nil, fmt.Errorf("%s: required", f.toltec)
		}
		if f.toltec == "url" {
			if u, err := url.Parse(val); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				p.note("url", importer.Dropped, "%q is not an http(s) URL, which kiln's homepage must be", val)
				continue
			}
		}
		m.Set(f.kiln, val)
	}
	archs := p.archs()
	img := p.image(archs)
	targets := make([]string, len(archs))
	for i, a := range archs {
		targets[i] = imageTarget(a, img)
	}
	m.Set("targets", targets)
	p.flags(&m)
	if srcs := p.sources(""); len(srcs) > 0 {
		m.Set("sources", srcs)
	}
	for _, f := range []string{"depends", "makedepends", "conflicts", "replaces", "provides"} {
		if deps := p.relations(f, ""); len(deps) > 0 {
			if old, ok := m.Get(f).([]string); ok {
				deps = append(old, deps...)
			}
			m.Set(f, deps)
		}
	}
	p.steps(&m)
	if pt := p.perTarget(archs, img, m); len(pt) > 0 {
		m.Set("per_target", pt)
	}
	p.unknown()
	p.r.Fields = m
	return p.r, nil
}

// archs are the package's Toltec architectures (each a target of
// targets.yaml); Toltec's default is rmall.
func (p *pkg) archs() []string {
	archs, ok := p.v.arrays["archs"]
	if !ok {
		if s := p.v.vars["archs"]; s != "" {
			archs = []string{s}
		} else {
			return []string{"rmall"}
		}
	}
	var out []string
	for _, a := range archs {
		if slices.Contains(Archs, a) || a == "noarch" {
			out = append(out, a)
		} else {
			p.note("archs", importer.Dropped, "%q is not a Toltec architecture (%s)", a, strings.Join(Archs, ", "))
		}
	}
	if len(out) == 0 {
		out = []string{"rmall"}
	}
	return out
}

func (p *pkg) flags(m *importer.Map) {
	var flags []string
	for _, f := range p.v.arrays["flags"] {
		switch f {
		case "nostrip":
			flags = append(flags, f)
		case "patch_rm2fb":
			// package() gets patchelf's step in steps.
		default:
			p.note("flags", importer.Dropped, "flag %q has no kiln counterpart", f)
		}
	}
	if len(flags) > 0 {
		m.Set("flags", flags)
	}
}

// sources converts source, sha256sums and noextract (with suffix "_ARCH",
// only that architecture's additions).
func (p *pkg) sources(suffix string) []any {
	srcs := p.v.arrays["source"+suffix]
	sums := p.v.arrays["sha256sums"+suffix]
	noextract := append(slices.Clone(p.v.arrays["noextract"]), p.v.arrays["noextract"+suffix]...)
	field := "source" + suffix
	if len(sums) != len(srcs) {
		p.note("sha256sums"+suffix, importer.Approximated, "%d checksum(s) for %d source(s)", len(sums), len(srcs))
	}
	var out []any
	for i, s := range srcs {
		sum := ""
		if i < len(sums) {
			sum = sums[i]
		}
		if src := p.source(field, s, sum, noextract); src != nil {
			out = append(out, src)
		}
	}
	return out
}

func (p *pkg) source(field, s, sum string, noextract []string) importer.Map {
	u, err := url.Parse(s)
	if err == nil && u.Scheme != "" {
		if u.Scheme != "http" && u.Scheme != "https" {
			p.note(field, importer.Dropped, "%s: kiln fetches only http(s) URLs", s)
			return nil
		}
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(strings.ToLower(sum)) {
			p.note(field, importer.Dropped, "%s: checksum %q: kiln needs the sha256 of every URL source", s, sum)
			return nil
		}
		src := importer.Map{{Key: "url", Value: s}, {Key: "sha256", Value: strings.ToLower(sum)}}
		name := path.Base(u.Path)
		// Archives are unpacked dropping their single top directory, as
		// Toltec does: kiln's default strip.
		if slices.Contains(noextract, name) {
			src.Set("extract", false)
		}
		return src
	}
	rel := filepath.ToSlash(filepath.Clean(s))
	if strings.HasPrefix(rel, "../") || filepath.IsAbs(s) {
		p.note(field, importer.Dropped, "%s: a local source outside the recipe's directory", s)
		return nil
	}
	if kllb.IsArchive(path.Base(rel)) && !slices.Contains(noextract, path.Base(rel)) {
		p.note(field, importer.Approximated, "%s: kiln copies local archives without unpacking them", s)
	}
	if !slices.ContainsFunc(p.r.Files, func(f importer.LocalFile) bool { return f.To == rel }) {
		p.r.Files = append(p.r.Files, importer.LocalFile{From: filepath.Join(p.rd.dir, filepath.FromSlash(rel)), To: rel})
	}
	return importer.Map{{Key: "path", Value: rel}}
}

var depRe = regexp.MustCompile(`^((?:build:|host:)?[a-z0-9][a-z0-9+.-]*)\s*(<<|<=|=>|>=|>>|=|<|>)?\s*(\S*)$`)

// relations converts one relation field (with suffix, that
// architecture's additions); installdepends join depends.
func (p *pkg) relations(field, suffix string) []string {
	var out []string
	convert := func(f string) {
		for _, d := range p.v.arrays[f+suffix] {
			if c, ok := p.relation(f+suffix, d); ok {
				out = append(out, c)
			}
		}
	}
	convert(field)
	if field == "depends" {
		if len(p.v.arrays["installdepends"+suffix]) > 0 {
			p.note("installdepends"+suffix, importer.Approximated, "opkg has no dependencies installed before preinstall; kiln lists them in depends")
		}
		convert("installdepends")
	}
	return out
}

func (p *pkg) relation(field, d string) (string, bool) {
	mm := depRe.FindStringSubmatch(strings.TrimSpace(d))
	if mm == nil || (mm[2] == "") != (mm[3] == "") {
		p.note(field, importer.Dropped, "%q is not a Toltec dependency specification", d)
		return "", false
	}
	if mm[2] == "" {
		return mm[1], true
	}
	op := mm[2]
	switch op {
	case "=>":
		op = ">="
	case "<", ">":
		p.note(field, importer.Approximated, "%q: the obsolete %s means %s= to opkg", d, op, op)
		op += "="
	}
	return mm[1] + " " + op + " " + mm[3], true
}

// perTarget carries architecture-suffixed fields: for that architecture's
// target (in image img), the field's whole value (the recipe's plus the
// architecture's).
func (p *pkg) perTarget(archs []string, img string, m importer.Map) importer.Map {
	var pt importer.Map
	for _, t := range archs {
		var tm importer.Map
		if srcs := p.sources("_" + t); len(srcs) > 0 {
			base, _ := m.Get("sources").([]any)
			tm.Set("sources", append(slices.Clone(base), srcs...))
		}
		for _, f := range []string{"depends", "makedepends", "conflicts", "replaces", "provides"} {
			if add := p.relations(f, "_"+t); len(add) > 0 {
				base, _ := m.Get(f).([]string)
				tm.Set(f, append(slices.Clone(base), add...))
			}
		}
		if len(tm) > 0 {
			pt.Set(imageTarget(t, img), tm)
		}
	}
	for _, name := range p.names() {
		f, arch, ok := strings.Cut(name, "_")
		if ok && slices.Contains(suffixable, f) && !slices.Contains(archs, arch) {
			p.note(name, importer.Dropped, "%s is not one of the recipe's architectures (%s)", arch, strings.Join(archs, ", "))
		}
	}
	return pt
}

// names lists the variables the package sees, sorted.
func (p *pkg) names() []string {
	var out []string
	for n := range p.v.vars {
		out = append(out, n)
	}
	for n := range p.v.arrays {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// unknown notes variables that are neither Toltec's nor custom (_name).
func (p *pkg) unknown() {
	for _, n := range p.names() {
		f, _, suffixed := strings.Cut(n, "_")
		if strings.HasPrefix(n, "_") || slices.Contains(metadata, n) || (suffixed && slices.Contains(suffixable, f)) {
			continue
		}
		p.note(n, importer.Dropped, "not a Toltec field (custom variables start with _); scripts that use it still see it")
	}
}
