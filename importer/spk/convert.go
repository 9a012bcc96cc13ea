package spk

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/version"
	yaml "go.yaml.in/yaml/v3"
)

// kilnRules are the validation rules kiln knows; SPK's others are dropped.
var kilnRules = []string{"UnclaimedFiles", "DoublyClaimedFiles", "EmptyPackage", "LongVarDescription", "NewerLibc"}

type conv struct {
	file, rel, dir string
	r              *importer.Recipe
	f              importer.Map
	opts           []string // option names, for SPK_OPT_ variables
	hostOpts       []string // host options (arch, os) the targets stand for
}

func (c *conv) note(n node, field, kind, format string, args ...any) {
	c.r.Note(c.rel, n.line(), field, kind, format, args...)
}

func readSpec(file string, o importer.Options) (*importer.Recipe, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	src, tmplOpts, err := render(string(data), o.TemplateOpts)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("empty spec")
	}
	root := node{doc.Content[0]}
	c := &conv{file: file, rel: importer.RelTo(file), dir: filepath.Dir(file)}
	if p := root.get("platform"); p.ok() {
		return c.platform(root, o)
	}
	pkg := root.get("pkg")
	name, ver, ok := strings.Cut(pkg.str(), "/")
	if !ok {
		return nil, fmt.Errorf("line %d: pkg: %q is not name/version", pkg.line(), pkg.str())
	}
	c.r = &importer.Recipe{Name: name, Source: c.rel}
	c.f = importer.Map{{Key: "name", Value: name}}
	c.f.Set("version", c.version(pkg, ver))
	if tmplOpts != nil {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(tmplOpts)) {
			kv = append(kv, k+"="+tmplOpts[k])
		}
		c.r.Note(c.rel, 1, "(template)", importer.Approximated, "a templated spec, rendered with %s (its defaults, and --opt)", strings.Join(kv, ", "))
	}
	c.meta(root, o)
	if cm := root.get("compat"); cm.ok() {
		c.f.Set("compat", cm.str())
	}
	c.sources(root.get("sources"))
	build := root.get("build")
	// spk build builds for the machine it runs on, natively (scripts call
	// cc); kiln's toolchains run on x86_64. A pinned arch replaces it.
	c.f.Set("targets", []string{"x86_64"})
	c.options(build.get("options"))
	c.variants(build.get("variants"))
	install := root.get("install")
	c.requirements(install.get("requirements"))
	c.embedded(install.get("embedded"))
	c.script(build)
	c.components(install.get("components"))
	c.environment(install.get("environment"))
	c.tests(root.get("tests"))
	c.validation(build.get("validation"))
	for _, k := range root.keys() {
		switch k {
		case "pkg", "compat", "sources", "build", "install", "tests", "meta", "api":
		default:
			c.note(root.get(k), k, importer.Dropped, "not a field kiln imports")
		}
	}
	c.r.Fields = c.f
	c.r.SortNotes()
	return c.r, nil
}

var spkPreRe = regexp.MustCompile(`^([0-9][0-9.]*)(?:-([A-Za-z0-9.,]+))?(?:\+([A-Za-z0-9.,]+))?$`)

// version maps an SPK version to a Debian one: a pre-release sorts
// before its version (~), a post-release after (+).
func (c *conv) version(pkg node, v string) string {
	m := spkPreRe.FindStringSubmatch(v)
	if m == nil {
		c.note(pkg, "pkg", importer.Approximated, "version %q is not an SPK version kiln reads", v)
		return v
	}
	out := m[1]
	if m[2] != "" {
		out += "~" + strings.ReplaceAll(m[2], ",", ".")
	}
	if m[3] != "" {
		out += "+" + strings.ReplaceAll(m[3], ",", ".")
	}
	if _, err := version.Parse(out); err != nil {
		c.note(pkg, "pkg", importer.Approximated, "version %q: %v", v, err)
	}
	return out
}

// meta fills what SPK specs lack (summary, license, maintainer,
// timestamp) from the spec's meta section or the import's options.
func (c *conv) meta(root node, o importer.Options) {
	meta := root.get("meta")
	desc := strings.TrimSpace(meta.get("description").str())
	summary, _, _ := strings.Cut(desc, "\n")
	if summary == "" {
		summary = c.r.Name + " (imported from SPK)"
		c.note(root.get("pkg"), "meta.description", importer.Approximated, "an SPK spec has no summary; kiln's is %q", summary)
	}
	c.f.Set("summary", summary)
	if desc != summary && desc != "" {
		c.f.Set("description", desc)
	}
	lic := meta.get("license").str()
	switch {
	case lic != "":
		if l, ok := schema.ValidLicense(lic); !ok {
			c.note(meta.get("license"), "meta.license", importer.Approximated, "%q is not an SPDX expression; kiln's nearest is %q", lic, l)
			lic = l
		}
	case o.License != "":
		lic = o.License
		c.note(root.get("pkg"), "license", importer.Filled, "from --license: an SPK spec has none")
	default:
		lic = "LicenseRef-unknown"
		c.note(root.get("pkg"), "license", importer.Approximated, "an SPK spec has no license and --license was not given: %s", lic)
	}
	c.f.Set("license", lic)
	if h := meta.get("homepage").str(); strings.HasPrefix(h, "http") {
		c.f.Set("homepage", h)
	}
	maint := o.Maintainer
	if maint == "" {
		maint = "Unknown <unknown@example.org>"
	}
	c.f.Set("maintainer", maint)
	c.note(root.get("pkg"), "maintainer", importer.FilledOr(o.Maintainer != ""), "an SPK spec has no maintainer: %s (--maintainer)", maint)
	ts := o.Timestamp
	if ts == "" {
		ts = "1970-01-01"
	}
	c.f.Set("timestamp", ts)
	c.note(root.get("pkg"), "timestamp", importer.FilledOr(o.Timestamp != ""), "an SPK spec has no timestamp: %s (--timestamp)", ts)
}

var hexCommit = regexp.MustCompile(`^[0-9a-f]{40}$`)

func (c *conv) sources(n node) {
	var out []any
	if !n.ok() {
		// SPK's default: the spec's whole directory.
		for _, m := range c.localSource(node{}, ".", "") {
			out = append(out, m)
		}
	}
	for _, s := range n.items() {
		dest := s.get("subdir").str()
		switch {
		case s.get("path").ok():
			for _, m := range c.localSource(s, s.get("path").str(), dest) {
				out = append(out, m)
			}
		case s.get("git").ok():
			ref := s.get("ref").str()
			if !hexCommit.MatchString(ref) {
				c.note(s, "sources", importer.Dropped, "git %s at %q: kiln pins git sources to a full commit hash", s.get("git").str(), ref)
				continue
			}
			out = append(out, withDest(importer.Map{{Key: "git", Value: s.get("git").str()}, {Key: "commit", Value: ref}}, dest))
		case s.get("tar").ok():
			t := s.get("tar").str()
			if strings.Contains(t, "://") {
				c.note(s, "sources", importer.Dropped, "tar %s: kiln needs the sha256 of a URL source, which an SPK spec does not give", t)
				continue
			}
			c.note(s, "sources", importer.Approximated, "tar %s: a local archive is copied, not unpacked", t)
			for _, m := range c.localSource(s, t, dest) {
				out = append(out, m)
			}
		case s.get("script").ok():
			out = append(out, withDest(importer.Map{{Key: "script", Value: s.get("script").lines()}}, dest))
		default:
			c.note(s, "sources", importer.Dropped, "a source kind kiln does not know (%s)", strings.Join(s.keys(), ", "))
		}
	}
	if len(out) > 0 {
		c.f.Set("sources", out)
	}
}

func withDest(m importer.Map, dest string) importer.Map {
	if dest != "" && dest != "." {
		m.Set("dest", dest)
	}
	return m
}

// localSource copies a local file or directory beside the recipe; "."
// (the spec's directory) gives one path source per file but the spec.
func (c *conv) localSource(n node, p, dest string) []importer.Map {
	rel := filepath.ToSlash(filepath.Clean(p))
	if filepath.IsAbs(p) || strings.HasPrefix(rel, "../") {
		c.note(n, "sources", importer.Dropped, "%s: a path outside the spec's directory", p)
		return nil
	}
	var files []string
	err := filepath.Walk(filepath.Join(c.dir, filepath.FromSlash(rel)), func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || isSpec(fi.Name()) {
			return err
		}
		r, _ := filepath.Rel(c.dir, path)
		c.r.Files = append(c.r.Files, importer.LocalFile{From: path, To: filepath.ToSlash(r)})
		files = append(files, filepath.ToSlash(r))
		return nil
	})
	if err != nil {
		c.note(n, "sources", importer.Dropped, "%s: %v", p, err)
		return nil
	}
	if rel != "." {
		return []importer.Map{withDest(importer.Map{{Key: "path", Value: rel}}, dest)}
	}
	var out []importer.Map
	for _, f := range files {
		out = append(out, withDest(importer.Map{{Key: "path", Value: f}}, filepath.ToSlash(filepath.Join(dest, filepath.Dir(f)))))
	}
	return out
}

// platform imports a platform spec: a noarch package whose requirements
// all apply only if present (IfAlreadyPresent), which opkg can express
// only as conflicts with older versions.
func (c *conv) platform(root node, o importer.Options) (*importer.Recipe, error) {
	p := root.get("platform")
	name, ver, _ := strings.Cut(p.str(), "/")
	c.r = &importer.Recipe{Name: name, Source: c.rel}
	c.f = importer.Map{{Key: "name", Value: name}}
	if ver == "" {
		ver = "0.0.0"
		c.note(p, "platform", importer.Approximated, "a platform spec names no version: %s", ver)
	}
	c.f.Set("version", c.version(p, ver))
	c.meta(root, o)
	c.f.Set("targets", []string{"noarch"})
	if b := root.get("base"); b.ok() {
		c.note(b, "base", importer.Dropped, "inheriting %s's requirements: import %s and list them here", b.str(), b.str())
	}
	reqs := root.get("requirements")
	for _, r := range reqs.items() {
		r.Content = append(r.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "include"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "IfAlreadyPresent"})
	}
	c.requirements(reqs)
	c.f.Set("package", `mkdir -p "$pkgdir"`)
	c.f.Set("validation", []any{importer.Map{{Key: "allow", Value: "EmptyPackage"}}})
	c.r.Fields = c.f
	c.r.SortNotes()
	return c.r, nil
}
