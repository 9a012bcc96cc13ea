package schema

import (
	_ "embed"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
)

//go:embed recipe.cue
var schemaSource []byte

// defaultTargets are the targets of a recipe that names none; they mirror
// #DefaultTargets in recipe.cue (a test keeps the two in step).
var defaultTargets = []string{"x86_64", "aarch64", "armv7"}

// validateOpts: Final reports required fields still missing. Without it
// CUE only reports them when nothing else is wrong with their struct.
var validateOpts = []cue.Option{cue.Concrete(true), cue.Final(), cue.All()}

// evaluator is one cue.Context with the schema compiled into it. A Context
// and its values are not safe for concurrent use, so each evaluation takes
// an evaluator from the pool for its whole duration; distinct Contexts
// share nothing and run in parallel.
type evaluator struct {
	ctx    *cue.Context
	recipe cue.Value // #Recipe
	repo   cue.Value // #Repository
	uses   int
}

// maxUses retires an evaluator after this many recipes. A cue.Context keeps
// about 10 KiB per evaluation for its lifetime; recompiling the schema costs
// about 0.5 ms, so a long-running process (such as a frontend) stays
// bounded at ~2 µs per recipe.
const maxUses = 256

// The pool holds up to GOMAXPROCS evaluators, created on demand: most
// programs load recipes from one goroutine and compile the schema once.
var pool struct {
	once    sync.Once
	free    chan *evaluator
	created atomic.Int32
}

// acquire returns an idle evaluator, a new one while the pool is below its
// size, or waits for one.
func acquire() *evaluator {
	pool.once.Do(func() { pool.free = make(chan *evaluator, runtime.GOMAXPROCS(0)) })
	select {
	case e := <-pool.free:
		return e
	default:
	}
	if n := pool.created.Add(1); int(n) <= cap(pool.free) {
		return newEvaluator()
	}
	pool.created.Add(-1)
	return <-pool.free
}

// release returns e to the pool, or a fresh evaluator in its place once e
// has served maxUses recipes. Replacing (rather than dropping) keeps the
// pool's count exact, so goroutines waiting in acquire always wake up.
func release(e *evaluator) {
	if e.uses++; e.uses >= maxUses {
		e = newEvaluator()
	}
	pool.free <- e
}

// newEvaluator compiles the embedded schema. It panics if the schema is
// broken: that is a build defect, caught by every test run.
func newEvaluator() *evaluator {
	ctx := cuecontext.New()
	v := ctx.CompileBytes(schemaSource, cue.Filename("recipe.cue"))
	e := &evaluator{ctx: ctx, recipe: v.LookupPath(cue.ParsePath("#Recipe")), repo: v.LookupPath(cue.ParsePath("#Repository"))}
	for _, def := range []cue.Value{e.recipe, e.repo} {
		if err := def.Err(); err != nil {
			panic("schema: embedded recipe.cue: " + cueerrors.Details(err, nil))
		}
	}
	return e
}

// evaluate checks d with a pooled evaluator. An evaluator that panicked
// may be left inconsistent, so it is dropped and a fresh one replaces it.
func evaluate(d *document) ([]*Recipe, error) {
	e := acquire()
	done := false
	defer func() {
		if !done {
			e.uses = maxUses // retire it
		}
		release(e)
	}()
	rs, err := e.check(d)
	done = true
	return rs, err
}

// check evaluates d against #Recipe (or #Repository) and decodes it.
// Valid recipes take one unify and one validate pass, and the Go-side
// checks; only invalid ones pay for explain.
func (e *evaluator) check(d *document) ([]*Recipe, error) {
	var data cue.Value
	if d.cue != nil {
		data = e.ctx.BuildFile(d.cue)
	} else {
		data = e.ctx.BuildExpr(d.expr)
	}
	def, roots := e.recipe, []string{""}
	var errs Errors
	if d.repo {
		def = e.repo
		roots, errs = d.repoRoots(data)
	}
	u := def.Unify(data)
	if err := u.Validate(validateOpts...); err != nil {
		x := &explainer{e: e, d: d, def: def, data: data, roots: roots, out: errs}
		return nil, x.explainSafely(u, err)
	}
	var feeds []Feed
	if d.repo {
		if v := lookup(u, cue.ParsePath("feeds")); v.Exists() {
			if err := decodeInto(v, &feeds); err != nil {
				errs = append(errs, &Error{File: d.file, Field: "feeds", Msg: "decoding feeds: " + err.Error()})
			}
		}
	}
	rs := make([]*Recipe, 0, len(roots))
	for _, root := range roots {
		r := &Recipe{}
		if err := decodeInto(lookup(u, cuePath(root)), r); err != nil {
			errs = append(errs, &Error{File: d.file, Field: root, Msg: "decoding recipe: " + err.Error()})
			continue
		}
		r.Feeds = feeds
		if r.Name == "" {
			r.Name = recipeKey(root)
		}
		if r.Targets == nil {
			r.Targets = slices.Clone(defaultTargets)
		}
		epoch, err := ParseTimestamp(r.Timestamp)
		if err != nil {
			errs = append(errs, d.errorAt(data, join(root, "timestamp"), err.Error()))
		}
		r.Epoch = epoch.Unix()
		for _, f := range checkRecipe(r) {
			errs = append(errs, d.errorAt(data, join(root, f.path), f.msg))
		}
		rs = append(rs, r)
	}
	if len(errs) > 0 {
		return nil, d.attribute(errs).normalize()
	}
	return rs, nil
}

// explainSafely is explain with a way out: CUE's API panics on some
// invalid values (fuzzing found several), and a plain rendering of CUE's
// own errors beats an internal error.
func (x *explainer) explainSafely(u cue.Value, err error) (errs Errors) {
	found := slices.Clone(x.out) // problems found before evaluation
	defer func() {
		if recover() != nil {
			explainPanics.Add(1)
			errs = append(plainErrors(x.d, x.prefix, err), found...).normalize()
		}
	}()
	return x.explain(u, err)
}

// explainPanics counts the panics explainSafely recovered from, for the
// fuzz test: each is a recipe that got CUE's plain messages.
var explainPanics atomic.Int64

// plainErrors renders CUE errors with their paths and the document's
// positions only, calling nothing that could panic again.
func plainErrors(d *document, prefix string, err error) Errors {
	var out Errors
	for _, ce := range cueerrors.Errors(err) {
		func() {
			defer func() { _ = recover() }()
			x := &explainer{d: d, prefix: prefix}
			path := x.relPath(ce.Path())
			pos, ok := d.positions()[path]
			if !ok {
				pos, ok = x.cuePos(ce)
			}
			if !ok {
				pos, _ = x.ancestorPos(path)
			}
			format, args := ce.Msg()
			out = append(out, &Error{File: d.file, Line: pos.line, Col: pos.col, Field: path, Msg: fmt.Sprintf(format, args...)})
		}()
	}
	if len(out) == 0 {
		out = Errors{{File: d.file, Msg: "invalid recipe"}}
	}
	return out.normalize()
}

// explain turns a failed validation into every problem in the recipe.
//
// CUE stops descending into a struct once the struct itself is in error,
// so one bad value can hide an unknown field or a missing required field
// beside it. explain therefore repairs what it has reported and validates
// again, until a round finds nothing new:
//
//   - Bad values are reported at once and replaced by _, which keeps the
//     field present but unconstrained. Structural complaints (required,
//     unknown, misplaced fields) from a round with bad values are held back:
//     an invalid url makes `url != _|_` false, and the schema would then
//     say a url source "needs one of path, url or git". They come back in
//     the next round if they are real.
//   - Unknown fields are dropped; nothing refers to them, so this reveals
//     only problems that were hidden.
//   - Misplaced fields are dropped too. When the field is a source's kind
//     (git beside url), that changes the source's kind, so its later
//     required/misplaced complaints are consequences and are dropped; the
//     same holds for a source whose kind field has a bad value.
//
// Repairs never invent values, so every reported problem is the user's.
func (x *explainer) explain(u cue.Value, err error) Errors {
	data := x.data
	if derr := data.Validate(cue.All()); derr != nil {
		// A CUE recipe can be wrong on its own ("a" + 1, "x" & "y"); its
		// values cannot be rebuilt for another round, so report both.
		x.add(u, err)
		x.add(data, derr)
		for _, p := range x.found {
			x.commit(p)
		}
		x.roots = nil // its values are not the user's: no Go-side checks
		return x.finish()
	}
	fixes := map[string]fix{}
	var moved []string // structs whose kind a repair changed
	for round := 0; round < 10 && err != nil; round++ {
		x.found = nil
		x.skip = fixes
		x.add(u, err)
		repairable := func(p problem) bool {
			_, done := fixes[p.path]
			return !done && p.path != "" && lookup(data, cuePath(p.path)).Exists()
		}
		progress := false
		if slices.ContainsFunc(x.found, func(p problem) bool { return p.kind == kValue && repairable(p) }) {
			for _, p := range x.found {
				if p.kind == kValue {
					x.commit(p)
					if repairable(p) {
						fixes[p.path], progress = fixTop, true
					}
					if p.selector {
						// Even as _, an invalid url does not count as
						// present: the struct's kind stays unknown.
						parent, _ := splitLast(p.path)
						moved = append(moved, parent)
					}
				}
			}
		} else {
			// A misplaced kind field (git beside url) is bottom, and the
			// schema's `git == _|_` then calls its commit misplaced: other
			// complaints in that struct wait until the field is dropped, and
			// are consequences from then on.
			kindFixed := map[string]string{}
			for _, p := range x.found {
				if parent, _ := splitLast(p.path); p.selector && kindFixed[parent] == "" {
					kindFixed[parent] = p.path
				}
			}
			for _, p := range x.found {
				structural := p.kind == kRequired || p.kind == kMisplace
				parent, _ := splitLast(p.path)
				if first := kindFixed[parent]; structural && first != "" && first != p.path {
					continue
				}
				if !structural || !slices.ContainsFunc(moved, func(m string) bool { return within(p.path, m) }) {
					x.commit(p)
				}
				if (p.kind == kUnknown || p.kind == kMisplace) && repairable(p) {
					fixes[p.path], progress = fixDrop, true
				}
			}
			for parent := range kindFixed {
				moved = append(moved, parent)
			}
		}
		if !progress {
			break
		}
		u = x.def.Unify(x.def.Context().BuildExpr(rebuild(data, "", fixes)))
		err = u.Validate(validateOpts...)
	}
	return x.finish()
}

// fix says how explain neutralises a reported field before re-validating.
type fix int

const (
	fixTop  fix = iota + 1 // replace the value by _ (keeps the field present)
	fixDrop                // remove the field (it must not be there at all)
)

// rebuild re-creates the data of v as syntax, applying fixes by path.
func rebuild(v cue.Value, path string, fixes map[string]fix) ast.Expr {
	switch v.Kind() {
	case cue.StructKind:
		it, err := v.Fields()
		if err != nil {
			return ast.NewIdent("_")
		}
		s := &ast.StructLit{}
		for it.Next() {
			p := join(path, it.Selector().String())
			var val ast.Expr
			switch fixes[p] {
			case fixDrop:
				continue
			case fixTop:
				val = ast.NewIdent("_")
			default:
				val = rebuild(it.Value(), p, fixes)
			}
			s.Elts = append(s.Elts, &ast.Field{Label: ast.NewString(it.Selector().Unquoted()), Value: val})
		}
		return s
	case cue.ListKind:
		it, err := v.List()
		if err != nil {
			return ast.NewIdent("_")
		}
		l := &ast.ListLit{}
		for i := 0; it.Next(); i++ {
			p := join(path, fmt.Sprint(i))
			switch fixes[p] {
			case fixDrop, fixTop:
				l.Elts = append(l.Elts, ast.NewIdent("_"))
			default:
				l.Elts = append(l.Elts, rebuild(it.Value(), p, fixes))
			}
		}
		return l
	}
	if v.Err() != nil {
		return ast.NewIdent("_")
	}
	if x, ok := v.Syntax(cue.Final()).(ast.Expr); ok {
		return x
	}
	return ast.NewIdent("_")
}
