package schema

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
)

// Recipe paths are CUE paths rendered as CUE renders them in errors:
// "sources.1.sha256", "packages.\"hello-doc\".files.0". Positions, errors,
// repairs and the Go-side checks all address values by them.

// join joins path elements with dots, skipping empty ones (the root).
func join(elems ...string) string {
	var b strings.Builder
	for _, e := range elems {
		if e == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e)
	}
	return b.String()
}

// cuePath converts a recipe path ("sources.1.sha256") to a cue.Path.
func cuePath(p string) cue.Path {
	if p == "" {
		return cue.Path{}
	}
	var sels []cue.Selector
	for _, s := range splitPath(p) {
		sels = append(sels, selectorOf(s))
	}
	return cue.MakePath(sels...)
}

// selectorOf turns one rendered path element back into a selector.
func selectorOf(s string) cue.Selector {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && strconv.Itoa(n) == s {
		return cue.Index(n)
	}
	if strings.HasPrefix(s, `"`) {
		if uq, err := unquote(s); err == nil {
			return cue.Str(uq)
		}
	}
	return cue.Str(s)
}

// schemaPath is like cuePath but with list indexes replaced by "any
// element", so it can look a data path up in the schema.
func schemaPath(p string) cue.Path {
	var sels []cue.Selector
	for _, sel := range cuePath(p).Selectors() {
		if sel.Type() == cue.IndexLabel {
			sel = cue.AnyIndex
		}
		sels = append(sels, sel)
	}
	return cue.MakePath(sels...)
}

// lookup is Value.LookupPath for values that may be in error: CUE v0.14
// panics ("not properly initialized") looking into some of them. The zero
// Value it returns then does not exist.
func lookup(v cue.Value, p cue.Path) (res cue.Value) {
	defer func() {
		if recover() != nil {
			res = cue.Value{}
		}
	}()
	return v.LookupPath(p)
}

// recipePath renders a CUE error path without the schema's #Recipe (or
// #Repository) prefix.
func recipePath(p []string) string {
	if len(p) > 0 && (p[0] == "#Recipe" || p[0] == "#Repository") {
		p = p[1:]
	}
	return strings.Join(p, ".")
}

// relPath renders a CUE error path relative to the document: without the
// schema's own label (#Recipe, #Repository, or x.prefix).
func (x *explainer) relPath(p []string) string {
	if x.prefix != "" && len(p) > 0 && p[0] == x.prefix {
		return strings.Join(p[1:], ".")
	}
	return recipePath(p)
}

// lookupSchema looks a data path up in another schema than the recipe's,
// through the pattern constraints ([Name=string]: ...) that describe
// map-like structs.
func lookupSchema(def cue.Value, path string) cue.Value {
	v := def
	for _, sel := range schemaPath(path).Selectors() {
		next := lookup(v, cue.MakePath(sel))
		if !next.Exists() && sel.Type() == cue.StringLabel {
			next = lookup(v, cue.MakePath(cue.AnyString))
		}
		if !next.Exists() {
			return next
		}
		v = next
	}
	return v
}

// rebase lines up a path reported by a schema branch under base, whose
// list indexes the branch does not know.
func rebase(base, p string) string {
	bs, ps := splitPath(base), splitPath(p)
	if len(ps) < len(bs) {
		return base
	}
	return strings.Join(append(bs, ps[len(bs):]...), ".")
}

// within reports whether path is p or lies under it.
func within(path, p string) bool {
	return path == p || p == "" || strings.HasPrefix(path, p+".")
}

// splitPath splits a rendered path at dots outside quoted labels.
func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case '.':
			if !quoted {
				out = append(out, p[start:i])
				start = i + 1
			}
		}
	}
	return append(out, p[start:])
}

func splitLast(p string) (parent, last string) {
	parts := splitPath(p)
	if len(parts) == 0 {
		return "", ""
	}
	return strings.Join(parts[:len(parts)-1], "."), parts[len(parts)-1]
}

// selector renders a label the way CUE renders it in error paths.
func selector(name string) string {
	if ast.IsValidIdent(name) && !strings.HasPrefix(name, "#") && !strings.HasPrefix(name, "_") {
		return name
	}
	return literal.Label.Quote(name)
}

func unquote(s string) (string, error) { return literal.Unquote(s) }

func unquoteLabel(s string) string {
	if !strings.HasPrefix(s, `"`) {
		return s // literal.Unquote panics on ""
	}
	if uq, err := unquote(s); err == nil {
		return uq
	}
	return s
}
