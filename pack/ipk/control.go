package ipk

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/pack"
)

// nameRE is the package name rule of opkg-build (characters) and Debian
// policy (at least two characters, starting alphanumeric).
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

// epochRE matches a Debian version epoch ("1:").
var epochRE = regexp.MustCompile(`^[0-9]+:`)

// ScriptNames lists the install scripts an ipk's control archive may hold
// (pack.Package.Scripts keys). Mapping recipe scripts (Toltec's preinstall,
// configure, ...) onto these names is the caller's job.
var ScriptNames = []string{"preinst", "postinst", "prerm", "postrm"}

// Validate reports every problem that would make p an invalid ipk, joined.
func Validate(p *pack.Package) error {
	if p == nil {
		return errors.New("no package metadata")
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !nameRE.MatchString(p.Name) {
		bad("package name %q: must match %s (lowercase letters, digits, '+', '.', '-'; at least two characters)", p.Name, nameRE)
	}
	if p.Version == "" {
		bad("package %s: version is empty", p.Name)
	} else if strings.ContainsAny(p.Version, " \t\n\r/_") {
		bad("package %s: version %q contains whitespace, '/' or '_'", p.Name, p.Version)
	}
	if p.Arch == "" {
		bad("package %s: architecture is empty", p.Name)
	} else if strings.ContainsAny(p.Arch, " \t\n\r/") {
		bad("package %s: architecture %q contains whitespace or '/'", p.Name, p.Arch)
	}
	if p.Epoch < 0 {
		bad("package %s: epoch %d is before 1970", p.Name, p.Epoch)
	}

	// Every field but Description is one line in the control file; a
	// newline would start a new (forged) field.
	single := []struct{ field, value string }{
		{"maintainer", p.Maintainer}, {"summary", p.Summary}, {"section", p.Section},
		{"license", p.License}, {"homepage", p.Homepage},
	}
	for _, s := range single {
		if strings.ContainsAny(s.value, "\n\r") {
			bad("package %s: %s %q contains a line break", p.Name, s.field, s.value)
		}
	}
	for _, list := range []struct {
		field  string
		values []string
	}{{"depends", p.Depends}, {"conflicts", p.Conflicts}, {"replaces", p.Replaces}, {"provides", p.Provides}, {"sonames", p.Sonames}} {
		for _, v := range list.values {
			if strings.TrimSpace(v) == "" || strings.ContainsAny(v, "\n\r,") {
				bad("package %s: %s entry %q is empty or contains a line break or ','", p.Name, list.field, v)
			}
		}
	}
	if strings.Contains(p.Description, "\r") {
		bad("package %s: description contains a carriage return", p.Name)
	}
	if strings.TrimSpace(p.Description) != "" && strings.TrimSpace(p.Summary) == "" {
		bad("package %s: a description needs a summary (its first line)", p.Name)
	}

	for _, name := range sortedKeys(p.Scripts) {
		if !isScript(name) {
			bad("package %s: unknown install script %q (ipk has %s)", p.Name, name, strings.Join(ScriptNames, ", "))
		}
	}
	seen := map[string]bool{}
	for _, c := range p.Conffiles {
		if !strings.HasPrefix(c, "/") || strings.ContainsAny(c, "\n\r") || strings.HasSuffix(c, "/") {
			bad("package %s: conffile %q must be an absolute file path on one line", p.Name, c)
		}
		if seen[c] {
			bad("package %s: conffile %q listed twice", p.Name, c)
		}
		seen[c] = true
	}
	return errors.Join(errs...)
}

// Control renders the control file of p. installedSize is written as is
// (see Pack for its unit). Empty optional fields are left out. p must pass
// Validate; Control does not check it again.
//
// Fields come in a fixed order, Package first as dpkg and opkg-build
// expect: Package, Version, Architecture, Maintainer, Depends, Conflicts,
// Replaces, Provides, Section, Installed-Size, License, Homepage,
// Description. Priority is not written. Relations are joined with ", " as
// given, so they must already be in Debian syntax ("libc6 (>= 2.31)").
// Provides lists the recipe's provides, then the sonames the package's
// libraries provide (libgreet.so.1), as Alpine's so: provides do: opkg
// and kiln's soname resolution find a library's package by them.
func Control(p *pack.Package, installedSize int64) []byte {
	var b strings.Builder
	field := func(name, value string) {
		if value != "" {
			b.WriteString(name + ": " + value + "\n")
		}
	}
	field("Package", p.Name)
	field("Version", p.Version)
	field("Architecture", p.Arch)
	field("Maintainer", p.Maintainer)
	field("Depends", strings.Join(p.Depends, ", "))
	field("Conflicts", strings.Join(p.Conflicts, ", "))
	field("Replaces", strings.Join(p.Replaces, ", "))
	field("Provides", strings.Join(append(slices.Clip(p.Provides), p.Sonames...), ", "))
	field("Section", p.Section)
	field("Installed-Size", strconv.FormatInt(installedSize, 10))
	field("License", p.License)
	field("Homepage", p.Homepage)
	if p.Summary != "" {
		b.WriteString("Description: " + p.Summary + "\n")
		b.WriteString(continuation(p.Description))
	}
	return []byte(b.String())
}

// continuation renders a long description as Debian continuation lines:
// each line indented by one space, empty lines as " .". Leading and
// trailing empty lines are dropped, since they would render as stray dots.
func continuation(desc string) string {
	desc = strings.Trim(desc, "\n")
	if strings.TrimSpace(desc) == "" {
		return ""
	}
	var b strings.Builder
	for _, line := range strings.Split(desc, "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			line = "."
		}
		b.WriteString(" " + line + "\n")
	}
	return b.String()
}

// FileName is <name>_<version>_<arch>.ipk with the version's epoch removed,
// as opkg-build names packages.
func FileName(p *pack.Package) string {
	return p.Name + "_" + epochRE.ReplaceAllString(p.Version, "") + "_" + p.Arch + ".ipk"
}

// conffiles renders the conffiles control member: one path a line, in the
// order given (opkg keeps it), or nil when there are none.
func conffiles(p *pack.Package) []byte {
	if len(p.Conffiles) == 0 {
		return nil
	}
	return []byte(strings.Join(p.Conffiles, "\n") + "\n")
}

func isScript(name string) bool {
	for _, s := range ScriptNames {
		if s == name {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
