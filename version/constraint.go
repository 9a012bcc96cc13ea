package version

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Constraint is one version bound as a dependency writes it: `>= 1.0`.
// Op is one of "<<", "<=", "=", ">=", ">>"; the empty Op allows every
// version (a dependency without a bound).
type Constraint struct {
	Op      string
	Version Version
}

// opsHelp lists the operators for error messages.
const opsHelp = "one of << <= = >= >> (dpkg also reads the deprecated < and > as <= and >=)"

// normalizeOp maps dpkg's deprecated `<` and `>` to `<=` and `>=`: that
// is how dpkg reads them, and writing them back normalized keeps opkg and
// dpkg from disagreeing about what a control file means.
func normalizeOp(op string) (string, bool) {
	switch op {
	case "<<", "<=", "=", ">=", ">>":
		return op, true
	case "<":
		return "<=", true
	case ">":
		return ">=", true
	}
	return "", false
}

// ParseConstraint parses `OP VERSION`, with or without blanks between.
func ParseConstraint(s string) (Constraint, error) {
	t := strings.TrimSpace(s)
	n := 0
	for n < len(t) && strings.IndexByte("<=>", t[n]) >= 0 {
		n++
	}
	op, ok := normalizeOp(t[:n])
	if !ok {
		return Constraint{}, fmt.Errorf("constraint %q: operator %q is not %s", s, t[:n], opsHelp)
	}
	v, err := Parse(t[n:])
	if err != nil {
		return Constraint{}, fmt.Errorf("constraint %q: %w", s, err)
	}
	return Constraint{Op: op, Version: v}, nil
}

// Allows reports whether v satisfies c.
func (c Constraint) Allows(v Version) bool {
	r := Compare(v, c.Version)
	switch c.Op {
	case "":
		return true
	case "<<":
		return r < 0
	case "<=", "<":
		return r <= 0
	case "=":
		return r == 0
	case ">=", ">":
		return r >= 0
	case ">>":
		return r > 0
	}
	return false
}

// String renders c as `>= 1.0`.
func (c Constraint) String() string {
	if c.Op == "" {
		return ""
	}
	return c.Op + " " + c.Version.String()
}

func (c Constraint) inclusive() bool {
	return c.Op == "=" || c.Op == "<=" || c.Op == ">=" || c.Op == "<" || c.Op == ">"
}

// Range is the intersection of the constraints on one package, kept as
// its tightest lower and upper bound. Toltec writes a range by repeating
// a dependency (`draft>=1.0`, `draft<<2.0`). A nil bound is open, so the
// zero Range allows every version. An `=` constraint is both bounds. The
// bounds are the constraints as written, so errors can quote them.
type Range struct {
	Lower, Upper *Constraint
}

// NewRange intersects cs.
func NewRange(cs ...Constraint) Range {
	var r Range
	for _, c := range cs {
		r = r.And(c)
	}
	return r
}

// And returns r narrowed by c.
func (r Range) And(c Constraint) Range {
	if c.Op == "" || r.poisoned() {
		return r
	}
	op, ok := normalizeOp(c.Op)
	if !ok {
		// Unknown operators allow nothing (see Allows); record one as
		// both bounds so the range stays empty and says why.
		bad := c
		return Range{Lower: &bad, Upper: &bad}
	}
	c.Op = op
	if op != "<<" && op != "<=" && tighter(&c, r.Lower, 1) {
		lo := c
		r.Lower = &lo
	}
	if op != ">>" && op != ">=" && tighter(&c, r.Upper, -1) {
		hi := c
		r.Upper = &hi
	}
	return r
}

// tighter reports whether c bounds more than old on the side dir points
// to (+1 lower bound: larger is tighter; -1 upper bound: smaller is
// tighter). At equal versions an exclusive bound is the tighter one.
func tighter(c, old *Constraint, dir int) bool {
	if old == nil {
		return true
	}
	if d := Compare(c.Version, old.Version) * dir; d != 0 {
		return d > 0
	}
	return !c.inclusive() && old.inclusive()
}

// poisoned reports whether And recorded an unknown operator.
func (r Range) poisoned() bool {
	for _, b := range []*Constraint{r.Lower, r.Upper} {
		if b == nil {
			continue
		}
		if _, ok := normalizeOp(b.Op); !ok {
			return true
		}
	}
	return false
}

// Allows reports whether v lies in r.
func (r Range) Allows(v Version) bool {
	return (r.Lower == nil || r.Lower.Allows(v)) && (r.Upper == nil || r.Upper.Allows(v))
}

// Empty reports whether no version satisfies r. Comparing the bounds is
// enough: between two different versions there is always another one
// (the order is dense; TestRangeDense checks it), so `>> 1.0` with `<< 1.0.0` is satisfiable (by
// 1.0.0~, say) while `>> 1.0` with `<< 1.0-0` is not (1.0-0 = 1.0).
func (r Range) Empty() bool {
	if r.poisoned() {
		return true
	}
	if r.Lower == nil || r.Upper == nil {
		return false
	}
	switch Compare(r.Lower.Version, r.Upper.Version) {
	case 1:
		return true
	case 0:
		return !r.Lower.inclusive() || !r.Upper.inclusive()
	}
	return false
}

// Constraints returns the fewest constraints equal to r: none for an open
// range, one `=` for a pinned version, otherwise the bounds that exist.
func (r Range) Constraints() []Constraint {
	if r.Lower != nil && r.Upper != nil && !r.Empty() && Compare(r.Lower.Version, r.Upper.Version) == 0 {
		return []Constraint{{Op: "=", Version: r.Lower.Version}}
	}
	var cs []Constraint
	for _, c := range []*Constraint{r.Lower, r.Upper} {
		if c != nil {
			cs = append(cs, *c)
		}
	}
	return cs
}

// String renders r as `>= 1.0, << 2.0`, `= 1.0` or `any`.
func (r Range) String() string {
	cs := r.Constraints()
	if len(cs) == 0 {
		return "any"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}

// Merge groups deps by package and intersects each package's bounds. A
// package listed without a bound gets the open Range. The error names
// every package whose bounds exclude each other, with the two bounds.
func Merge(deps []Dep) (map[string]Range, error) {
	out := make(map[string]Range, len(deps))
	for _, d := range deps {
		c, ok, err := d.Constraint()
		if err != nil {
			return nil, err
		}
		r := out[d.Name]
		if ok {
			r = r.And(c)
		}
		out[d.Name] = r
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		if r := out[n]; r.Empty() {
			errs = append(errs, fmt.Errorf("dependency %s: no version satisfies both %s and %s", n, r.Lower, r.Upper))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
