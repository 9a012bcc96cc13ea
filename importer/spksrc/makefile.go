package spksrc

import (
	"os"
	"regexp"
	"strings"
)

// makefile is what kiln reads of a spksrc Makefile: its variable
// assignments (=, :=, ?=, +=, continued lines), with the line of each, in
// the branches of conditionals make would take (cond.go); other make
// constructs (rules, defines) are listed so the report can name them. include lines of spksrc's own mk files are
// expected and skipped.
type makefile struct {
	vars     map[string]string
	lines    map[string]int
	other    []int    // lines of constructs not read
	includes []string // the mk files included (spksrc.cross-cmake.mk, ...)
	// stack holds the open conditionals (cond.go); unevaluated are the
	// lines of those kiln could not evaluate.
	stack       []branch
	unevaluated []int
}

var assignRe = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|\?=|:=|::=|=)\s*(.*)$`)

func readMakefile(path string) (*makefile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	mf := &makefile{vars: map[string]string{}, lines: map[string]int{}}
	raw := strings.Split(string(data), "\n")
	for i := 0; i < len(raw); i++ {
		start := i + 1
		line := raw[i]
		for strings.HasSuffix(line, "\\") && i+1 < len(raw) {
			i++
			line = strings.TrimRight(strings.TrimSuffix(line, "\\"), " \t") + " " + strings.TrimSpace(raw[i])
		}
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if !strings.HasPrefix(line, "\t") && mf.conditional(t, start) {
			continue
		}
		if !mf.reading() {
			continue
		}
		if inc, ok := strings.CutPrefix(strings.TrimPrefix(t, "-"), "include "); ok {
			mf.includes = append(mf.includes, strings.TrimSpace(inc))
			continue
		}
		m := assignRe.FindStringSubmatch(t)
		if m == nil || strings.HasPrefix(line, "\t") {
			mf.other = append(mf.other, start)
			continue
		}
		name, op, val := m[1], m[2], strings.TrimSpace(m[3])
		switch op {
		case "+=":
			if old := mf.vars[name]; old != "" {
				val = old + " " + val
			}
		case "?=":
			if _, set := mf.vars[name]; set {
				continue
			}
		}
		mf.vars[name] = val
		if _, ok := mf.lines[name]; !ok {
			mf.lines[name] = start
		}
	}
	return mf, nil
}

var refRe = regexp.MustCompile(`\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]`)

// get expands name's value, $(VAR) and ${VAR} references included
// (unknown ones expand to nothing, as in make); $$ is a literal $.
func (mf *makefile) get(name string) string {
	return mf.expand(mf.vars[name], 0)
}

func (mf *makefile) expand(s string, depth int) string {
	if depth > 20 {
		return s
	}
	s = refRe.ReplaceAllStringFunc(s, func(r string) string {
		return mf.expand(mf.vars[refRe.FindStringSubmatch(r)[1]], depth+1)
	})
	return strings.ReplaceAll(s, "$$", "$")
}
