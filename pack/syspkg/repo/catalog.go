package repo

import (
	"crypto/x509"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/pack/syspkg"
)

// Labels are the translatable texts of the catalog page: the seed's list of
// build options. Empty fields take the English defaults.
type Labels struct {
	// Lang picks the description translation shown ("de", "en_GB"): an
	// exact match, else the same language, else the first. Default "en".
	Lang string
	// URL is the repository list's real address (the Repository link).
	URL string
	// Title of the page; DefaultLabels sets the repository's name.
	Title string

	Repository, Search, PackageSize, InstalledSize, Download string
	Homepage, Bugtracker, Maintainer, License                string
	Depends, Suggests, Conflicts                             string

	// Categories translates category ids ("tools") to headings.
	Categories map[string]string
}

var english = Labels{
	Lang: "en", Title: "Packages",
	Repository: "Repository", Search: "Search", PackageSize: "Package Size",
	InstalledSize: "Installed Size", Download: "Download", Homepage: "Homepage",
	Bugtracker: "Bugtracker", Maintainer: "Maintainer", License: "License",
	Depends: "Depends", Suggests: "Suggests", Conflicts: "Conflicts",
}

// DefaultLabels are the English labels with the title the seed defaults
// to, the canonical name in the repository certificate, and the list's URL.
func DefaultLabels(repo *x509.Certificate, url string) Labels {
	l := english
	if repo != nil && repo.Subject.CommonName != "" {
		l.Title = repo.Subject.CommonName
	}
	l.URL = url
	return l
}

func (l Labels) withDefaults() Labels {
	for _, f := range []struct {
		v *string
		d string
	}{
		{&l.Lang, english.Lang}, {&l.Title, english.Title}, {&l.Repository, english.Repository},
		{&l.Search, english.Search}, {&l.PackageSize, english.PackageSize},
		{&l.InstalledSize, english.InstalledSize}, {&l.Download, english.Download},
		{&l.Homepage, english.Homepage}, {&l.Bugtracker, english.Bugtracker},
		{&l.Maintainer, english.Maintainer}, {&l.License, english.License},
		{&l.Depends, english.Depends}, {&l.Suggests, english.Suggests}, {&l.Conflicts, english.Conflicts},
	} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	return l
}

//go:embed catalog.html
var catalogHTML string

var catalogTmpl = template.Must(template.New("catalog").Funcs(template.FuncMap{
	"list": func(v ...any) []any { return v },
}).Parse(catalogHTML))

type catalogPage struct {
	L          Labels
	HTMLLang   string
	Categories []catalogCategory
}

type catalogCategory struct {
	ID, Name string
	Packages []catalogPackage
}

type catalogPackage struct {
	ID, Name, Version, Release   string
	Short, More                  string // first line of the description, the rest
	Homepage, Bugtracker, EULA   string
	Maintainer, License          string
	Depends, Suggests, Conflicts []catalogDep
	Payloads                     []catalogPayload
	Search                       string
}

type catalogDep struct {
	ID, Version string
	Link        string // the catalog's package satisfying it, if any
}

type catalogPayload struct {
	Arch, URL, Size, Installed string
}

// Catalog writes the searchable HTML catalog of a repository's packages:
// one table per category (headed by its translated name) with each
// package's name, version and description, package and installed size and
// a download link per architecture, and the details (homepage, bugtracker,
// maintainer, license, depends, suggests, conflicts) folded under it. The
// page is self-contained (inline CSS and JS, no external assets) and
// deterministic: categories and packages are sorted by id.
func Catalog(w io.Writer, pkgs []syspkg.Meta, labels Labels) error {
	l := labels.withDefaults()
	ids := map[string]bool{}
	for _, m := range pkgs {
		if ids[m.ID] {
			return fmt.Errorf("catalog: package %q listed twice", m.ID)
		}
		ids[m.ID] = true
	}
	// listed maps a dependency name to the package a link points at: the
	// package of that id, or else the first one providing it ("cron" is
	// provided by "cron.vixie").
	listed := map[string]string{}
	for id := range ids {
		listed[id] = id
	}
	for id := range ids {
		if name, _, ok := strings.Cut(id, "."); ok && !ids[name] {
			if cur, ok := listed[name]; !ok || id < cur {
				listed[name] = id
			}
		}
	}
	byCat := map[string][]catalogPackage{}
	for i := range pkgs {
		m := &pkgs[i]
		if err := m.Validate(); err != nil {
			return fmt.Errorf("catalog: %s: %w", m.ID, err)
		}
		byCat[m.Category] = append(byCat[m.Category], catalogEntry(m, l.Lang, listed))
	}
	page := catalogPage{L: l, HTMLLang: strings.ReplaceAll(l.Lang, "_", "-")}
	for id, ps := range byCat {
		sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
		name := l.Categories[id]
		if name == "" {
			name = id
		}
		page.Categories = append(page.Categories, catalogCategory{ID: id, Name: name, Packages: ps})
	}
	sort.Slice(page.Categories, func(i, j int) bool { return page.Categories[i].ID < page.Categories[j].ID })
	return catalogTmpl.Execute(w, page)
}

func catalogEntry(m *syspkg.Meta, lang string, listed map[string]string) catalogPackage {
	d := pickDescription(m.Description, lang)
	two := d.Lang[:2]
	sub := func(u string) string { return strings.ReplaceAll(u, "$LANG", two) }
	p := catalogPackage{
		ID: m.ID, Name: d.Name, Version: m.Version, Release: m.Release,
		Homepage: sub(m.Homepage), Bugtracker: sub(m.Bugtracker), EULA: sub(m.EULA),
		Maintainer: m.Maintainer, License: m.License,
		Depends: deps(m.Depends, listed), Suggests: deps(m.Suggests, listed), Conflicts: deps(m.Conflicts, listed),
	}
	p.Short, p.More, _ = strings.Cut(strings.TrimSpace(d.Text), "\n")
	for _, pl := range m.Payloads {
		p.Payloads = append(p.Payloads, catalogPayload{
			Arch: pl.Arch, URL: syspkg.ExpandURL(m.URL, m.Version, m.Release, pl.Arch),
			Size: formatSize(pl.Compressed), Installed: formatSize(pl.Size),
		})
	}
	p.Search = strings.ToLower(strings.Join(strings.Fields(strings.Join([]string{m.ID, d.Name, d.Text, m.Category, m.License, m.Maintainer}, " ")), " "))
	return p
}

// pickDescription chooses the translation for lang: exact, else the same
// language ("en" for "en_GB" and the other way round), else the first.
func pickDescription(ds []syspkg.Description, lang string) syspkg.Description {
	for _, d := range ds {
		if d.Lang == lang {
			return d
		}
	}
	want, _, _ := strings.Cut(lang, "_")
	for _, d := range ds {
		if l, _, _ := strings.Cut(d.Lang, "_"); l == want {
			return d
		}
	}
	return ds[0]
}

// deps splits "name version" entries and finds what each links to.
func deps(list []string, listed map[string]string) []catalogDep {
	var out []catalogDep
	for _, s := range list {
		id, ver, _ := strings.Cut(s, " ")
		out = append(out, catalogDep{ID: id, Version: ver, Link: listed[id]})
	}
	return out
}

// formatSize writes a byte count for people: bytes below 1 KiB, else KiB,
// MiB or GiB with one decimal.
func formatSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/1024, "KiB"
	for _, u := range []string{"MiB", "GiB", "TiB"} {
		if v < 1024 {
			break
		}
		v, unit = v/1024, u
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}
