package schema

import (
	"fmt"
	"maps"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The checks here relate fields to each other: an option's default and
// its choices, variants and test selectors against the declared options,
// uses against the recipe's packages, a regular expression that must
// compile. In CUE they would surface as bare conflicts ("conflicting
// values") at the wrong field; here each gets a sentence at the field the
// user has to change.

// MaxVarDescription bounds an option's description (SPK's limit) unless
// the recipe allows LongVarDescription.
const MaxVarDescription = 256

// constraintRe mirrors #re.constraint in recipe.cue (a test keeps the two
// in step): the value of a package option.
var constraintRe = regexp.MustCompile(`^\s*(<<|<=|=|>=|>>)\s*([0-9]+:)?[A-Za-z0-9]([A-Za-z0-9.+~-]*-[A-Za-z0-9.+~]+|[A-Za-z0-9.+~]*)\s*$`)

// plistRe is the PLIST prefix a files entry may have (#FileEntry).
var plistRe = regexp.MustCompile(`^(bin|lib|lnk|rsc):`)

const constraintHelp = `("OP version", OP one of << <= = >= >>)`

// finding is a problem found in Go, at a path relative to its recipe.
// deps are the paths its verdict was computed from (path included): when
// CUE already reports a problem on one of them, the finding may be an
// echo of it, so it waits until that is fixed.
type finding struct {
	path string
	deps []string
	msg  string
}

type semantic struct {
	r   *Recipe
	out []finding
}

// checkRecipe runs every Go-side check on r, decoded strictly (a valid
// recipe) or leniently (an invalid one; see decodeLenient).
func checkRecipe(r *Recipe) []finding {
	c := &semantic{r: r}
	if msg := licenseProblem(r.License); msg != "" && strings.TrimSpace(r.License) != "" {
		c.add("license", nil, "%s", msg)
	}
	c.options()
	c.variants()
	c.packages()
	c.tests()
	c.perTarget()
	c.sources()
	c.validation()
	c.unique("conffiles", r.Conffiles)
	return c.out
}

func (c *semantic) add(path string, deps []string, format string, args ...any) {
	c.out = append(c.out, finding{path: path, deps: append(deps, path), msg: fmt.Sprintf(format, args...)})
}

func (c *semantic) options() {
	for _, name := range slices.Sorted(maps.Keys(c.r.Options)) {
		o := c.r.Options[name]
		at := join("options", selector(name))
		def, choices := join(at, "default"), join(at, "choices")
		switch {
		case o.Package != "" && o.Default != "" && !constraintRe.MatchString(o.Default):
			c.add(def, nil, "%q is not a version constraint %s", o.Default, constraintHelp)
		case o.Package == "" && len(o.Choices) > 0 && o.Default != "" && !slices.Contains(o.Choices, o.Default):
			c.add(def, []string{choices}, "%q is not one of the choices (%s)", o.Default, strings.Join(o.Choices, ", "))
		}
		c.unique(choices, o.Choices)
		if n := utf8.RuneCountInString(o.Description); n > MaxVarDescription && !c.allowed("LongVarDescription") {
			c.add(join(at, "description"), []string{"validation"},
				"%d characters, more than %d (validation rule LongVarDescription allows longer descriptions)", n, MaxVarDescription)
		}
	}
}

// variants: each names declared options and allowed values; a variant
// listed twice would build the same thing twice.
func (c *semantic) variants() {
	for i, v := range c.r.Variants {
		at := join("variants", strconv.Itoa(i))
		c.selector(at, v)
		for j := range i {
			if len(v) > 0 && maps.Equal(v, c.r.Variants[j]) {
				c.add(at, []string{join("variants", strconv.Itoa(j))}, "same as variant %d", j)
				break
			}
		}
	}
}

// selector checks one option-name-to-value map (a variant or a test's
// selector) against the declared options.
func (c *semantic) selector(at string, sel map[string]string) {
	for _, name := range slices.Sorted(maps.Keys(sel)) {
		val, p := sel[name], join(at, selector(name))
		opt := join("options", selector(name))
		o, ok := c.r.Options[name]
		switch {
		case !ok:
			c.add(p, []string{"options"}, "%q is not a declared option (%s)", name, c.declared())
		case o.Package != "" && !constraintRe.MatchString(val):
			c.add(p, []string{opt}, "%q is not a version constraint %s for package option %q", val, constraintHelp, name)
		case len(o.Choices) > 0 && !slices.Contains(o.Choices, val):
			c.add(p, []string{opt}, "%q is not one of the choices of option %q (%s)", val, name, strings.Join(o.Choices, ", "))
		}
	}
}

func (c *semantic) declared() string {
	if len(c.r.Options) == 0 {
		return "the recipe declares no options"
	}
	return "options: " + strings.Join(slices.Sorted(maps.Keys(c.r.Options)), ", ")
}

func (c *semantic) packages() {
	if c.r.Packages != nil && len(c.r.Packages) == 0 {
		c.add("packages", nil, "no package declared; leave packages out for one package named after the recipe")
	}
	names := slices.Sorted(maps.Keys(c.r.Packages))
	for _, name := range names {
		p := c.r.Packages[name]
		if p == nil {
			continue
		}
		at := join("packages", selector(name))
		for i, f := range p.Files {
			if glob := plistRe.ReplaceAllString(f, ""); glob != f && strings.HasPrefix(glob, "!") {
				c.add(join(at, "files", strconv.Itoa(i)), nil,
					"%s: a PLIST entry cannot be negated; negate a plain glob (!path) to take back what earlier entries selected", strconv.Quote(f))
			}
		}
		for i, u := range p.Uses {
			ui := join(at, "uses", strconv.Itoa(i))
			if u == name {
				c.add(ui, nil, "a package cannot use itself")
			} else if _, ok := c.r.Packages[u]; !ok {
				c.add(ui, nil, "%q is not a package of this recipe (packages: %s)", u, strings.Join(names, ", "))
			}
		}
		c.unique(join(at, "conffiles"), p.Conffiles)
	}
}

// perTarget: per_target names targets the recipe builds; another name
// (a misspelling, a target of the family the recipe builds for) would
// change nothing.
func (c *semantic) perTarget() {
	for _, name := range slices.Sorted(maps.Keys(c.r.PerTarget)) {
		if !slices.Contains(c.r.Targets, name) {
			c.add(join("per_target", selector(name)), []string{"targets"},
				"%q is not one of the recipe's targets (%s)", name, strings.Join(c.r.Targets, ", "))
		}
	}
}

func (c *semantic) tests() {
	for i, t := range c.r.Tests {
		at := join("tests", strconv.Itoa(i))
		if t.Script == "" && len(t.Checks) == 0 {
			c.add(at, []string{join(at, "script"), join(at, "checks")}, `a test needs a "script", "checks" or both`)
		}
		for j, s := range t.Selectors {
			c.selector(join(at, "selectors", strconv.Itoa(j)), s)
		}
		for j, ch := range t.Checks {
			c.check(join(at, "checks", strconv.Itoa(j)), ch)
		}
	}
}

func (c *semantic) check(at string, ch Check) {
	if ch.Command == "" && ch.Path != "" {
		if ch.Exists == nil && ch.Mode == "" && ch.Contains == "" {
			c.add(at, []string{join(at, "exists"), join(at, "mode"), join(at, "contains"), join(at, "command")},
				`a path check needs at least one of "exists", "mode" or "contains"`)
		}
		if ch.Exists != nil && !*ch.Exists && (ch.Mode != "" || ch.Contains != "") {
			c.add(join(at, "exists"), []string{join(at, "mode"), join(at, "contains")},
				"a path that must not exist has no mode or contents")
		}
	}
	if ch.Output != "" {
		if _, err := regexp.Compile(ch.Output); err != nil {
			c.add(join(at, "output"), nil, "%s is not a valid regular expression: %s", strconv.Quote(ch.Output), regexpReason(err))
		}
	}
}

// regexpReason is what is wrong, without regexp's repetition of the input.
func regexpReason(err error) string {
	se, ok := err.(*syntax.Error)
	if !ok {
		return err.Error()
	}
	return se.Code.String() // se.Expr is mostly the whole input again
}

func (c *semantic) validation() {
	allowed := map[string]int{}
	denied := map[string]int{}
	for i, v := range c.r.Validation {
		at := join("validation", strconv.Itoa(i))
		if v.Allow != "" {
			if j, ok := denied[v.Allow]; ok {
				c.add(at, []string{join("validation", strconv.Itoa(j))}, "%s is denied at index %d and allowed here", v.Allow, j)
			}
			allowed[v.Allow] = i
		}
		if v.Deny != "" {
			if j, ok := allowed[v.Deny]; ok {
				c.add(at, []string{join("validation", strconv.Itoa(j))}, "%s is allowed at index %d and denied here", v.Deny, j)
			}
			denied[v.Deny] = i
		}
	}
}

// allowed reports whether the recipe allows validation rule name.
func (c *semantic) allowed(name string) bool {
	return slices.ContainsFunc(c.r.Validation, func(v ValidationRule) bool { return v.Allow == name })
}

// unique reports list entries given twice (a conffile, a choice).
func (c *semantic) unique(at string, list []string) {
	for i, s := range list {
		if j := slices.Index(list[:i], s); j >= 0 {
			c.add(join(at, strconv.Itoa(i)), []string{join(at, strconv.Itoa(j))}, "%s is listed twice (first at index %d)", strconv.Quote(s), j)
		}
	}
}
