package syspkg

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kiln-build/kiln/pack"
)

// Meta is a package's metainfo, the seed's JSON fields in the seed's order.
// Render writes it, ParseMeta reads it back.
type Meta struct {
	ID          string        // unix name, see idRE
	Description []Description // at least one; the first is the fallback language
	Version     string        // major.featureset.patch
	Release     string        // free form ("1.0-beta-rc")
	URL         string        // payload URL mask: $VERSION, $RELEASE, $ARCH, $OSVER
	Category    string        // one category id ("tools")
	Depends     []string      // "name" or "name minversion"
	Suggests    []string
	Conflicts   []string
	License     string
	EULA        string   // URL; may contain $LANG, like the next three
	Homepage    string   // URL
	Bugtracker  string   // URL
	Screenshots []string // PNG URLs
	// Override maps a category to the payload directory holding it, for
	// payloads not laid out by category.
	Override map[string]string
	Postinst *Postinst
	Payloads []Payload // written by Index
	Files    []File    // written by Index

	// Maintainer is not a metainfo field: it is the common name of the
	// certificate in the signature block, which VerifyMeta fills in and the
	// catalog shows.
	Maintainer string
}

// Description is one translation: { "lang", "name", "text" }.
type Description struct {
	Lang string // "en", "en_US", ...
	Name string // display name
	Text string // description, lines separated by "\n"
}

// Postinst is the install-time form and the commands run with its values.
type Postinst struct {
	Env      []EnvVar
	Commands []string
}

// EnvVar is one form field, passed to the commands as an environment
// variable. Type is str(default), num(min,max,default),
// chk(unchecked,checked) or sel(opt1,opt2,...).
type EnvVar struct {
	Name string
	Type string
	Desc []Description
}

// Payload is one architecture's ZIP: { "arch", compressed, size, "sha256" }.
type Payload struct {
	Arch       string
	Compressed int64  // size of the ZIP file
	Size       int64  // uncompressed size of its files
	SHA256     string // of the ZIP file, lowercase hex
}

// File is one payload file: { size, "name" }.
type File struct {
	Size int64
	Name string
}

var (
	langRE    = regexp.MustCompile(`^[a-z]{2,3}(_[A-Z]{2})?$`)
	depRE     = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?( [0-9]+(\.[0-9]+){0,2})?$`)
	envTypeRE = regexp.MustCompile(`^(str|num|chk|sel)\(.*\)$`)
	envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	shaRE     = regexp.MustCompile(`^[0-9a-f]{64}$`)
	catRE     = regexp.MustCompile(`^[a-z0-9_-]+$`)
	canonRE   = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
)

// ValidLang tells whether s is a language code as descriptions take it:
// "de", "en_GB".
func ValidLang(s string) bool { return langRE.MatchString(s) }

// ValidCategoryID tells whether s is a category id as the metainfo takes
// it: lower-case letters, digits, "_" and "-".
func ValidCategoryID(s string) bool { return catRE.MatchString(s) }

// Validate reports every problem of m at once.
func (m *Meta) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !idRE.MatchString(m.ID) {
		bad("id %q: letters, digits, _ and - only, with at most one dot", m.ID)
	}
	if len(m.Description) == 0 {
		bad("description: at least one is required")
	}
	checkDesc := func(field string, ds []Description) {
		for i, d := range ds {
			if !langRE.MatchString(d.Lang) {
				bad("%s[%d]: language code %q (want e.g. en or en_US)", field, i, d.Lang)
			}
			if d.Name == "" {
				bad("%s[%d]: name is empty", field, i)
			}
		}
	}
	checkDesc("description", m.Description)
	if !canonRE.MatchString(m.Version) {
		bad("version %q: want major.featureset.patch", m.Version)
	}
	if m.Category == "" || !catRE.MatchString(m.Category) {
		bad("category %q: want one category id", m.Category)
	}
	for _, l := range []struct {
		field string
		list  []string
	}{{"depends", m.Depends}, {"suggests", m.Suggests}, {"conflicts", m.Conflicts}} {
		for _, d := range l.list {
			if !depRE.MatchString(d) {
				bad("%s: %q is not \"name\" or \"name version\"", l.field, d)
			}
		}
	}
	for _, cat := range sortedKeys(m.Override) {
		if !isCategory(cat) {
			bad("override: %q is not a category (%s)", cat, strings.Join(Categories, ", "))
		}
	}
	if m.Postinst != nil {
		for i, e := range m.Postinst.Env {
			if !envNameRE.MatchString(e.Name) {
				bad("postinst.env[%d]: name %q", i, e.Name)
			}
			if !envTypeRE.MatchString(e.Type) {
				bad("postinst.env[%d]: type %q is not str(...), num(...), chk(...) or sel(...)", i, e.Type)
			}
			checkDesc(fmt.Sprintf("postinst.env[%d].desc", i), e.Desc)
		}
	}
	seen := map[string]bool{}
	for i, p := range m.Payloads {
		if p.Arch == "" || seen[p.Arch] {
			bad("payloads[%d]: arch %q is empty or repeated", i, p.Arch)
		}
		seen[p.Arch] = true
		if !shaRE.MatchString(p.SHA256) {
			bad("payloads[%d]: sha256 %q", i, p.SHA256)
		}
		if p.Compressed <= 0 || p.Size < 0 {
			bad("payloads[%d]: sizes %d, %d", i, p.Compressed, p.Size)
		}
	}
	if len(m.Payloads) > 0 && m.URL == "" {
		bad("url: a package with payloads needs a URL mask")
	}
	return errors.Join(errs...)
}

// ExpandURL fills a URL mask for one architecture. $OSVER depends on the
// installing system and stays as is.
func ExpandURL(mask, version, release, arch string) string {
	return strings.NewReplacer("$VERSION", version, "$RELEASE", release, "$ARCH", arch).Replace(mask)
}

// DefaultURL is the URL mask of payloads uploaded under base with the
// names Format.FileName gives them.
func DefaultURL(base, id string) string {
	return strings.TrimSuffix(base, "/") + "/" + id + "-$VERSION-$ARCH.zip"
}

// FromPackage starts a metainfo from kiln's package metadata: id, an
// English description (the summary as name, the description or else the
// summary as text), version and release (SplitVersion), the category
// (given, or else the package section, or else "tools"), license, homepage,
// and depends and conflicts translated from Debian syntax. Payloads and
// files come later from Index.
func FromPackage(p *pack.Package, url, category string) (*Meta, error) {
	version, release, err := SplitVersion(p.Version)
	if err != nil {
		return nil, err
	}
	text := p.Description
	if text == "" {
		text = p.Summary
	}
	if category == "" {
		category = p.Section
	}
	if category == "" {
		category = "tools"
	}
	m := &Meta{
		ID:          p.Name,
		Description: []Description{{Lang: "en", Name: p.Summary, Text: text}},
		Version:     version,
		Release:     release,
		URL:         url,
		Category:    category,
		License:     p.License,
		Homepage:    p.Homepage,
	}
	var errs []error
	for _, d := range p.Depends {
		dep, err := translateDep(d, true)
		if err != nil {
			errs = append(errs, fmt.Errorf("depends: %w", err))
		}
		m.Depends = append(m.Depends, dep)
	}
	for _, d := range p.Conflicts {
		dep, err := translateDep(d, false)
		if err != nil {
			errs = append(errs, fmt.Errorf("conflicts: %w", err))
		}
		m.Conflicts = append(m.Conflicts, dep)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("package %s: %w", p.Name, err)
	}
	return m, nil
}

var debDepRE = regexp.MustCompile(`^([A-Za-z0-9_.+-]+)\s*(?:\(?\s*(>=|>>|<=|<<|=|>|<)\s*([^\s)]+)\s*\)?)?$`)

// translateDep turns a Debian-style relation into syspkg's "name" or
// "name minversion". syspkg states only minimum versions, so ">=" is the one
// operator that translates (and only for depends); alternatives ("a | b")
// have no syspkg form either. Both are errors rather than silently looser
// dependencies.
func translateDep(d string, allowMin bool) (string, error) {
	if strings.Contains(d, "|") {
		return "", fmt.Errorf("%q: syspkg has no alternatives (a | b)", d)
	}
	m := debDepRE.FindStringSubmatch(strings.TrimSpace(d))
	if m == nil {
		return "", fmt.Errorf("%q: not a package relation", d)
	}
	name, op, ver := m[1], m[2], m[3]
	if op == "" {
		return name, nil
	}
	if op != ">=" || !allowMin {
		return "", fmt.Errorf("%q: syspkg states only minimum versions of dependencies (name >= version)", d)
	}
	canon, _, err := SplitVersion(ver)
	if err != nil {
		return "", fmt.Errorf("%q: %w", d, err)
	}
	return name + " " + canon, nil
}
