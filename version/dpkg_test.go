package version

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
)

// oracleScript asks dpkg about a whole table from one sh process, because
// starting a process per pair from Go would dominate the test's time.
// $1 holds lines "A OP B" (OP lt, eq or gt: kiln's answer, which dpkg
// confirms in one run); $2 holds one candidate version per line. For every
// line it prints dpkg's exit status and "w" when dpkg wrote anything to
// stderr (a syntax warning or error), "-" otherwise.
const oracleScript = `err=$3
while read -r a op b; do
	dpkg --compare-versions -- "$a" "$op" "$b" 2>"$err"
	rc=$?
	if [ -s "$err" ]; then echo "$rc w"; else echo "$rc -"; fi
done <"$1"
while IFS= read -r v; do
	dpkg --compare-versions -- "$v" eq "$v" 2>"$err"
	rc=$?
	if [ -s "$err" ]; then echo "$rc w"; else echo "$rc -"; fi
done <"$2"
`

// TestDpkgDifferential checks Compare and Parse against dpkg itself on a
// large deterministic table. Without dpkg it skips, unless
// KILN_INTEGRATION=1 (make test), where a missing dpkg is a failure.
func TestDpkgDifferential(t *testing.T) {
	testtool.Need(t, "dpkg")
	nPairs, nStrings := 3200, 600
	if testing.Short() {
		nPairs, nStrings = 300, 100
	}
	pairs, strs := comparisonTable(nPairs), validityTable(nStrings)

	dir := t.TempDir()
	var pairLines, strLines strings.Builder
	ops := [...]string{"lt", "eq", "gt"}
	var rel [3]int
	for _, p := range pairs {
		c := Compare(MustParse(p[0]), MustParse(p[1]))
		rel[c+1]++
		fmt.Fprintf(&pairLines, "%s %s %s\n", p[0], ops[c+1], p[1])
	}
	valid := 0
	for _, s := range strs {
		if _, err := Parse(s); err == nil {
			valid++
		}
		strLines.WriteString(s + "\n")
	}
	t.Logf("table: %d pairs (%d <, %d =, %d >), %d strings (%d valid)", len(pairs), rel[0], rel[1], rel[2], len(strs), valid)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	script := write("oracle.sh", oracleScript)
	pf, sf := write("pairs", pairLines.String()), write("strings", strLines.String())

	start := time.Now()
	out, err := exec.Command("sh", script, pf, sf, filepath.Join(dir, "stderr")).Output()
	if err != nil {
		t.Fatalf("oracle script: %v", err)
	}
	t.Logf("dpkg checked %d pairs and %d candidate strings in %v", len(pairs), len(strs), time.Since(start).Round(time.Millisecond))

	var results []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		results = append(results, sc.Text())
	}
	if len(results) != len(pairs)+len(strs) {
		t.Fatalf("oracle printed %d results for %d lines", len(results), len(pairs)+len(strs))
	}
	bad := 0
	report := func(format string, args ...any) {
		if bad++; bad <= 30 {
			t.Errorf(format, args...)
		}
	}
	for i, p := range pairs {
		if results[i] != "0 -" && !(results[i] == "0 w" && (letterStart(p[0]) || letterStart(p[1]))) {
			got, _ := CompareCommand(p[0], p[1])
			report("dpkg disagrees with kiln's %s %s %s (dpkg: %q)", p[0], got, p[1], results[i])
		}
	}
	for i, s := range strs {
		_, perr := Parse(s)
		res := results[len(pairs)+i]
		// kiln accepts what dpkg only warns about when upstream starts
		// with a letter (opkg's rule, see Parse).
		dpkgOK := res == "0 -" || (res == "0 w" && letterStart(s))
		if dpkgOK != (perr == nil) {
			report("validity of %q: dpkg accepts=%v, Parse error=%v", s, dpkgOK, perr)
		}
	}
	if bad > 30 {
		t.Errorf("... %d disagreements in all", bad)
	}
}

// letterStart reports whether s parses with an upstream version starting
// with a letter, which dpkg warns about and opkg (and kiln) accept.
func letterStart(s string) bool {
	v, err := Parse(s)
	return err == nil && isAlpha(v.Upstream[0])
}

// comparisonTable returns n pairs of valid versions from a fixed seed,
// plus the hand-written cases. Most pairs are a version and a small
// mutation of it, so that they share long prefixes and often compare
// equal although written differently; the rest are independent.
func comparisonTable(n int) [][2]string {
	r := rand.New(rand.NewPCG(20240501, 7))
	var out [][2]string
	for _, tc := range compareCases {
		out = append(out, [2]string{tc.a, tc.b})
	}
	out = append(out, [][2]string{
		{"1.0", "1.00"}, {"0:1", "1"}, {"1.0-0", "1.0"}, {"1.0~", "1.0~0"},
		{"1:1.0-1", "01:1.0-01"}, {"1.0a0", "1.0a"}, {"1+0", "1+"},
	}...)
	for len(out) < n {
		a := genVersion(r)
		b := genVersion(r)
		if r.IntN(10) < 7 {
			b = mutate(r, a)
		}
		if _, err := Parse(a); err != nil {
			panic(fmt.Sprintf("generator made %q: %v", a, err))
		}
		if _, err := Parse(b); err != nil {
			continue // a mutation may break validity; validityTable covers that
		}
		out = append(out, [2]string{a, b})
	}
	return out
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// genDigits favours short runs and leading zeros and sometimes makes runs
// far longer than any integer type.
func genDigits(r *rand.Rand) string {
	switch r.IntN(20) {
	case 0:
		var b strings.Builder
		for i := 18 + r.IntN(25); i > 0; i-- {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		return b.String()
	case 1, 2:
		return pick(r, "0", "00", "01", "007", "010")
	}
	return pick(r, "0", "1", "2", "3", "9", "10", "11", "12", "99", "100")
}

// genPiece is one step of an upstream version or revision: a separator,
// a ~ (with or without a tag), letters or a number.
func genPiece(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0, 1:
		return "." + genDigits(r)
	case 2:
		return pick(r, "~", "~~", "~rc", "~beta", "~a", "~~a")
	case 3:
		return pick(r, "+", "+b", "+dfsg", "+git", "+really")
	case 4:
		return pick(r, "a", "b", "z", "A", "Z", "rc", "pre", "p")
	case 5:
		return pick(r, ".", "+", "~", ".a", "a.")
	}
	return genDigits(r)
}

func genVersion(r *rand.Rand) string {
	var b strings.Builder
	epoch := r.IntN(4) == 0
	if epoch {
		b.WriteString(pick(r, "0", "1", "2", "00", "01", "10") + ":")
	}
	rev := r.IntN(2) == 0
	b.WriteString(genDigits(r))
	for i := r.IntN(6); i > 0; i-- {
		switch {
		case epoch && r.IntN(12) == 0:
			b.WriteString(":") // colons in upstream need an epoch
		case rev && r.IntN(12) == 0:
			b.WriteString("-") // hyphens in upstream need a revision
		default:
			b.WriteString(genPiece(r))
		}
	}
	if rev {
		b.WriteString("-")
		first := genPiece(r)
		b.WriteString(strings.TrimLeft(first, "."))
		if strings.Trim(first, ".") == "" {
			b.WriteString(genDigits(r))
		}
		for i := r.IntN(3); i > 0; i-- {
			b.WriteString(genPiece(r))
		}
	}
	return b.String()
}

// mutate makes a small change to v: often one that keeps it equal
// (leading zeros, a 0 epoch, a 0 revision), or one that moves it just
// above or below.
func mutate(r *rand.Rand, v string) string {
	switch r.IntN(9) {
	case 0: // insert a leading zero before some digit run
		for i := 0; i < len(v); i++ {
			if isDigit(v[i]) && (i == 0 || !isDigit(v[i-1])) && r.IntN(2) == 0 {
				return v[:i] + "0" + v[i:]
			}
		}
		return "0" + v
	case 1: // explicit zero epoch
		if !strings.Contains(v, ":") {
			return "0:" + v
		}
		return v
	case 2: // explicit zero revision
		if !strings.Contains(v, "-") && !strings.Contains(v, ":") {
			return v + "-0"
		}
		return v + "0"
	case 3:
		return v + pick(r, "~", "~0", "a", "+", ".", ".0", "0", "~~")
	case 4: // change one character
		i := r.IntN(len(v))
		return v[:i] + pick(r, "0", "1", "9", "a", "Z", "~", ".", "+") + v[i+1:]
	case 5: // drop one character
		i := r.IntN(len(v))
		return v[:i] + v[i+1:]
	case 6:
		return v
	}
	return genVersion(r)
}

// validityTable returns candidate strings that dpkg and Parse must agree
// on: random strings over an alphabet full of separators, plus the inputs
// of the Parse tables. Excluded: the empty string, which dpkg's
// --compare-versions reads as "no version", and white space other than
// blanks, where kiln deliberately differs (see Parse).
func validityTable(n int) []string {
	r := rand.New(rand.NewPCG(42, 1))
	out := []string{
		"1.0", "+1:2", "-0:2", "-1:2", "+:2", ":2", "1:", "a:1", "1.0:1", "1:2:3",
		"1.0-", "-1", "1:-1", "1-a:b", "1-a-b", "a1", "1_0", " 1.0 ", "1 0", "\t1:2",
		"0000000000000000000001:1", "2147483647:1", "2147483648:1", "-2147483648:1",
		"1.0-1:2", "1:1.0-1:2", "1.0~-~", "1é", "   ", "1:~", "1:1:", "1::1", "1-:1",
	}
	const alphabet = "0123456789aZ.:-+~_ \t,!"
	for len(out) < n {
		var b strings.Builder
		for i := 1 + r.IntN(7); i > 0; i-- {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		if s := b.String(); s != "" {
			out = append(out, s)
		}
	}
	return out
}
