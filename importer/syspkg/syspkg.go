// Package syspkg imports syspkg metainfo files (the package's JSON, as
// syspkg build reads it) into kiln recipes whose formats.syspkg carries
// the metainfo's fields. The payload ZIPs the metainfo lists become the
// recipe's url sources, one per architecture, packed again as they are
// laid out (by category).
package syspkg

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
	psyspkg "github.com/kiln-build/kiln/pack/syspkg"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/version"
)

func init() { importer.Register("syspkg", Import) }

// archTargets maps syspkg architectures to kiln's targets.
var archTargets = map[string]string{"x86_64": "x86_64", "aarch64": "aarch64", "armv7": "armv7", "armhf": "armv7", "any": "noarch"}

// Import reads every metainfo in paths: a .json file or a directory of them.
func Import(paths []string, o importer.Options) (*importer.Import, error) {
	files, err := importer.Files(paths, func(name string) bool { return strings.HasSuffix(name, ".json") })
	if err != nil {
		return nil, err
	}
	return importer.Each(files, func(f string) ([]*importer.Recipe, error) {
		r, err := readMeta(f, o)
		return []*importer.Recipe{r}, err
	})
}

type conv struct {
	data []byte
	rel  string
	r    *importer.Recipe
}

func (c *conv) note(field, kind, format string, args ...any) {
	c.r.Note(c.rel, importer.LineOf(c.data, `"`+field+`"`, 0), field, kind, format, args...)
}

func readMeta(file string, o importer.Options) (*importer.Recipe, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	m, err := psyspkg.ParseMeta(data)
	if err != nil {
		return nil, err
	}
	if len(m.Description) == 0 {
		return nil, fmt.Errorf("description: at least one translation is required")
	}
	name := strings.ReplaceAll(strings.ToLower(m.ID), "_", "-")
	c := &conv{data: data, rel: importer.RelTo(file), r: &importer.Recipe{Name: name, Source: importer.RelTo(file)}}
	if name != m.ID {
		c.note("id", importer.Approximated, "%q is not a kiln package name (lowercase, no '_'); the recipe is %q", m.ID, name)
	}
	f := importer.Map{{Key: "name", Value: name}}
	f.Set("version", c.version(m))
	first := m.Description[0]
	f.Set("summary", first.Name)
	if first.Text != "" && first.Text != first.Name {
		f.Set("description", first.Text)
	}
	lic, ok := schema.ValidLicense(m.License)
	if !ok {
		c.note("license", importer.Approximated, "%q is not an SPDX license expression; kiln's nearest is %q", m.License, lic)
	}
	f.Set("license", lic)
	if m.Homepage != "" {
		if strings.Contains(m.Homepage, "$LANG") {
			c.note("homepage", importer.Dropped, "%q: kiln's homepage is one URL, not a mask with $LANG", m.Homepage)
		} else {
			f.Set("homepage", m.Homepage)
		}
	}
	if err := c.fromOptions(&f, o); err != nil {
		return nil, err
	}
	c.payloads(&f, m)
	c.relations(&f, m)
	f.Set("formats", importer.Map{{Key: "syspkg", Value: c.options(m)}})
	c.r.Fields = f
	c.r.SortNotes()
	return c.r, nil
}

// version is the kiln version the metainfo's version and release come
// from: kiln writes major.featureset.patch as the version and the recipe's
// version (without epoch) as the release.
func (c *conv) version(m *psyspkg.Meta) string {
	if m.Release != "" {
		if _, err := version.Parse(m.Release); err == nil {
			if v, _, err := psyspkg.SplitVersion(m.Release); err == nil && v == m.Version {
				return m.Release
			}
		}
		if m.Release != m.Version {
			c.note("release", importer.Dropped, "%q: kiln writes the recipe's version %q as the release", m.Release, m.Version)
		}
	}
	return m.Version
}

// fromOptions fills what a metainfo lacks from the import's options.
func (c *conv) fromOptions(f *importer.Map, o importer.Options) error {
	if o.Maintainer == "" {
		return fmt.Errorf("a metainfo names no maintainer (its signer is one): give --maintainer")
	}
	if o.Timestamp == "" {
		return fmt.Errorf("a metainfo has no timestamp: give --timestamp")
	}
	f.Set("maintainer", o.Maintainer)
	f.Set("timestamp", o.Timestamp)
	c.r.Notes = append(c.r.Notes,
		importer.Note{File: c.rel, Field: "maintainer", Kind: importer.Filled, Message: "from --maintainer: a metainfo names none"},
		importer.Note{File: c.rel, Field: "timestamp", Kind: importer.Filled, Message: "from --timestamp: a metainfo has none"})
	return nil
}

// payloads become targets and url sources, one per architecture; the
// package step copies the payload as it is laid out, by category.
func (c *conv) payloads(f *importer.Map, m *psyspkg.Meta) {
	type src struct {
		target string
		source importer.Map
	}
	var srcs []src
	for _, p := range m.Payloads {
		t, ok := archTargets[p.Arch]
		if !ok {
			c.note("payloads", importer.Dropped, "architecture %q has no kiln target (%s)", p.Arch, strings.Join(slices.Sorted(maps.Keys(archTargets)), ", "))
			continue
		}
		url := m.URL
		for k, v := range map[string]string{"$VERSION": m.Version, "$RELEASE": m.Release, "$ARCH": p.Arch} {
			url = strings.ReplaceAll(url, k, v)
		}
		if url == "" || strings.Contains(url, "$OSVER") {
			c.note("url", importer.Dropped, "%s payload: no URL kiln can fetch from the mask %q", p.Arch, m.URL)
			continue
		}
		srcs = append(srcs, src{t, importer.Map{{Key: "url", Value: url}, {Key: "sha256", Value: p.SHA256}}})
	}
	if len(srcs) == 0 {
		// A meta-package: dependencies only.
		f.Set("targets", []string{"noarch"})
		f.Set("package", `mkdir -p "$pkgdir"`)
		f.Set("validation", []any{importer.Map{{Key: "allow", Value: "EmptyPackage"}}})
		return
	}
	var targets []string
	for _, s := range srcs {
		targets = append(targets, s.target)
	}
	f.Set("targets", targets)
	if len(srcs) == 1 {
		f.Set("sources", []any{srcs[0].source})
	} else {
		var pt importer.Map
		for _, s := range srcs {
			pt.Set(s.target, importer.Map{{Key: "sources", Value: []any{s.source}}})
		}
		f.Set("per_target", pt)
	}
	f.Set("package", `cp -a "$srcdir"/. "$pkgdir"/`)
}

// relations: depends "name minversion" is name >= minversion; conflicts
// name only.
func (c *conv) relations(f *importer.Map, m *psyspkg.Meta) {
	var deps []string
	for _, d := range m.Depends {
		if name, ver, ok := strings.Cut(strings.TrimSpace(d), " "); ok {
			deps = append(deps, name+" >= "+strings.TrimSpace(ver))
		} else {
			deps = append(deps, name)
		}
	}
	if len(deps) > 0 {
		f.Set("depends", deps)
	}
	var conflicts []string
	for _, d := range m.Conflicts {
		name, _, versioned := strings.Cut(strings.TrimSpace(d), " ")
		if versioned {
			c.note("conflicts", importer.Dropped, "%q: kiln writes syspkg conflicts without versions (keeps %q)", d, name)
		}
		conflicts = append(conflicts, name)
	}
	if len(conflicts) > 0 {
		f.Set("conflicts", conflicts)
	}
}

// options are formats.syspkg: the metainfo fields with no recipe field.
func (c *conv) options(m *psyspkg.Meta) importer.Map {
	var o importer.Map
	if m.Category != "" {
		o.Set("category", m.Category)
	}
	if m.URL != "" {
		o.Set("url", m.URL)
	}
	if len(m.Description) > 1 || m.Description[0].Lang != "en" {
		var ds []any
		for _, d := range m.Description {
			ds = append(ds, importer.Map{{Key: "lang", Value: d.Lang}, {Key: "name", Value: d.Name}, {Key: "text", Value: d.Text}})
		}
		o.Set("descriptions", ds)
		if m.Description[0].Lang != "en" {
			c.note("description", importer.Approximated, "the fallback translation is %q; kiln's metainfo starts with the recipe's summary as \"en\"", m.Description[0].Lang)
		}
	}
	if len(m.Suggests) > 0 {
		o.Set("suggests", m.Suggests)
	}
	for _, kv := range []struct{ k, v string }{{"eula", m.EULA}, {"bugtracker", m.Bugtracker}} {
		if kv.v != "" {
			o.Set(kv.k, kv.v)
		}
	}
	if len(m.Screenshots) > 0 {
		o.Set("screenshots", m.Screenshots)
	}
	if len(m.Override) > 0 {
		var ov importer.Map
		for _, k := range slices.Sorted(maps.Keys(m.Override)) {
			ov.Set(k, m.Override[k])
		}
		o.Set("override", ov)
	}
	if pi := m.Postinst; pi != nil {
		var p importer.Map
		var env []any
		for _, e := range pi.Env {
			env = append(env, importer.Map{{Key: "name", Value: e.Name}, {Key: "type", Value: e.Type}})
			if len(e.Desc) > 0 {
				c.note("postinst", importer.Dropped, "the form labels of %s: kiln's formats.syspkg.postinst keeps name and type", e.Name)
			}
		}
		if len(env) > 0 {
			p.Set("env", env)
		}
		if len(pi.Commands) > 0 {
			p.Set("commands", pi.Commands)
		}
		o.Set("postinst", p)
	}
	return o
}
