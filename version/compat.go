package version

import (
	"fmt"
	"sort"
	"strings"
)

// Compat is an SPK compatibility contract such as `x.a.b`: one rule set
// per version position, each made of the letters x (no compatibility:
// the numbers must be equal), a (API compatible when the number is not
// lower) and b (binary compatible when the number is not lower). Letters
// combine (`x.ab`). Optional `-RULES` and `+RULES` clauses govern versions
// that differ only in their pre- or post-release tags; without them such
// versions are compatible. The contract is the new version's promise to
// older ones, so it is checked with the candidate as other.
//
// The zero Compat is the default, x.a.b.
type Compat struct {
	parts     []string // each the sorted, de-duplicated letters of one position
	pre, post string   // "" when the clause is absent
}

// DefaultCompat is the contract of a package that does not declare one.
const DefaultCompat = "x.a.b"

// ParseCompat parses a compat field. The empty string, like an absent
// field, means DefaultCompat.
func ParseCompat(s string) (Compat, error) {
	if s == "" {
		s = DefaultCompat
	}
	bad := func(format string, args ...any) (Compat, error) {
		return Compat{}, fmt.Errorf("invalid compat %q: %s (want rules from x, a, b per position, like x.a.b or x.ab, optionally -RULES and +RULES)", s, fmt.Sprintf(format, args...))
	}
	base, tail := s, ""
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		base, tail = s[:i], s[i:]
	}
	var c Compat
	for i, p := range strings.Split(base, ".") {
		set, ok := ruleSet(p)
		if !ok {
			return bad("position %d is %q", i+1, p)
		}
		c.parts = append(c.parts, set)
	}
	for tail != "" {
		kind := tail[0]
		j := strings.IndexAny(tail[1:], "-+") + 1
		if j == 0 {
			j = len(tail)
		}
		set, ok := ruleSet(tail[1:j])
		if !ok {
			return bad("%q clause is %q", string(kind), tail[1:j])
		}
		dst := &c.pre
		if kind == '+' {
			dst = &c.post
		}
		if *dst != "" {
			return bad("%q clause given twice", string(kind))
		}
		*dst = set
		tail = tail[j:]
	}
	return c, nil
}

// ruleSet validates one position's letters and returns them in canonical
// order (a, b, x), so that `ba` and `ab` print alike.
func ruleSet(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	var out []byte
	for _, r := range "abx" {
		if strings.ContainsRune(p, r) {
			out = append(out, byte(r))
		}
	}
	if strings.Trim(p, "abx") != "" {
		return "", false
	}
	return string(out), true
}

func (c Compat) normalized() Compat {
	if len(c.parts) == 0 {
		c.parts = []string{"x", "a", "b"}
	}
	return c
}

// String renders c canonically, e.g. `x.ab-x+b`.
func (c Compat) String() string {
	c = c.normalized()
	s := strings.Join(c.parts, ".")
	if c.pre != "" {
		s += "-" + c.pre
	}
	if c.post != "" {
		s += "+" + c.post
	}
	return s
}

// Check reports whether other is binary compatible with base under c:
// whether a package built against base can run with other installed.
// Binary compatibility is what kiln needs when it installs a dependency
// into a sysroot or a target; use CheckAPI for source-level needs.
func (c Compat) Check(base, other string) error { return c.check(base, other, 'b') }

// CheckAPI reports whether other is API compatible with base under c:
// whether code written against base still builds against other.
func (c Compat) CheckAPI(base, other string) error { return c.check(base, other, 'a') }

// check follows SPK's algorithm. Positions are visited left to right: an
// x position must be equal; a position without the needed letter must be
// equal too; the first position carrying the needed letter decides, other
// being compatible unless its number there is lower. Missing positions
// count as 0, as SPK's version equality does (1.0 == 1.0.0).
func (c Compat) check(base, other string, need byte) error {
	c = c.normalized()
	b, err := parseSPK(base)
	if err != nil {
		return err
	}
	o, err := parseSPK(other)
	if err != nil {
		return err
	}
	kind := map[byte]string{'a': "API", 'b': "binary"}[need]
	if equalParts(b.parts, o.parts) {
		for _, cl := range []struct{ name, rules, want, have string }{
			{"pre", c.pre, b.pre, o.pre},
			{"post", c.post, b.post, o.post},
		} {
			if cl.rules == "" || canonTags(cl.want) == canonTags(cl.have) {
				continue
			}
			if strings.IndexByte(cl.rules, 'x') >= 0 {
				return fmt.Errorf("%s is not compatible with %s [%s at %s: has %s, requires %s]", other, base, c, cl.name, tagsOrNone(cl.have), tagsOrNone(cl.want))
			}
			if strings.IndexByte(cl.rules, need) < 0 {
				return fmt.Errorf("%s is not %s compatible with %s [%s at %s: has %s, requires %s]", other, kind, base, c, cl.name, tagsOrNone(cl.have), tagsOrNone(cl.want))
			}
		}
		return nil
	}
	for i, rules := range c.parts {
		want, have := partAt(b.parts, i), partAt(o.parts, i)
		cmp := compareNum(have, want)
		where := fmt.Sprintf("%s at pos %d (%s)", c, i+1, positionLabel(i))
		switch {
		case strings.IndexByte(rules, 'x') >= 0:
			if cmp != 0 {
				return fmt.Errorf("%s is not compatible with %s [%s: has %s, requires %s]", other, base, where, have, want)
			}
		case strings.IndexByte(rules, need) < 0:
			if cmp != 0 {
				return fmt.Errorf("%s is not %s compatible with %s [%s: has %s, requires %s]", other, kind, base, where, have, want)
			}
		case cmp < 0:
			return fmt.Errorf("%s is not %s compatible with %s [%s: (version) %s < %s (compat)]", other, kind, base, where, have, want)
		default:
			return nil
		}
	}
	return fmt.Errorf("%s is not compatible with %s (%s): %s compatibility is not specified for the positions that differ", other, base, c, kind)
}

func positionLabel(i int) string {
	if i < 3 {
		return [...]string{"major", "minor", "patch"}[i]
	}
	return "tail"
}

// spkVersion is an SPK version: dot-separated numbers, then optional
// `-pre` and `+post` tag sets of comma-separated `name.number` tags.
type spkVersion struct {
	parts     []string // numbers without leading zeros
	pre, post string   // tag sets as written
}

func parseSPK(s string) (spkVersion, error) {
	bad := func(format string, args ...any) (spkVersion, error) {
		return spkVersion{}, fmt.Errorf("invalid SPK version %q: %s", s, fmt.Sprintf(format, args...))
	}
	var v spkVersion
	rest := s
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		rest, v.post = rest[:i], rest[i+1:]
		if _, ok := parseTags(v.post); !ok {
			return bad("post-release tags %q are not name.number[,name.number...]", v.post)
		}
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		rest, v.pre = rest[:i], rest[i+1:]
		if _, ok := parseTags(v.pre); !ok {
			return bad("pre-release tags %q are not name.number[,name.number...]", v.pre)
		}
	}
	for _, p := range strings.Split(rest, ".") {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return bad("want dot-separated numbers before any -pre or +post tags")
		}
		v.parts = append(v.parts, stripZeros(p))
	}
	return v, nil
}

// parseTags parses `name.num,name.num`; names are ASCII letters and
// digits and may not repeat.
func parseTags(s string) (map[string]string, bool) {
	tags := map[string]string{}
	for _, t := range strings.Split(s, ",") {
		name, num, ok := strings.Cut(t, ".")
		if !ok || name == "" || num == "" || strings.Trim(num, "0123456789") != "" || tags[name] != "" {
			return nil, false
		}
		for i := 0; i < len(name); i++ {
			if !isAlnum(name[i]) {
				return nil, false
			}
		}
		tags[name] = stripZeros(num)
	}
	return tags, true
}

// canonTags renders a tag set so that equal sets compare equal as strings
// (tag order and leading zeros do not matter).
func canonTags(s string) string {
	if s == "" {
		return ""
	}
	tags, _ := parseTags(s)
	names := make([]string, 0, len(tags))
	for n := range tags {
		names = append(names, n+"."+tags[n])
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func tagsOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func equalParts(a, b []string) bool {
	for i := 0; i < len(a) || i < len(b); i++ {
		if partAt(a, i) != partAt(b, i) {
			return false
		}
	}
	return true
}

func partAt(p []string, i int) string {
	if i < len(p) {
		return p[i]
	}
	return "0"
}

// compareNum compares digit strings without leading zeros as numbers, so
// no length overflows.
func compareNum(a, b string) int {
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
}

func stripZeros(d string) string {
	if d = strings.TrimLeft(d, "0"); d == "" {
		return "0"
	}
	return d
}
