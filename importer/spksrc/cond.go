package spksrc

import (
	"regexp"
	"strings"
)

// Make's conditionals (ifeq, ifneq, ifdef, ifndef, else, endif) are
// evaluated on the variables the Makefile has set so far: only the branch
// make would take is read. One that depends on what kiln cannot know
// (spksrc's framework sets TCVERSION, ARCH, ... per build; make functions
// such as $(call ...) or $(findstring ...)) is reported, and its first
// branch read.

// branch is one open conditional.
type branch struct {
	active  bool // its current branch is read
	taken   bool // a branch was read already (else branches are skipped)
	unknown bool // it could not be evaluated
	outer   bool // the conditional around it reads this part
}

var condRe = regexp.MustCompile(`^(ifeq|ifneq|ifdef|ifndef)\s+(.*)$`)

// conditional handles one line if it is a conditional directive: it
// returns whether it was one.
func (mf *makefile) conditional(t string, line int) bool {
	if t == "endif" || strings.HasPrefix(t, "endif ") {
		if n := len(mf.stack); n > 0 {
			mf.stack = mf.stack[:n-1]
		}
		return true
	}
	if t == "else" || strings.HasPrefix(t, "else ") {
		n := len(mf.stack)
		if n == 0 {
			return false
		}
		b := &mf.stack[n-1]
		rest := strings.TrimSpace(strings.TrimPrefix(t, "else"))
		switch {
		case b.unknown || b.taken:
			b.active = false
		case rest == "":
			b.active, b.taken = true, true
		default:
			ok, known := mf.eval(rest)
			if !known && b.outer {
				mf.unevaluated = append(mf.unevaluated, line)
			}
			b.unknown = !known
			b.active = ok || !known
			b.taken = b.active
		}
		return true
	}
	if !condRe.MatchString(t) {
		return false
	}
	outer := mf.reading()
	ok, known := mf.eval(t)
	if !known && outer {
		mf.unevaluated = append(mf.unevaluated, line)
	}
	active := ok || !known
	mf.stack = append(mf.stack, branch{active: active, taken: active, unknown: !known, outer: outer})
	return true
}

// reading says whether lines here are read: every open conditional's
// current branch is.
func (mf *makefile) reading() bool {
	for _, b := range mf.stack {
		if !b.active {
			return false
		}
	}
	return true
}

// eval evaluates "ifeq (A,B)" and the like: the result, and whether it
// could be known.
func (mf *makefile) eval(t string) (result, known bool) {
	m := condRe.FindStringSubmatch(t)
	if m == nil {
		return false, false
	}
	kw, arg := m[1], strings.TrimSpace(m[2])
	if kw == "ifdef" || kw == "ifndef" {
		v, set := mf.vars[arg]
		if !set {
			return false, false
		}
		val, ok := mf.value(v)
		return (val != "") == (kw == "ifdef"), ok
	}
	a, b, ok := splitArgs(arg)
	if !ok {
		return false, false
	}
	av, aok := mf.value(a)
	bv, bok := mf.value(b)
	if !aok || !bok {
		return false, false
	}
	return (av == bv) == (kw == "ifeq"), true
}

// value expands s if every reference in it is to a variable the
// Makefile has set, and no make function is called.
func (mf *makefile) value(s string) (string, bool) {
	for _, r := range refRe.FindAllStringSubmatch(s, -1) {
		if _, set := mf.vars[r[1]]; !set {
			return "", false
		}
	}
	v := mf.expand(strings.ReplaceAll(s, "$$", "\x00"), 0)
	if strings.Contains(v, "$(") || strings.Contains(v, "${") {
		return "", false
	}
	return strings.ReplaceAll(v, "\x00", "$"), true
}

// splitArgs reads make's "(A,B)", "'A' 'B'" or "\"A\" \"B\"" forms.
func splitArgs(s string) (a, b string, ok bool) {
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		in := s[1 : len(s)-1]
		depth := 0
		for i, ch := range in {
			switch ch {
			case '(', '{':
				depth++
			case ')', '}':
				depth--
			case ',':
				if depth == 0 {
					return strings.TrimSpace(in[:i]), strings.TrimSpace(in[i+1:]), true
				}
			}
		}
		return "", "", false
	}
	m := regexp.MustCompile(`^(?:'([^']*)'|"([^"]*)")\s+(?:'([^']*)'|"([^"]*)")$`).FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	return m[1] + m[2], m[3] + m[4], true
}
