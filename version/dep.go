// Package version owns package versions and dependency specifications:
// parsing `name [op version]` as recipes write them and rendering them the
// way package managers read them.
package version

import (
	"fmt"
	"regexp"
)

// Dep is one dependency: a package name with an optional version bound.
type Dep struct {
	Name    string
	Op      string // "", "<<", "<=", "=", ">=", ">>"
	Version string // as written; ParseDep checks it with Parse
}

// depRe splits a spec; the operator and version are checked afterwards so
// that errors can say what is wrong with them.
var depRe = regexp.MustCompile(`^\s*([a-z0-9][a-z0-9+.-]*)\s*(?:([<=>]+)\s*(\S+))?\s*$`)

// ParseDep parses `name`, `name >= 1.2`, `name=1.2`, `name<<2.0`. The
// deprecated `<` and `>` are read as dpkg reads them, `<=` and `>=`.
func ParseDep(s string) (Dep, error) {
	m := depRe.FindStringSubmatch(s)
	if m == nil {
		return Dep{}, fmt.Errorf("%q is not a dependency (want name or name OP version, OP %s)", s, opsHelp)
	}
	d := Dep{Name: m[1], Op: m[2], Version: m[3]}
	if d.Op == "" {
		return d, nil
	}
	op, ok := normalizeOp(d.Op)
	if !ok {
		// Toltec's documentation lists `=>`, which dpkg does not know.
		return Dep{}, fmt.Errorf("dependency %q: operator %q is not %s", s, d.Op, opsHelp)
	}
	d.Op = op
	if _, err := Parse(d.Version); err != nil {
		return Dep{}, fmt.Errorf("dependency %q: %w", s, err)
	}
	return d, nil
}

// Constraint returns d's version bound; ok is false when d has none.
func (d Dep) Constraint() (c Constraint, ok bool, err error) {
	if d.Op == "" {
		return Constraint{}, false, nil
	}
	op, known := normalizeOp(d.Op)
	if !known {
		return Constraint{}, false, fmt.Errorf("dependency %s: operator %q is not %s", d.Name, d.Op, opsHelp)
	}
	v, err := Parse(d.Version)
	if err != nil {
		return Constraint{}, false, fmt.Errorf("dependency %s: %w", d.Name, err)
	}
	return Constraint{Op: op, Version: v}, true, nil
}

// Meets checks version have (a package's) against d's bound; the error
// says what does not satisfy what.
func (d Dep) Meets(have string) error {
	c, ok, err := d.Constraint()
	if err != nil || !ok {
		return err
	}
	v, err := Parse(have)
	if err != nil {
		return err
	}
	if !c.Allows(v) {
		return fmt.Errorf("%s does not satisfy %s", have, c)
	}
	return nil
}

// Debian renders d as control files write it: `libc6 (>= 2.31)`.
func (d Dep) Debian() string {
	if d.Op == "" {
		return d.Name
	}
	return fmt.Sprintf("%s (%s %s)", d.Name, d.Op, d.Version)
}

// DebianList converts recipe dependency strings to control-file syntax.
func DebianList(specs []string) ([]string, error) {
	out := make([]string, 0, len(specs))
	for _, s := range specs {
		d, err := ParseDep(s)
		if err != nil {
			return nil, err
		}
		out = append(out, d.Debian())
	}
	return out, nil
}
