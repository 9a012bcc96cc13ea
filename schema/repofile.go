package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
)

// A repository file holds many recipes under a top-level recipes: map,
// keyed by recipe name:
//
//	recipes:
//	  hello: {version: 1.0-1, ...}
//	  greet: {version: 2.0-1, ...}
//
// The key is the recipe's name: a recipe may leave name out, and a name
// that differs from its key is an error. Shared defaults are written
//
//   - in CUE, as CUE: #defaults: {license: "MIT", ...} and
//     recipes: [string]: #defaults. A recipe overriding a default needs the
//     default marked as one (license: *"MIT" | string), as CUE requires.
//     The schema itself marks no defaults a repository might want to set
//     (targets is filled in Go), so such markers never meet a second one.
//   - in YAML and JSON, as a top-level defaults: mapping. Each of its
//     fields is copied into every recipe that does not set that field
//     itself (a shallow merge: a recipe's formats replace the default
//     formats as a whole). Problems in an inherited field are reported at
//     the defaults entry, as defaults.FIELD, naming the recipes concerned.
//
// Top-level definitions in CUE files are opened (see openDefinitions), so
// a #defaults that names a few fields can be unified with whole recipes.

// repoField is the top-level field that makes a file a repository.
const repoField = "recipes"

// hasRepoField reports whether decls declare a top-level recipes field.
func hasRepoField(decls []ast.Decl) bool { return hasField(decls, repoField) }

// openDefinitions adds "..." to every struct literal of the top-level
// definitions of a CUE file. A definition is closed, and a closed
// #defaults: {license: "MIT"} unified with a recipe would reject every
// other field of the recipe; kiln's schema closes each recipe anyway.
func openDefinitions(f *ast.File) {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		if id, ok := fd.Label.(*ast.Ident); ok && (strings.HasPrefix(id.Name, "#") || strings.HasPrefix(id.Name, "_#")) {
			openExpr(fd.Value)
		}
	}
}

func openExpr(x ast.Expr) {
	switch x := x.(type) {
	case *ast.StructLit:
		if !slices.ContainsFunc(x.Elts, func(d ast.Decl) bool { _, ok := d.(*ast.Ellipsis); return ok }) {
			x.Elts = append(x.Elts, &ast.Ellipsis{})
		}
		for _, d := range x.Elts {
			switch d := d.(type) {
			case *ast.Field:
				openExpr(d.Value)
			case *ast.EmbedDecl:
				openExpr(d.Expr)
			}
		}
	case *ast.BinaryExpr:
		openExpr(x.X)
		openExpr(x.Y)
	case *ast.ParenExpr:
		openExpr(x.X)
	}
}

// mergeDefaults applies a YAML or JSON repository's defaults: mapping to
// its recipes and removes it from top. It records, for the positions of
// later errors, which recipe fields came from defaults.
func (d *document) mergeDefaults(top *ast.StructLit) Errors {
	var defaults *ast.Field
	var recipes *ast.StructLit
	elts := top.Elts[:0:0]
	for _, decl := range top.Elts {
		f, ok := decl.(*ast.Field)
		name := ""
		if ok {
			name, _, _ = ast.LabelName(f.Label)
		}
		switch {
		case name == "defaults":
			defaults = f
			continue // the schema never sees it
		case name == repoField:
			recipes, _ = f.Value.(*ast.StructLit)
		}
		elts = append(elts, decl)
	}
	top.Elts = elts
	if defaults == nil {
		return nil
	}
	dflt, ok := defaults.Value.(*ast.StructLit)
	if !ok {
		found := "a value"
		if _, ok := defaults.Value.(*ast.ListLit); ok {
			found = "a list"
		}
		p := defaults.Pos()
		return Errors{{File: d.file, Line: p.Line(), Col: p.Column(), Field: "defaults",
			Msg: fmt.Sprintf("expected a %s of recipe fields, found %s", map[string]string{"yaml": "mapping", "json": "object"}[d.format], found)}}
	}
	if recipes == nil {
		return nil // the schema reports what recipes is instead
	}
	d.inherited = map[string]string{}
	for _, decl := range recipes.Elts {
		rf, ok := decl.(*ast.Field)
		if !ok {
			continue
		}
		rs, ok := rf.Value.(*ast.StructLit)
		key, _, err := ast.LabelName(rf.Label)
		if !ok || err != nil {
			continue
		}
		own := map[string]bool{}
		for _, e := range rs.Elts {
			if f, ok := e.(*ast.Field); ok {
				if n, _, err := ast.LabelName(f.Label); err == nil {
					own[n] = true
				}
			}
		}
		for _, e := range dflt.Elts {
			f, ok := e.(*ast.Field)
			if !ok {
				continue
			}
			n, _, err := ast.LabelName(f.Label)
			if err != nil || own[n] {
				continue
			}
			// The field node is shared: CUE only reads syntax, and its
			// position is the defaults entry, which is where errors belong.
			rs.Elts = append(rs.Elts, f)
			d.inherited[join(repoField, selector(key), selector(n))] = join("defaults", selector(n))
		}
	}
	return nil
}

// repoRoots lists the recipe paths of a repository ("recipes.hello") and
// reports names that differ from their key. (A missing name is filled in
// after decoding, see check.)
func (d *document) repoRoots(data cue.Value) ([]string, Errors) {
	it, err := lookup(data, cue.MakePath(cue.Str(repoField))).Fields()
	if err != nil {
		return nil, nil // not a struct: the schema says so
	}
	var roots []string
	var errs Errors
	for it.Next() {
		key := it.Selector().Unquoted()
		root := join(repoField, selector(key))
		roots = append(roots, root)
		nv := lookup(it.Value(), cue.MakePath(cue.Str("name")))
		if s, err := nv.String(); err == nil && s != key {
			errs = append(errs, d.errorAt(data, join(root, "name"),
				fmt.Sprintf("%s differs from the recipe's key %s (leave name out: the key names the recipe)", strconv.Quote(s), strconv.Quote(key))))
		}
	}
	if len(roots) == 0 {
		errs = append(errs, d.errorAt(data, repoField, "no recipe declared"))
	}
	return roots, errs
}

// attribute says once what is wrong in a value several recipes of a
// repository share: an inherited YAML or JSON default (reported at the
// defaults entry, as defaults.FIELD) or a CUE #defaults (reported at the
// first recipe). CUE reports such a problem once per recipe, at the same
// position; users should read it once, with the recipes it concerns.
func (d *document) attribute(errs Errors) Errors {
	if !d.repo {
		return errs
	}
	type group struct {
		err       *Error
		keys      []string
		inherited bool
	}
	groups := map[Error]*group{}
	var out Errors
	for _, e := range errs {
		parts := splitPath(e.Field)
		if len(parts) < 2 || parts[0] != repoField || e.Line == 0 {
			out = append(out, e)
			continue
		}
		key := unquoteLabel(parts[1])
		like := *e // the problem, whichever recipe has it
		like.Field = strings.Join(append([]string{repoField, "*"}, parts[2:]...), ".")
		if g := groups[like]; g != nil {
			if !slices.Contains(g.keys, key) {
				g.keys = append(g.keys, key)
			}
			continue
		}
		g := &group{err: e, keys: []string{key}}
		if from, to, ok := d.inheritedFrom(e.Field); ok {
			re := *e
			re.Field = to + strings.TrimPrefix(e.Field, from)
			g.err, g.inherited = &re, true
		}
		groups[like] = g
		out = append(out, g.err)
	}
	for _, g := range groups {
		switch {
		case g.inherited:
			g.err.Msg += "; inherited by " + strings.Join(g.keys, ", ")
		case len(g.keys) > 1:
			g.err.Msg += "; likewise in " + strings.Join(g.keys[1:], ", ")
		}
	}
	return out
}

// inheritedFrom finds the inherited field path holds, and what it was
// inherited from.
func (d *document) inheritedFrom(path string) (from, to string, ok bool) {
	for from, to := range d.inherited {
		if within(path, from) {
			return from, to, true
		}
	}
	return "", "", false
}

// recipeKey is the recipe name in a repository path ("recipes.hello").
func recipeKey(root string) string {
	parts := splitPath(root)
	if len(parts) < 2 {
		return ""
	}
	return unquoteLabel(parts[1])
}
