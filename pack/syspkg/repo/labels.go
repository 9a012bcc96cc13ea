package repo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/pack/syspkg"
)

// Set sets one catalog label by the name the seed's build command
// takes it under: "url", "title", "Repository", "Search", "Package Size",
// "Installed Size", "Download", "Homepage", "Bugtracker", "Maintainer",
// "License", "Depends", "Suggests", "Conflicts", and "lang" for the
// description translation shown. Any other name is a category id, the
// value its translated heading.
func (l *Labels) Set(name, value string) error {
	fields := map[string]*string{
		"lang": &l.Lang, "url": &l.URL, "title": &l.Title, "Repository": &l.Repository, "Search": &l.Search,
		"Package Size": &l.PackageSize, "Installed Size": &l.InstalledSize, "Download": &l.Download,
		"Homepage": &l.Homepage, "Bugtracker": &l.Bugtracker, "Maintainer": &l.Maintainer,
		"License": &l.License, "Depends": &l.Depends, "Suggests": &l.Suggests, "Conflicts": &l.Conflicts,
	}
	if p, ok := fields[name]; ok {
		if name == "lang" && !syspkg.ValidLang(value) {
			return fmt.Errorf("lang %q: want a language code such as de or en_GB", value)
		}
		*p = value
		return nil
	}
	if !syspkg.ValidCategoryID(name) {
		return fmt.Errorf("%q is neither a label (title, url, lang, Search, Package Size, ...) nor a category id", name)
	}
	if l.Categories == nil {
		l.Categories = map[string]string{}
	}
	l.Categories[name] = value
	return nil
}

// Parse applies a translation file to l: one "Name=Text" a line, as Set
// takes them; blank lines and lines starting with "#" are skipped.
// Errors name the line.
func (l *Labels) Parse(data []byte) error {
	var errs []error
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			errs = append(errs, fmt.Errorf("line %d: want Name=Text", n))
			continue
		}
		if err := l.Set(strings.TrimSpace(name), strings.TrimSpace(value)); err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", n, err))
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
