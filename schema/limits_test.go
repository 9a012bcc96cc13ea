package schema

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestShapeLimits: recipes nested (or chained) deeply enough to overflow
// the stack of CUE's parser or evaluator — which Go cannot recover from,
// so before the limits these killed the test binary — are refused with a
// positioned error before CUE sees them.
func TestShapeLimits(t *testing.T) {
	const n = 300_000
	rep := strings.Repeat
	for name, c := range map[string]struct{ file, src, want string }{
		"cue list":          {"kiln.cue", "name: \"x\"\nv: " + rep("[", n) + rep("]", n), "kiln.cue:2:"},
		"cue struct":        {"kiln.cue", "v: " + rep("{a:", n) + "1" + rep("}", n), "nested more than 64 levels deep"},
		"cue parentheses":   {"kiln.cue", "v: " + rep("(", n) + "1" + rep(")", n), "nested more than 64 levels deep"},
		"cue interpolation": {"kiln.cue", "v: " + rep(`"\(`, n) + "1" + rep(`)"`, n), "nested more than 64 levels deep"},
		"cue label chain":   {"kiln.cue", "v: " + rep("a: ", n) + "1", "an expression longer than 1000 tokens"},
		"cue sum":           {"kiln.cue", "v: 1" + rep("+1", n), "an expression longer than 1000 tokens"},
		"json list":         {"kiln.json", `{"name": ` + rep("[", 5000) + rep("]", 5000) + "}", "kiln.json:1:"},
		"yaml flow list":    {"kiln.yaml", "name: " + rep("[", 5000) + rep("]", 5000), "nested more than 64 levels deep"},
		"yaml block":        {"kiln.yaml", blockYAML(200), "nested more than 64 levels deep"},
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := ParseRepo(c.file, []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %.300v\nwant %q", err, c.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
}

func blockYAML(depth int) string {
	var b strings.Builder
	for i := range depth {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	b.WriteString(strings.Repeat(" ", depth) + "b: 1\n")
	return b.String()
}

// TestShapeWithinLimits: the deepest and longest shapes the limits let
// through are evaluated (and refused by the schema) without a crash, and
// an interpolation's string goes on after the \( ... ) closes.
func TestShapeWithinLimits(t *testing.T) {
	rep := strings.Repeat
	for name, src := range map[string]string{
		"deepest":       "v: " + rep("{a: ", MaxDepth-1) + "1" + rep("}", MaxDepth-1),
		"longest chain": "v: " + rep("a: ", MaxExprTokens/2-2) + "1",
		"longest sum":   "v: 1" + rep("+1", MaxExprTokens/2-2),
		"interpolation": `v: "a\("b\(1)c")d\(2)e"` + "\n" + `w: "\((((1))))"`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseRepo("kiln.cue", []byte(src))
			if err == nil || strings.Contains(err.Error(), "nested more than") || strings.Contains(err.Error(), "longer than") {
				t.Fatalf("err = %.300v, want a schema error", err)
			}
		})
	}
}

// TestEvaluationBounded: nested comprehensions that would run for minutes
// or take all memory are cut off with an error naming the file. CUE cannot
// be interrupted, so each case runs in a child process that exits after
// the error, as kiln does.
func TestEvaluationBounded(t *testing.T) {
	if os.Getenv("KILN_TEST_EVAL_CHILD") != "" {
		evalTimeout = 1500 * time.Millisecond
		if os.Getenv("KILN_TEST_EVAL_CHILD") == "memory" {
			evalTimeout, evalMemory = time.Minute, 200<<20
		}
		src := `import "list"
name: "bomb"
r: list.Range(0, 2000, 1)
v: [for x in r for y in r for z in r {[x, y, z]}]
`
		if os.Getenv("KILN_TEST_EVAL_CHILD") == "memory" {
			src = "import \"list\"\nname: \"bomb\"\nv: list.Range(0, 100000000, 1)\n"
		}
		_, err := ParseRepo("bomb/kiln.cue", []byte(src))
		os.Stdout.WriteString("ERR: " + err.Error() + "\n")
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("starts child processes that evaluate for seconds")
	}
	for mode, want := range map[string]string{
		"time":   "bomb/kiln.cue: evaluating took longer than 1.5s",
		"memory": "bomb/kiln.cue: evaluating needed more than 200 MiB of memory",
	} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestEvaluationBounded$")
			cmd.Env = append(os.Environ(), "KILN_TEST_EVAL_CHILD="+mode)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), want) {
				t.Fatalf("child: %v\n%s\nwant %q", err, out, want)
			}
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
