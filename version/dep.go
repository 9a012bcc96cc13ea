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
	Version string
}

var depRe = regexp.MustCompile(`^\s*([a-z0-9][a-z0-9+.-]*)\s*(?:(<<|<=|>=|>>|=)\s*([0-9][A-Za-z0-9.+~:-]*))?\s*$`)

// ParseDep parses `name`, `name >= 1.2`, `name=1.2`, `name<<2.0`.
func ParseDep(s string) (Dep, error) {
	m := depRe.FindStringSubmatch(s)
	if m == nil {
		return Dep{}, fmt.Errorf("%q is not a dependency (want name or name OP version, OP one of << <= = >= >>)", s)
	}
	return Dep{Name: m[1], Op: m[2], Version: m[3]}, nil
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
