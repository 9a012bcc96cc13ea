package version

import (
	"strings"
	"testing"
)

func TestParseCompat(t *testing.T) {
	for in, want := range map[string]string{
		"":           "x.a.b", // an absent field is the default
		"x.a.b":      "x.a.b",
		"x.ab":       "x.ab",
		"x.ba":       "x.ab", // letters are a set
		"x.aab":      "x.ab",
		"x.x.x-x+x":  "x.x.x-x+x",
		"x.ab+b-x":   "x.ab-x+b",
		"b":          "b",
		"x.a.b.b.xa": "x.a.b.b.ax",
	} {
		c, err := ParseCompat(in)
		if err != nil {
			t.Errorf("ParseCompat(%q): %v", in, err)
			continue
		}
		if c.String() != want {
			t.Errorf("ParseCompat(%q) = %q, want %q", in, c, want)
		}
	}
	if (Compat{}).String() != DefaultCompat {
		t.Errorf("zero Compat is %q", Compat{})
	}
	for in, want := range map[string]string{
		"x.c":       `position 2 is "c"`,
		"x..b":      `position 2 is ""`,
		"X.a.b":     `position 1 is "X"`,
		"x.a.b-":    `"-" clause is ""`,
		"x.a.b+q":   `"+" clause is "q"`,
		"x.a.b-x-a": `"-" clause given twice`,
		"-x":        `position 1 is ""`,
		"x a b":     `position 1 is "x a b"`,
	} {
		_, err := ParseCompat(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseCompat(%q): %v, want it to name the spec and mention %q", in, err, want)
		}
	}
}

func TestCompatCheck(t *testing.T) {
	const ok = ""
	for _, tc := range []struct {
		compat, base, other string
		api, binary         string // "" for compatible, else part of the error
	}{
		// The seed's default: major incompatible, minor API, patch binary.
		{"x.a.b", "1.0.0", "1.0.0", ok, ok},
		{"x.a.b", "1.0.0", "1.0.5", ok, ok},
		{"x.a.b", "1.0.0", "1.3.0", ok, "1.3.0 is not binary compatible with 1.0.0 [x.a.b at pos 2 (minor): has 3, requires 0]"},
		{"x.a.b", "1.2.0", "1.1.9", "1.1.9 is not API compatible with 1.2.0 [x.a.b at pos 2 (minor): (version) 1 < 2 (compat)]", "not binary compatible"},
		{"x.a.b", "1.0.3", "1.0.2", ok, "1.0.2 is not binary compatible with 1.0.3 [x.a.b at pos 3 (patch): (version) 2 < 3 (compat)]"},
		{"x.a.b", "1.0.0", "2.0.0", "2.0.0 is not compatible with 1.0.0 [x.a.b at pos 1 (major): has 2, requires 1]", "pos 1 (major)"},
		{"", "1.0.0", "1.0.1", ok, ok}, // the zero Compat is x.a.b
		{"", "1.0.0", "1.1.0", ok, "pos 2 (minor)"},
		// SPK's own API table.
		{"x.x.x", "1.0.0", "1.0.0", ok, ok},
		{"x.x.a", "1.0.0", "1.0.2", ok, "not binary compatible"},
		{"x.x.x", "1.0.0", "1.0.2", "pos 3 (patch): has 2, requires 0", "pos 3"},
		{"x.b.a", "1.0.0", "1.1.0", "not API compatible with 1.0.0 [x.b.a at pos 2 (minor): has 1, requires 0]", ok},
		{"x.a", "1.0.0", "1.1.0", ok, "not binary compatible"},
		{"x.b", "1.0.0", "1.1.0", "not API compatible", ok},
		{"x.ba", "1.0.0", "1.1.0", ok, ok},
		// Positions past the contract are not covered by it.
		{"x.x", "1.0.0", "1.0.1", "1.0.1 is not compatible with 1.0.0 (x.x): API compatibility is not specified", "binary compatibility is not specified"},
		// Missing positions count as 0.
		{"x.a.b", "1.0", "1.0.0", ok, ok},
		{"x.a.b", "1.2", "1", "(version) 0 < 2", "has 0, requires 2"},
		{"x.a.b", "1", "1.0.1", ok, ok},
		{"x.a.b", "1.01", "1.1", ok, ok}, // numbers, so leading zeros vanish
		{"x.a.b.b", "1.0.0.99999999999999999999", "1.0.0.100000000000000000000", ok, ok},
		// Pre- and post-releases of the same version are compatible by default ...
		{"x.a.b", "1.0.0-alpha.1", "1.0.0", ok, ok},
		{"x.a.b", "1.0.0", "1.0.0+r.2", ok, ok},
		// ... unless a clause says otherwise.
		{"x.x.x-x+x", "1.0.0-alpha.1", "1.0.0", "1.0.0 is not compatible with 1.0.0-alpha.1 [x.x.x-x+x at pre: has none, requires alpha.1]", "at pre"},
		{"x.x.x-x+x", "1.0.0+r.1", "1.0.0+r.2", "at post: has r.2, requires r.1", "at post"},
		{"x.x.x-x+x", "1.0.0-a.1,b.2", "1.0.0-b.2,a.01", ok, ok}, // the same tag set
		{"x.a.b-a", "1.0.0-rc.1", "1.0.0-rc.2", ok, "1.0.0-rc.2 is not binary compatible with 1.0.0-rc.1 [x.a.b-a at pre: has rc.2, requires rc.1]"},
		{"x.a.b-ab", "1.0.0-rc.1", "1.0.0-rc.2", ok, ok},
		{"x.a.b+x", "1.0.0-rc.1", "1.0.0-rc.2", ok, ok}, // only post is governed
		// Tags do not matter once the numbers differ.
		{"x.x.x-x+x", "1.0.0-rc.1", "1.0.1", "pos 3 (patch)", "pos 3 (patch)"},
	} {
		c, err := ParseCompat(tc.compat)
		if err != nil {
			t.Fatal(err)
		}
		for _, chk := range []struct {
			name string
			fn   func(string, string) error
			want string
		}{{"CheckAPI", c.CheckAPI, tc.api}, {"Check", c.Check, tc.binary}} {
			err := chk.fn(tc.base, tc.other)
			switch {
			case chk.want == ok && err != nil:
				t.Errorf("%s %s(%s, %s): %v", tc.compat, chk.name, tc.base, tc.other, err)
			case chk.want != ok && (err == nil || !strings.Contains(err.Error(), chk.want)):
				t.Errorf("%s %s(%s, %s): %v, want %q", tc.compat, chk.name, tc.base, tc.other, err, chk.want)
			}
		}
	}
}

func TestCompatBadVersions(t *testing.T) {
	var c Compat
	for _, v := range []string{"", "1.a", "v1", "1..0", "1.0-alpha", "1.0-alpha.x", "1.0+a.1,a.2", "1.0-a-b.1", "1.0-al_pha.1", "1.0-"} {
		if err := c.Check("1.0", v); err == nil || !strings.Contains(err.Error(), `invalid SPK version "`+v+`"`) {
			t.Errorf("Check(1.0, %q): %v", v, err)
		}
		if err := c.CheckAPI(v, "1.0"); err == nil || !strings.Contains(err.Error(), `invalid SPK version "`+v+`"`) {
			t.Errorf("CheckAPI(%q, 1.0): %v", v, err)
		}
	}
}
