package version

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// FuzzParse: Parse never panics, and what it accepts renders back to a
// string that parses to the same value and compares equal.
func FuzzParse(f *testing.F) {
	for _, tc := range compareCases {
		f.Add(tc.a)
	}
	for _, s := range []string{"", "1:", "0:2:3", "1-2-3", "+1:2", "-0:2", "2147483648:1", "1.0-", " 1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(v.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %#v renders as %q: %v", s, v, v.String(), err)
		}
		if back != v || Compare(back, v) != 0 {
			t.Fatalf("Parse(%q) = %#v, round trip gives %#v", s, v, back)
		}
	})
}

// FuzzCompare: Compare is antisymmetric, reflexive, and unchanged by a
// String round trip; CompareStrings and CompareCommand agree with it.
func FuzzCompare(f *testing.F) {
	for _, tc := range compareCases {
		f.Add(tc.a, tc.b)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, errA := Parse(a)
		vb, errB := Parse(b)
		c, err := CompareStrings(a, b)
		if (err == nil) != (errA == nil && errB == nil) {
			t.Fatalf("CompareStrings(%q, %q) error %v, Parse errors %v, %v", a, b, err, errA, errB)
		}
		if err != nil {
			return
		}
		if c != Compare(va, vb) || c < -1 || c > 1 {
			t.Fatalf("CompareStrings(%q, %q) = %d, Compare = %d", a, b, c, Compare(va, vb))
		}
		if r := Compare(vb, va); r != -c {
			t.Fatalf("Compare(%q, %q) = %d but reversed = %d", a, b, c, r)
		}
		if Compare(va, va) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", a)
		}
		ra, rb := MustParse(va.String()), MustParse(vb.String())
		if r := Compare(ra, rb); r != c {
			t.Fatalf("Compare(%q, %q) = %d, after String round trip %d", a, b, c, r)
		}
		if s, _ := CompareCommand(a, b); s != [...]string{"<", "=", ">"}[c+1] {
			t.Fatalf("CompareCommand(%q, %q) = %q, Compare = %d", a, b, s, c)
		}
	})
}

// TestCompareTotalOrder sorts generated versions and checks that the
// result is consistent: every later element compares >= every earlier
// one, which catches intransitive comparisons that pairwise tests miss.
func TestCompareTotalOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vs := make([]Version, 400)
	for i := range vs {
		vs[i] = MustParse(genVersion(r))
		if i > 0 && r.IntN(3) == 0 { // a near neighbour, when still valid
			if v, err := Parse(mutate(r, vs[i-1].String())); err == nil {
				vs[i] = v
			}
		}
	}
	sort.Slice(vs, func(i, j int) bool { return Compare(vs[i], vs[j]) < 0 })
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			if Compare(vs[i], vs[j]) > 0 {
				t.Fatalf("sorted order broken: %s before %s", vs[i], vs[j])
			}
		}
	}
}

// FuzzCompat: parsing a contract and checking arbitrary versions never
// panics, a parsed contract reparses from its String, and every version is
// compatible with itself.
func FuzzCompat(f *testing.F) {
	f.Add("x.a.b", "1.0.0", "1.1.0")
	f.Add("x.x.x-x+x", "1.0.0-a.1", "1.0.0+b.2,c.3")
	f.Add("x.ab", "1", "1.0.0.0.1")
	f.Fuzz(func(t *testing.T, spec, base, other string) {
		c, err := ParseCompat(spec)
		if err != nil {
			return
		}
		if c2, err := ParseCompat(c.String()); err != nil || c2.String() != c.String() {
			t.Fatalf("ParseCompat(%q).String() = %q reparses as %v, %v", spec, c, c2, err)
		}
		_ = c.Check(base, other)
		_ = c.CheckAPI(base, other)
		if _, err := parseSPK(base); err == nil {
			if err := c.Check(base, base); err != nil {
				t.Fatalf("%s: %s not compatible with itself: %v", c, base, err)
			}
		}
	})
}

// FuzzParseDep: ParseDep never panics; an accepted dependency written
// back as "name OP version" parses to it, and its constraint parses.
func FuzzParseDep(f *testing.F) {
	for _, s := range []string{"gcc", "libfoo-dev >= 1.2", "a (<< 2:1.0-1)", "x=1", "b >>", "c >= ", "(", "a | b", "n\x00 = 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDep(s)
		if err != nil {
			return
		}
		if _, _, err := d.Constraint(); err != nil {
			t.Fatalf("ParseDep(%q) = %#v, whose constraint fails: %v", s, d, err)
		}
		text := strings.TrimSpace(d.Name + " " + d.Op + " " + d.Version)
		back, err := ParseDep(text)
		if err != nil || back != d {
			t.Fatalf("ParseDep(%q) = %#v written as %q parses to %#v, %v", s, d, text, back, err)
		}
	})
}
