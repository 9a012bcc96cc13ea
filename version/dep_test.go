package version

import "testing"

func TestParseDep(t *testing.T) {
	for in, want := range map[string]string{
		"xochitl":        "xochitl",
		"oxide=1.2":      "oxide (= 1.2)",
		"draft<<2.0":     "draft (<< 2.0)",
		"libc6 >= 2.31":  "libc6 (>= 2.31)",
		"foo >> 1:2.0-1": "foo (>> 1:2.0-1)",
		" bar <= 3~rc1 ": "bar (<= 3~rc1)",
	} {
		d, err := ParseDep(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := d.Debian(); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "Foo", "foo >", "foo => 1", "foo >= ~x", "foo, bar"} {
		if _, err := ParseDep(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
