package version

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a Debian package version, [epoch:]upstream[-revision].
// Recipes (Toltec's pkgver, opkg's Version field) use Debian ordering, so
// kiln compares versions exactly as dpkg does; the tests check that against
// dpkg itself.
type Version struct {
	Epoch    int
	Upstream string
	Revision string
}

// maxEpoch is dpkg's limit: it parses the epoch with strtol into an int.
const maxEpoch = 1<<31 - 1

// Parse parses s with dpkg's validity rules (parseversion in libdpkg),
// except that upstream may start with a letter, as opkg allows.
// Anything else dpkg would reject or merely warn about is an error here: a
// version that dpkg only warns about still breaks other package managers
// and index tools, and recipes are the place to catch it.
//
// Like dpkg, surrounding spaces and tabs are ignored. Two dpkg quirks are
// kept because dpkg accepts them and they are harmless once rendered back
// by String: a sign before the epoch ("+1:2", "-0:2"), and leading zeros in
// the epoch. One is not: strtol also skips newlines and other white space
// before the epoch, which would let a newline into a control file, so such
// versions are rejected here although dpkg accepts them.
func Parse(s string) (Version, error) {
	bad := func(format string, args ...any) (Version, error) {
		return Version{}, fmt.Errorf("invalid version %q: %s", s, fmt.Sprintf(format, args...))
	}
	t := strings.Trim(s, " \t")
	if t == "" {
		return bad("version is empty")
	}
	if strings.ContainsAny(t, " \t") {
		return bad("contains embedded blanks")
	}
	var v Version
	// The first colon ends the epoch; later colons belong to upstream.
	if c := strings.IndexByte(t, ':'); c >= 0 {
		e, err := parseEpoch(t[:c])
		if err != "" {
			return bad("%s", err)
		}
		if c == len(t)-1 {
			return bad("nothing after the epoch colon")
		}
		v.Epoch, t = e, t[c+1:]
	}
	// The last hyphen starts the revision, so upstream may hold hyphens
	// only when a revision follows.
	if h := strings.LastIndexByte(t, '-'); h >= 0 {
		if h == len(t)-1 {
			return bad("revision after the last '-' is empty")
		}
		t, v.Revision = t[:h], t[h+1:]
	}
	v.Upstream = t
	if t == "" {
		return bad("upstream version is empty")
	}
	// dpkg warns about an upstream version starting with a letter, but
	// opkg takes it and orders it with the same algorithm, and Toltec's
	// recipes use such versions (r32-1, for a revision count).
	if !isAlnum(t[0]) {
		return bad("upstream version %q must start with a letter or digit", t)
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; !isAlnum(c) && !strings.ContainsRune(".+~-:", rune(c)) {
			return bad("invalid character %q in upstream version %q (allowed: A-Z a-z 0-9 . + ~ - :)", c, t)
		}
	}
	for i := 0; i < len(v.Revision); i++ {
		if c := v.Revision[i]; !isAlnum(c) && !strings.ContainsRune(".+~", rune(c)) {
			return bad("invalid character %q in revision %q (allowed: A-Z a-z 0-9 . + ~)", c, v.Revision)
		}
	}
	return v, nil
}

// parseEpoch accepts what dpkg's strtol call accepts: an optional sign and
// decimal digits, non-negative and at most INT_MAX. It returns a reason on
// failure.
func parseEpoch(e string) (int, string) {
	d := e
	neg := false
	if d != "" && (d[0] == '+' || d[0] == '-') {
		neg, d = d[0] == '-', d[1:]
	}
	if e == "" {
		return 0, "epoch before ':' is empty"
	}
	if d == "" {
		return 0, fmt.Sprintf("epoch %q is not a number", e)
	}
	for i := 0; i < len(d); i++ {
		if !isDigit(d[i]) {
			return 0, fmt.Sprintf("epoch %q is not a number", e)
		}
	}
	// Arbitrarily many leading zeros are fine; strip them before
	// converting so they cannot overflow.
	d = strings.TrimLeft(d, "0")
	if d == "" {
		return 0, ""
	}
	if neg {
		return 0, fmt.Sprintf("epoch %q is negative", e)
	}
	n, err := strconv.ParseUint(d, 10, 64)
	if err != nil || len(d) > 10 || n > maxEpoch {
		return 0, fmt.Sprintf("epoch %q is larger than %d", e, maxEpoch)
	}
	return int(n), ""
}

// MustParse is Parse for constants in code and tests; it panics on error.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String renders v the way dpkg writes an unambiguous version: the epoch
// is omitted when zero unless a colon elsewhere would then be misread as
// the epoch separator. For any v from Parse, Parse(v.String()) == v.
func (v Version) String() string {
	var b strings.Builder
	if v.Epoch != 0 || strings.ContainsRune(v.Upstream, ':') || strings.ContainsRune(v.Revision, ':') {
		b.WriteString(strconv.Itoa(v.Epoch))
		b.WriteByte(':')
	}
	b.WriteString(v.Upstream)
	switch {
	case v.Revision != "":
		b.WriteByte('-')
		b.WriteString(v.Revision)
	case strings.ContainsRune(v.Upstream, '-'):
		// Only a hand-built Version gets here (Parse would have split at
		// the hyphen). Revision "0" sorts exactly like an empty revision,
		// so "-0" keeps the string parseable without changing its order.
		b.WriteString("-0")
	}
	return b.String()
}

// Compare orders a and b as dpkg does (dpkg_version_compare): epochs
// numerically, then upstream, then revision with verrevcmp. It returns
// -1, 0 or +1.
func Compare(a, b Version) int {
	switch {
	case a.Epoch < b.Epoch:
		return -1
	case a.Epoch > b.Epoch:
		return 1
	}
	if c := verrevcmp(a.Upstream, b.Upstream); c != 0 {
		return c
	}
	return verrevcmp(a.Revision, b.Revision)
}

// CompareStrings parses both versions and compares them.
func CompareStrings(a, b string) (int, error) {
	va, err := Parse(a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(b)
	if err != nil {
		return 0, err
	}
	return Compare(va, vb), nil
}

// CompareCommand backs `kiln compare-versions A B`: it answers "<", "=" or
// ">" for A relative to B.
func CompareCommand(a, b string) (string, error) {
	c, err := CompareStrings(a, b)
	if err != nil {
		return "", err
	}
	return [...]string{"<", "=", ">"}[c+1], nil
}

// verrevcmp is dpkg's comparison of an upstream version or a revision.
// The strings alternate between non-digit and digit runs. Non-digit runs
// compare character by character with order; digit runs compare as
// numbers. The numbers are compared as strings (without leading zeros,
// shorter is smaller, then lexically) so any length works without
// overflow, which is what dpkg's first_diff loop does too.
func verrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			ac, bc := 0, 0
			if i < len(a) {
				ac = order(a[i])
			}
			if j < len(b) {
				bc = order(b[j])
			}
			if ac != bc {
				return sign(ac - bc)
			}
			// Equal weights mean the same non-digit byte on both sides
			// (order is injective on non-digits), so both can advance.
			i++
			j++
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		si, sj := i, j
		for i < len(a) && isDigit(a[i]) {
			i++
		}
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		da, db := a[si:i], b[sj:j]
		if len(da) != len(db) {
			return sign(len(da) - len(db))
		}
		if c := strings.Compare(da, db); c != 0 {
			return c
		}
	}
	return 0
}

// order is dpkg's weight of one character inside a non-digit run. The end
// of the string and a digit (the start of the next number) weigh 0, '~'
// weighs less than that, so "1.0~rc1" < "1.0"; letters come before all
// other characters. Bytes above 0x7f never pass Parse; they get the
// non-letter weight (dpkg's value there depends on the C char signedness).
func order(c byte) int {
	switch {
	case isDigit(c):
		return 0
	case isAlpha(c):
		return int(c)
	case c == '~':
		return -1
	default:
		return int(c) + 256
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
