package schema

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/kiln-build/kiln/version"
)

// CUE message formats explain recognises: the format strings of CUE
// v0.14's errors (errors.Error.Msg). The golden tests notice if a CUE
// upgrade changes one.
const (
	msgRequired    = "field is required but not present"
	msgNotAllowed  = "field not allowed"
	msgMismatch    = "conflicting values %s and %s (mismatched types %s and %s)"
	msgDisjunction = "%d errors in empty disjunction:"
	msgUser        = "%s" // error("...") in recipe.cue
	msgIncomplete  = "incomplete value %v"
	// A scalar where the schema's conditionals add fields (a source or a
	// validation rule written as a plain string): a type error.
	msgCombine = "cannot combine regular field %q with %v"
	// A mapping or list where a pattern (=~) expects a string: CUE says so
	// beside the plain type error, in its own words.
	msgCannotUse   = "cannot use %s (type %s) as type %s"
	msgCannotUseIn = "cannot use %s (type %s) as type %s in %v"
	msgOperands    = "invalid operands %s and %s to '%s' (type %s and %s)"
)

// perTargetFields are the fields of #TargetFields in recipe.cue, in words
// (a test keeps the two in step).
const perTargetFields = "sources, patches, depends, makedepends, conflicts, replaces, provides, scripts, prepare, build and package"

// problem is one CUE error, re-addressed to the recipe and phrased.
type problem struct {
	path string // recipe path, e.g. "sources.1.sha256"
	kind kind
	err  *Error
	// selector: the field is one of its struct's kind fields (path, url,
	// git: @kiln(kind) in the schema). While it is in error the schema's
	// `url != _|_` tests misjudge the struct's kind.
	selector bool
}

// kind sorts problems by what explain may do about them.
type kind int

const (
	kValue    kind = iota // a value breaks a constraint: replace it by _
	kUnknown              // a field the schema does not know: drop it
	kMisplace             // error("...") in the schema, e.g. sha256 on a path source: drop it
	kRequired             // a required field is missing: nothing to repair
)

// explainer collects problems over explain's rounds.
type explainer struct {
	e     *evaluator // nil for other schemas than the recipe's (Document.Check)
	d     *document
	def   cue.Value      // #Recipe or #Repository, or the other schema
	data  cue.Value      // the user's recipe, unvalidated
	roots []string       // paths of the recipes in data ("" or "recipes.x")
	skip  map[string]fix // paths repaired in an earlier round
	found []problem      // this round's problems
	out   Errors         // problems committed to the report
	// prefix is the label of an other schema, which its error paths start
	// with ("" for #Recipe and #Repository).
	prefix string
	// bad holds the paths of committed problems with a value or a field
	// (not missing fields); unknown the fields reported as not allowed.
	bad, unknown []string
}

// commit adds p to the report.
func (x *explainer) commit(p problem) {
	x.out = append(x.out, p.err)
	if p.kind != kRequired {
		x.bad = append(x.bad, p.path)
	}
	if p.kind == kUnknown {
		x.unknown = append(x.unknown, p.path)
	}
}

// add reports the errors of one validation of u.
func (x *explainer) add(u cue.Value, err error) {
	errs := cueerrors.Errors(err)
	for i := 0; i < len(errs); i++ {
		ce := errs[i]
		path := x.relPath(ce.Path())
		if x.repaired(path) {
			continue
		}
		format, args := ce.Msg()
		if format == msgDisjunction {
			// The branches' errors follow under the same path. Against a
			// default (extract: bool | *true) half of them are noise, so
			// ask the non-default branch what is wrong instead.
			j := i + 1
			for j < len(errs) && within(x.relPath(errs[j].Path()), path) {
				j++
			}
			if x.addBranch(path) {
				i = j - 1
			}
			continue
		}
		x.addOne(u, ce, path, format, args)
	}
}

// addBranch re-validates the data at path against the non-default
// branches of the schema's disjunction there.
func (x *explainer) addBranch(path string) bool {
	sv := x.schemaAt(path)
	op, branches := sv.Expr()
	if !sv.Exists() || op != cue.OrOp {
		return false
	}
	def, hasDef := sv.Default()
	val := lookup(x.data, cuePath(path))
	if !val.Exists() {
		return false
	}
	for _, b := range branches {
		if hasDef && b.Equals(def) {
			continue
		}
		err := b.Unify(val).Validate(validateOpts...)
		if err == nil {
			return false
		}
		for _, ce := range cueerrors.Errors(err) {
			format, args := ce.Msg()
			// The branch was looked up from #Recipe, so its paths are the
			// recipe's, up to list indexes: take the index from the data.
			p := rebase(path, x.relPath(ce.Path()))
			x.addOne(b, ce, p, format, args)
		}
		return true
	}
	return false
}

// addOne phrases one CUE error for the user.
func (x *explainer) addOne(u cue.Value, ce cueerrors.Error, path, format string, args []any) {
	args = shortArgs(args)
	field, msg, k := path, "", kValue
	pos, ok := x.d.positions()[path]
	switch format {
	case msgRequired:
		parent, label := splitLast(path)
		field, k = parent, kRequired
		msg = fmt.Sprintf("field %s is required", strconv.Quote(unquoteLabel(label)))
		if s := x.attr(u, path, "required"); s != "" {
			msg = s
		}
		pos, ok = x.ancestorPos(parent)
	case msgNotAllowed:
		msg, k = "unknown field", kUnknown
		parent, label := splitLast(path)
		if s := x.attr(u, parent, "key"); s != "" {
			// A map-like struct (options, packages, scripts, formats):
			// the label is the user's value, not a misspelt field.
			msg = strconv.Quote(unquoteLabel(label)) + " is not " + s
		} else if parent == "" && x.d.repo {
			msg = `unknown field; a repository file holds "recipes", "targets" (and, in YAML or JSON, "defaults")`
		} else if parts := splitPath(parent); len(parts) >= 2 && parts[len(parts)-2] == "per_target" {
			msg = "unknown field; per_target varies " + perTargetFields
		}
	case msgUser:
		msg, k = fmt.Sprintf(format, args...), kMisplace
	case msgMismatch:
		msg = x.mismatch(path, args)
	case msgCombine, msgCannotUse, msgCannotUseIn, msgOperands:
		want := "struct"
		switch {
		case format == msgOperands && fmt.Sprint(args[3]) != "_|_":
			// A real expression error, e.g. "1.0" + 1 in a CUE recipe.
			want = ""
		case format == msgOperands:
			// A mapping or list against a bound (strip: {} with >=0).
			want = fmt.Sprint(args[4])
		case format != msgCombine:
			want = fmt.Sprint(args[2])
		}
		msg = fmt.Sprintf(format, args...)
		if want == "" {
			break
		}
		if m := x.mismatch(path, []any{nil, nil, want, want}); !strings.HasPrefix(m, "conflicting") {
			msg = m
		}
	case msgIncomplete:
		msg = fmt.Sprintf(format, args...)
		if x.e != nil {
			break
		}
		// Other schemas (toolchains' #Target) may mark a required field
		// as a plain "field: type": one the user did not write is
		// missing, not incomplete. Say which field, at the nearest
		// struct the user wrote.
		parent, label := path, ""
		for parent != "" && !lookup(x.data, cuePath(parent)).Exists() {
			parent, label = splitLast(parent)
		}
		if label != "" {
			field, k = parent, kRequired
			msg = fmt.Sprintf("field %s is required", strconv.Quote(unquoteLabel(label)))
			if s := x.attr(u, path, "required"); s != "" && parent+"."+label == path {
				msg = s
			}
			pos, ok = x.ancestorPos(parent)
		}
	default:
		msg = fmt.Sprintf(format, args...)
		if exp := x.expectation(u, path); exp != "" {
			if lit := x.literal(path); lit != "" {
				msg = lit + " is not " + exp + x.reason(u, path)
			}
		}
	}
	if !ok {
		pos, ok = x.cuePos(ce)
	}
	if !ok {
		pos, _ = x.ancestorPos(path)
	}
	x.found = append(x.found, problem{
		path:     path,
		kind:     k,
		err:      &Error{File: x.d.file, Line: pos.line, Col: pos.col, Field: field, Msg: msg},
		selector: (k == kMisplace || k == kValue) && x.flag(u, path, "kind"),
	})
}

// shortArgs abbreviates long renderings of values in CUE's messages: a
// conflict with a whole struct (recipes: true) would otherwise print it.
func shortArgs(args []any) []any {
	const max = 60
	out := args
	for i, a := range args {
		if v, ok := a.(fmt.Stringer); ok {
			if s := v.String(); utf8.RuneCountInString(s) > max {
				if &out[0] == &args[0] {
					out = slices.Clone(args)
				}
				out[i] = string([]rune(s)[:max-3]) + "..."
			}
		}
	}
	return out
}

// repaired reports whether path lies in a value repaired by an earlier
// round: errors there are echoes of the repair, not user problems.
func (x *explainer) repaired(path string) bool {
	for p := range x.skip {
		if within(path, p) {
			return true
		}
	}
	return false
}

// finish adds the checks CUE cannot express and returns the sorted result.
func (x *explainer) finish() Errors {
	for _, root := range x.roots {
		x.goChecks(root)
	}
	// Fields inside an unknown field are unknown too; say it once.
	out := x.out[:0]
	for _, e := range x.out {
		if !slices.ContainsFunc(x.unknown, func(p string) bool { return p != e.Field && within(e.Field, p) }) {
			out = append(out, e)
		}
	}
	return x.d.attribute(out).normalize()
}

// goChecks runs the Go-side checks on what decodes of the recipe at root,
// leaving out findings that could be echoes of CUE's problems.
func (x *explainer) goChecks(root string) {
	// A finding is held back when a value it was computed from is in
	// error, or lies inside one: decodeLenient zeroed it.
	overlaps := func(p string) bool {
		return slices.ContainsFunc(x.bad, func(b string) bool { return within(p, b) })
	}
	if root != "" && slices.ContainsFunc(x.bad, func(b string) bool { return within(root, b) }) {
		return
	}
	v := lookup(x.data, cuePath(root))
	if ts := lookup(v, cue.ParsePath("timestamp")); ts.Exists() && ts.Kind() == cue.StringKind && !overlaps(join(root, "timestamp")) {
		s, _ := ts.String()
		if _, err := ParseTimestamp(s); err != nil && timestampRe.MatchString(s) {
			x.out = append(x.out, x.d.errorAt(x.data, join(root, "timestamp"), err.Error()))
		}
	}
	var r Recipe
	if !decodeLenient(v, &r) {
		return
	}
findings:
	for _, f := range checkRecipe(&r) {
		for _, dep := range f.deps {
			if overlaps(join(root, dep)) {
				continue findings
			}
		}
		x.out = append(x.out, x.d.errorAt(x.data, join(root, f.path), f.msg))
	}
}

// mismatch phrases a type error as "expected list, found string "x86_64"".
func (x *explainer) mismatch(path string, args []any) string {
	v := lookup(x.data, cuePath(path))
	if !v.Exists() {
		return fmt.Sprintf(msgMismatch, args...)
	}
	found := v.IncompleteKind().String()
	if v.IncompleteKind() == cue.BottomKind {
		return fmt.Sprintf(msgMismatch, args...)
	}
	var want string
	for _, a := range args[2:] {
		if k := fmt.Sprint(a); k != found {
			want = k
		}
	}
	if want == "" {
		return fmt.Sprintf(msgMismatch, args...)
	}
	msg := fmt.Sprintf("expected %s, found %s", x.kindName(want), x.kindName(found))
	if lit := x.literal(path); lit != "" && v.IncompleteKind()&(cue.StructKind|cue.ListKind|cue.NullKind) == 0 {
		msg += " " + lit
	}
	if x.d.format == "yaml" && want == "string" && found != "struct" && found != "list" {
		msg += " (quote it in YAML)"
	}
	return msg
}

// kindName names a CUE kind the way the recipe's format calls it.
func (x *explainer) kindName(k string) string {
	switch {
	case k == "struct" && x.d.format == "yaml":
		return "mapping"
	case k == "struct" && x.d.format == "json":
		return "object"
	case k == "int":
		return "integer"
	case k == "float":
		return "number"
	}
	return k
}

// literal renders the user's value at path briefly, or "" if it is not
// plain data.
func (x *explainer) literal(path string) string {
	v := lookup(x.data, cuePath(path))
	if !v.Exists() {
		return ""
	}
	switch v.Kind() {
	case cue.StringKind:
		s, _ := v.String()
		if utf8.RuneCountInString(s) > 80 {
			s = string([]rune(s)[:77]) + "..."
		}
		return strconv.Quote(s)
	case cue.IntKind, cue.FloatKind, cue.NumberKind, cue.BoolKind, cue.NullKind:
		// YAML reads 0123 as octal 83 and 1.10 as 1.1: quote the user's
		// spelling, which is what they need to put in quotes.
		if s := x.d.written(path); s != "" {
			return s
		}
		return fmt.Sprint(v)
	case cue.ListKind:
		if n, _ := v.Len().Int64(); n == 0 {
			return "[]"
		}
		return "the list"
	}
	return ""
}

// reason is why the value at path is not what @kiln(reason=...) names,
// as ": why", or "": a version says what kiln compare-versions says.
func (x *explainer) reason(u cue.Value, path string) string {
	v := lookup(x.data, cuePath(path))
	s, err := v.String()
	if err != nil {
		return ""
	}
	switch x.attr(u, path, "reason") {
	case "version":
		if _, err := version.Parse(s); err != nil {
			return ": " + strings.TrimPrefix(err.Error(), fmt.Sprintf("invalid version %q: ", s))
		}
	}
	return ""
}

// expectation is the @kiln(expect=...) phrase for path; list elements use
// their list's elem=... phrase.
func (x *explainer) expectation(u cue.Value, path string) string {
	parent, last := splitLast(path)
	if _, err := strconv.Atoi(last); err == nil {
		return x.attr(u, parent, "elem")
	}
	return x.attr(u, path, "expect")
}

// attr looks up key=value in the @kiln attributes of the field at path.
func (x *explainer) attr(u cue.Value, path, key string) string {
	var val string
	x.attrs(u, path, func(a *cue.Attribute) bool {
		s, found, _ := a.Lookup(0, key)
		val = s
		return found
	})
	return val
}

// flag reports whether the field at path carries @kiln(..., name, ...).
func (x *explainer) flag(u cue.Value, path, name string) bool {
	return x.attrs(u, path, func(a *cue.Attribute) bool {
		ok, _ := a.Flag(0, name)
		return ok
	})
}

// attrs calls match on the @kiln attributes of the field at path until it
// returns true: in the evaluated recipe (which has the fields of taken
// conditionals), through the parent there (LookupPath does not find absent
// required fields), and in the schema. A field may be declared several
// times (path? and, in a conditional, path!), each with its own attribute.
func (x *explainer) attrs(u cue.Value, path string, match func(*cue.Attribute) bool) bool {
	try := func(v cue.Value) bool {
		for _, a := range v.Attributes(cue.FieldAttr) {
			if a.Name() == "kiln" && match(&a) {
				return true
			}
		}
		return false
	}
	if try(lookup(u, cuePath(path))) {
		return true
	}
	parent, last := splitLast(path)
	if it, err := lookup(u, cuePath(parent)).Fields(cue.Optional(true)); err == nil {
		for it.Next() {
			if sel := it.Selector(); sel.LabelType() == cue.StringLabel && sel.Unquoted() == unquoteLabel(last) && try(it.Value()) {
				return true
			}
		}
	}
	return try(x.schemaAt(path))
}

// schemaAt looks path up in the schema. A repository's recipes are looked
// up in #Recipe: #Repository only knows them as a pattern.
func (x *explainer) schemaAt(path string) cue.Value {
	if x.e == nil {
		return lookupSchema(x.def, path)
	}
	if x.d.repo {
		parts := splitPath(path)
		if len(parts) < 2 || parts[0] != repoField {
			return lookup(x.def, schemaPath(path))
		}
		path = strings.Join(parts[2:], ".")
	}
	return lookup(x.e.recipe, schemaPath(path))
}

// ancestorPos is where the nearest enclosing value of path was written;
// the document as a whole is at line 1.
func (x *explainer) ancestorPos(path string) (position, bool) {
	for {
		if p, ok := x.d.positions()[path]; ok {
			return p, true
		}
		if path == "" {
			return position{line: 1, col: 1}, true
		}
		path, _ = splitLast(path)
	}
}

// cuePos picks a position CUE gave that lies in the user's file (computed
// CUE fields are not in the literal index).
func (x *explainer) cuePos(ce cueerrors.Error) (position, bool) {
	for _, p := range append([]token.Pos{ce.Position()}, ce.InputPositions()...) {
		if p.IsValid() && p.Filename() == x.d.file {
			return position{line: p.Line(), col: p.Column()}, true
		}
	}
	return position{}, false
}

// written returns the plain scalar at path as spelled in the source.
func (d *document) written(path string) string {
	if d.format == "cue" {
		return "" // CUE values may be expressions; CUE's rendering is exact
	}
	p, ok := d.positions()[path]
	if !ok || p.valueOff < 0 || p.valueOff >= len(d.src) {
		return ""
	}
	s := d.src[p.valueOff:]
	if i := bytes.IndexAny(s, "\n,]}#"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(string(s))
}

// errorAt positions a Go-side finding at a recipe path: where the user
// wrote it, else where CUE says its value comes from (a CUE recipe may
// compute it, e.g. from #defaults), else at its nearest written ancestor.
func (d *document) errorAt(data cue.Value, path, msg string) *Error {
	x := &explainer{d: d}
	p, ok := d.positions()[path]
	if !ok {
		if tp := lookup(data, cuePath(path)).Pos(); tp.IsValid() && tp.Filename() == d.file {
			p, ok = position{line: tp.Line(), col: tp.Column()}, true
		}
	}
	if !ok {
		p, _ = x.ancestorPos(path)
	}
	return &Error{File: d.file, Line: p.line, Col: p.col, Field: path, Msg: msg}
}
