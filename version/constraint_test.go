package version

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseConstraint(t *testing.T) {
	for in, want := range map[string]string{
		">= 1.0":    ">= 1.0",
		">=1.0":     ">= 1.0",
		" << 2.0 ":  "<< 2.0",
		"= 1:1.0-1": "= 1:1.0-1",
		">> 0:1":    ">> 1",
		"<= 1~rc1":  "<= 1~rc1",
		"< 1.0":     "<= 1.0", // deprecated, read as dpkg reads it
		"> 1.0":     ">= 1.0",
	} {
		c, err := ParseConstraint(in)
		if err != nil {
			t.Errorf("ParseConstraint(%q): %v", in, err)
			continue
		}
		if c.String() != want {
			t.Errorf("ParseConstraint(%q) = %q, want %q", in, c, want)
		}
	}
	for in, want := range map[string]string{
		"1.0":     `operator "" is not one of`,
		"=> 1.0":  `operator "=>"`,
		"<<= 1.0": `operator "<<="`,
		"!= 1.0":  `operator ""`,
		">= 1.0-": "revision",
		">=":      "empty",
	} {
		_, err := ParseConstraint(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseConstraint(%q): %v, want it to mention %q", in, err, want)
		}
	}
}

func TestConstraintAllows(t *testing.T) {
	for _, tc := range []struct {
		c, v string
		want bool
	}{
		{">= 1.0", "1.0", true},
		{">= 1.0", "1.0~rc1", false},
		{">= 1.0", "1.00-0", true},
		{">> 1.0", "1.0", false},
		{">> 1.0", "1.0+b1", true},
		{"<< 2.0", "2.0~beta1", true},
		{"<< 2.0", "2.0", false},
		{"<= 2.0", "2.0-0", true},
		{"= 1.0", "0:1.00", true},
		{"= 1.0", "1.0-1", false},
		{"< 1.0", "1.0", true}, // `<` is `<=`
		{"> 1.0", "1.0", true}, // `>` is `>=`
		{">= 1:0.1", "2.0", false},
	} {
		c, err := ParseConstraint(tc.c)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Allows(MustParse(tc.v)); got != tc.want {
			t.Errorf("%q allows %q = %v, want %v", tc.c, tc.v, got, tc.want)
		}
	}
	if !(Constraint{}).Allows(MustParse("1")) {
		t.Error("the empty constraint should allow everything")
	}
	if (Constraint{Op: "!=", Version: MustParse("1")}).Allows(MustParse("2")) {
		t.Error("an unknown operator should allow nothing")
	}
}

func mustDeps(t *testing.T, specs ...string) []Dep {
	t.Helper()
	var deps []Dep
	for _, s := range specs {
		d, err := ParseDep(s)
		if err != nil {
			t.Fatal(err)
		}
		deps = append(deps, d)
	}
	return deps
}

func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		specs []string
		want  map[string]string
		allow map[string][]string
		deny  map[string][]string
	}{
		{
			specs: []string{"draft>=1.0", "draft<<2.0", "xochitl"},
			want:  map[string]string{"draft": ">= 1.0, << 2.0", "xochitl": "any"},
			allow: map[string][]string{"draft": {"1.0", "1.5-3", "2.0~rc1"}, "xochitl": {"0", "9:9"}},
			deny:  map[string][]string{"draft": {"0.9", "1.0~rc1", "2.0", "2.0-1"}},
		},
		{ // the tighter bound wins on each side, exclusive over inclusive at a tie
			specs: []string{"a >= 1", "a >> 1", "a >= 0.5", "a <= 3", "a << 3", "a <= 4"},
			want:  map[string]string{"a": ">> 1, << 3"},
			allow: map[string][]string{"a": {"1.0.0", "2.9"}},
			deny:  map[string][]string{"a": {"1", "1-0", "0:1", "3"}},
		},
		{ // an = inside the bounds pins; equal spellings agree
			specs: []string{"b >= 1", "b = 1.5", "b << 2", "b = 1.05"},
			want:  map[string]string{"b": "= 1.5"},
			allow: map[string][]string{"b": {"1.5", "1.05-0"}},
			deny:  map[string][]string{"b": {"1.5-1", "1.4"}},
		},
		{ // >= and <= on the same version pin too
			specs: []string{"c >= 1.0", "c <= 1.00"},
			want:  map[string]string{"c": "= 1.0"},
		},
		{ // touching bounds that still leave room: 1.0 < 1.0.0~ < 1.0.0
			specs: []string{"d >> 1.0", "d << 1.0.0"},
			want:  map[string]string{"d": ">> 1.0, << 1.0.0"},
			allow: map[string][]string{"d": {"1.0.0~"}},
		},
		{ // deprecated operators normalized
			specs: []string{"e > 1", "e < 2"},
			want:  map[string]string{"e": ">= 1, <= 2"},
		},
	} {
		got, err := Merge(mustDeps(t, tc.specs...))
		if err != nil {
			t.Errorf("%q: %v", tc.specs, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: %d packages, want %d", tc.specs, len(got), len(tc.want))
		}
		for name, want := range tc.want {
			if s := got[name].String(); s != want {
				t.Errorf("%q: %s is %q, want %q", tc.specs, name, s, want)
			}
		}
		for name, vs := range tc.allow {
			for _, v := range vs {
				if !got[name].Allows(MustParse(v)) {
					t.Errorf("%q: %s should allow %s", tc.specs, name, v)
				}
			}
		}
		for name, vs := range tc.deny {
			for _, v := range vs {
				if got[name].Allows(MustParse(v)) {
					t.Errorf("%q: %s should not allow %s", tc.specs, name, v)
				}
			}
		}
	}
}

func TestMergeUnsatisfiable(t *testing.T) {
	for _, tc := range []struct {
		specs []string
		want  []string
	}{
		{[]string{"draft >= 2", "draft << 1"}, []string{"dependency draft", ">= 2 and << 1"}},
		{[]string{"x >> 1.0", "x << 1.0-0"}, []string{"dependency x", ">> 1.0 and << 1.0-0"}},
		{[]string{"x >> 1.0", "x <= 1.00"}, []string{">> 1.0 and <= 1.00"}},
		{[]string{"y = 1.0", "y = 1.1"}, []string{"dependency y", "= 1.1 and = 1.0"}},
		{[]string{"z = 2", "z << 2"}, []string{"= 2 and << 2"}},
		{ // every broken package is named, in order
			[]string{"q >= 3", "ok", "p >= 2", "p << 1", "q << 3"},
			[]string{"dependency p: no version satisfies both >= 2 and << 1\ndependency q: no version satisfies both >= 3 and << 3"},
		},
	} {
		_, err := Merge(mustDeps(t, tc.specs...))
		if err == nil {
			t.Errorf("%q: no error", tc.specs)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %v, want it to mention %q", tc.specs, err, w)
			}
		}
	}
	// Hand-built deps are checked too.
	if _, err := Merge([]Dep{{Name: "w", Op: ">=", Version: "1.0-"}}); err == nil || !strings.Contains(err.Error(), "dependency w") {
		t.Errorf("bad version in a hand-built Dep: %v", err)
	}
	if _, err := Merge([]Dep{{Name: "w", Op: "=>", Version: "1"}}); err == nil || !strings.Contains(err.Error(), `"=>"`) {
		t.Errorf("bad operator in a hand-built Dep: %v", err)
	}
}

func TestRange(t *testing.T) {
	var any Range
	if !any.Allows(MustParse("0~")) || any.Empty() || any.String() != "any" || any.Constraints() != nil {
		t.Errorf("zero Range: %v", any)
	}
	r := NewRange(Constraint{">=", MustParse("1")}, Constraint{"<<", MustParse("2")})
	if cs := r.Constraints(); len(cs) != 2 || cs[0].String() != ">= 1" || cs[1].String() != "<< 2" {
		t.Errorf("Constraints() = %v", cs)
	}
	bad := r.And(Constraint{Op: "!=", Version: MustParse("1.5")})
	if !bad.Empty() || bad.Allows(MustParse("1.5")) {
		t.Errorf("an unknown operator should empty the range: %v", bad)
	}
	if later := bad.And(Constraint{">=", MustParse("3")}); !later.Empty() || later.Allows(MustParse("3")) {
		t.Errorf("a range with an unknown operator should stay empty: %v", later)
	}
}

func TestParseDepValidates(t *testing.T) {
	for in, want := range map[string]string{
		"foo > 1.0": "foo (>= 1.0)", // deprecated `>` as dpkg reads it
		"foo<1.0":   "foo (<= 1.0)",
	} {
		d, err := ParseDep(in)
		if err != nil || d.Debian() != want {
			t.Errorf("ParseDep(%q) = %q, %v, want %q", in, d.Debian(), err, want)
		}
	}
	for in, want := range map[string]string{
		"foo >= 1:":   "nothing after the epoch colon",
		"foo >= 1.0-": "revision",
		"foo => 1.0":  `operator "=>" is not one of`,
		"foo >= ~x":   "must start with a letter or digit",
		"foo >= 1_0":  "invalid character '_'",
	} {
		_, err := ParseDep(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), in) {
			t.Errorf("ParseDep(%q): %v, want it to name the spec and mention %q", in, err, want)
		}
	}
}

// TestRangeDense backs Range.Empty's reasoning: for generated pairs a < b
// some version lies strictly between, so `>> a, << b` is rightly non-empty.
func TestRangeDense(t *testing.T) {
	witness := func(a, b Version) (Version, bool) {
		for _, s := range []string{"0A~", "A~", "a", "A", "0a", "~", "+", "0A", "A0A~"} {
			for _, c := range []Version{
				{a.Epoch, a.Upstream, a.Revision + s}, {a.Epoch, a.Upstream + s, a.Revision},
				{b.Epoch, b.Upstream, b.Revision + s}, {b.Epoch, b.Upstream + s, b.Revision},
			} {
				if v, err := Parse(c.String()); err == nil && Compare(a, v) < 0 && Compare(v, b) < 0 {
					return v, true
				}
			}
		}
		return Version{}, false
	}
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 20000; i++ {
		a := MustParse(genVersion(r))
		b, err := Parse(mutate(r, a.String()))
		if err != nil || Compare(a, b) == 0 {
			continue
		}
		if Compare(a, b) > 0 {
			a, b = b, a
		}
		rg := NewRange(Constraint{">>", a}, Constraint{"<<", b})
		v, ok := witness(a, b)
		if !ok || rg.Empty() || !rg.Allows(v) {
			t.Fatalf(">> %s, << %s: witness %s (%v), Empty %v", a, b, v, ok, rg.Empty())
		}
	}
}
