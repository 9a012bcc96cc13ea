package version

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Version
		str  string
	}{
		{"1.0", Version{0, "1.0", ""}, "1.0"},
		{"1:1.0", Version{1, "1.0", ""}, "1:1.0"},
		{"0:1.0", Version{0, "1.0", ""}, "1.0"},
		{"1.0-1", Version{0, "1.0", "1"}, "1.0-1"},
		{"1.0-1-2", Version{0, "1.0-1", "2"}, "1.0-1-2"}, // the last hyphen splits
		{"2:1.0~rc1+dfsg-0ubuntu1.2", Version{2, "1.0~rc1+dfsg", "0ubuntu1.2"}, "2:1.0~rc1+dfsg-0ubuntu1.2"},
		{"1:2:3", Version{1, "2:3", ""}, "1:2:3"}, // the first colon splits
		{"0:2:3", Version{0, "2:3", ""}, "0:2:3"}, // epoch kept: "2:3" alone means epoch 2
		{"  1.0\t", Version{0, "1.0", ""}, "1.0"}, // dpkg trims blanks
		{"+1:2", Version{1, "2", ""}, "1:2"},      // strtol's sign, accepted by dpkg
		{"-0:2", Version{0, "2", ""}, "2"},        // likewise
		{"0001:1", Version{1, "1", ""}, "1:1"},    // leading zeros in the epoch
		{"2147483647:1", Version{2147483647, "1", ""}, "2147483647:1"},
		{"000000000000000000000000000007:1", Version{7, "1", ""}, "7:1"},
		{"1.0-a", Version{0, "1.0", "a"}, "1.0-a"}, // a revision may start with a letter
		{"1.0-~", Version{0, "1.0", "~"}, "1.0-~"},
		{"9A.Z+~", Version{0, "9A.Z+~", ""}, "9A.Z+~"},
		{"1-2-3~", Version{0, "1-2", "3~"}, "1-2-3~"},
		{"1:2-3:4-5", Version{1, "2-3:4", "5"}, "1:2-3:4-5"},
		{"123456789012345678901234567890", Version{0, "123456789012345678901234567890", ""}, "123456789012345678901234567890"},
	} {
		v, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if v != tc.want {
			t.Errorf("Parse(%q) = %#v, want %#v", tc.in, v, tc.want)
		}
		if s := v.String(); s != tc.str {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, s, tc.str)
		}
		if back, err := Parse(v.String()); err != nil || back != v {
			t.Errorf("round trip of %q: %#v, %v", tc.in, back, err)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "empty",
		" \t ":                    "empty",
		"1 0":                     "embedded blanks",
		":1":                      "epoch before ':' is empty",
		"+:1":                     `epoch "+" is not a number`,
		"a:1":                     `epoch "a" is not a number`,
		"1.0:1":                   `epoch "1.0" is not a number`,
		"1.0-1:2":                 `epoch "1.0-1" is not a number`,
		"-1:1":                    "negative",
		"2147483648:1":            "larger than 2147483647",
		"99999999999999999999:1":  "larger than",
		"1:":                      "nothing after the epoch colon",
		"1.0-":                    "revision after the last '-' is empty",
		"-1":                      "upstream version is empty",
		"1:-1":                    "upstream version is empty",
		"~1":                      `upstream version "~1" must start with a letter or digit`,
		"1:.1":                    "must start with a letter or digit",
		"1_0":                     `invalid character '_' in upstream version "1_0"`,
		"1é":                      "invalid character",
		"1.0-1_1":                 `invalid character '_' in revision "1_1"`,
		"1:1.0-1:2":               `invalid character ':' in revision`,
		"1.0-1-":                  "revision after the last '-' is empty",
		"1,0":                     "invalid character ','",
		"1.0\n":                   `invalid character '\n'`,
		"\n1:2":                   "not a number", // dpkg's strtol skips the newline; kiln does not
		"0:1-2:3":                 "invalid character ':' in revision",
		"1:2:3-":                  "revision after the last '-' is empty",
		"12345678901:1":           "larger than",
		"-99999999999999999999:1": "negative",
	} {
		_, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q): no error, want %q", in, want)
			continue
		}
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("Parse(%q): %v, want it to mention %q", in, err, want)
		}
	}
}

// compareCases are hand-written edge cases; the dpkg differential test
// runs them through dpkg as well.
var compareCases = []struct {
	a, b string
	want int
}{
	{"1.0~rc1", "1.0", -1}, // ~ sorts before the end of the string
	{"r32-1", "r33-1", -1}, // upstream starting with a letter (opkg, Toltec)
	{"r9-1", "r10-1", -1},
	{"r32-1", "r32-2", -1},
	{"1.0-1", "r32-1", -1}, // the letter sorts after the empty non-digit part
	{"1.0~~", "1.0~", -1},  // and before another ~ followed by nothing
	{"1.0~~a", "1.0~", -1}, // ~ still beats the end after a common ~
	{"1.0~rc1-1", "1.0-1", -1},
	{"1.0", "1.0+b1", -1}, // anything else sorts after the end
	{"1.0", "1.0a", -1},
	{"1.0A", "1.0a", -1},          // letters by ASCII
	{"1.0a", "1.0+", -1},          // letters before non-letters
	{"1.0+", "1.0.", -1},          // non-letters by ASCII: + < - < . < :
	{"1.0+", "1.0-0", 1},          // "1.0-0" is upstream 1.0, revision 0
	{"1:2-3:4-5", "1:2-3.4-5", 1}, // ":" after "."
	{"1:0.1", "2.0", 1},           // epoch first
	{"1:1", "2:0", -1},
	{"10:1", "9:1", 1}, // epochs numerically
	{"0:1", "1", 0},    // epoch 0 is the default
	{"00:1", "1", 0},
	{"1.0-1", "1.0-1.1", -1}, // revisions compared like upstream
	{"1.0-1", "1.0", 1},
	{"1.0-0", "1.0", 0}, // an absent revision sorts like 0
	{"1.0-00", "1.0-0", 0},
	{"1.0-a", "1.0-1", 1}, // a letter beats a digit (which weighs as the end)
	{"1.0", "1.00", 0},    // leading zeros do not count
	{"1.01", "1.1", 0},
	{"001", "1", 0},
	{"1.2", "1.10", -1},  // numbers, not strings
	{"1.0", "1.0.0", -1}, // "." beats the end
	{"1a0", "1a", 0},     // a trailing 0 run weighs like nothing
	{"1~0", "1~00", 0},
	{"1.0a0", "1.0a", 0},
	{"1.123456789012345678901234567890", "1.123456789012345678901234567891", -1},
	{"99999999999999999999999", "9999999999999999999999", 1},
	{"000000000000000000000001", "1", 0},
	{"18446744073709551616", "18446744073709551615", 1}, // past uint64
	{"1.0", "1.0", 0},
}

func TestCompare(t *testing.T) {
	for _, tc := range compareCases {
		got, err := CompareStrings(tc.a, tc.b)
		if err != nil {
			t.Errorf("CompareStrings(%q, %q): %v", tc.a, tc.b, err)
			continue
		}
		if got != tc.want {
			t.Errorf("CompareStrings(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if back, _ := CompareStrings(tc.b, tc.a); back != -tc.want {
			t.Errorf("CompareStrings(%q, %q) = %d, want %d", tc.b, tc.a, back, -tc.want)
		}
	}
	if _, err := CompareStrings("1.0", "~x"); err == nil || !strings.Contains(err.Error(), `"~x"`) {
		t.Errorf("CompareStrings with a bad version: %v", err)
	}
}

func TestCompareCommand(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"1.0~rc1", "1.0", "<"},
		{"1:0.1", "2.0", ">"},
		{"0:1.0", "1.0-0", "="},
	} {
		got, err := CompareCommand(tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("CompareCommand(%q, %q) = %q, %v, want %q", tc.a, tc.b, got, err, tc.want)
		}
	}
	if _, err := CompareCommand("1.0", "1.0-"); err == nil || !strings.Contains(err.Error(), `"1.0-"`) {
		t.Errorf("CompareCommand with a bad version: %v", err)
	}
}

func TestStringHandBuilt(t *testing.T) {
	// Hand-built values Parse cannot produce still render parseably, in
	// the same order.
	for _, v := range []Version{
		{0, "1-2", ""},
		{0, "1:2", ""},
		{0, "1", "a:b"},
	} {
		s := v.String()
		back, err := Parse(s)
		if v.Revision == "a:b" { // ':' is not a revision character
			if err == nil {
				t.Errorf("%#v renders as %q, which parses", v, s)
			}
			continue
		}
		if err != nil || Compare(back, v) != 0 {
			t.Errorf("%#v renders as %q -> %#v, %v", v, s, back, err)
		}
	}
}
