package schema

import (
	"fmt"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
)

// Document is a CUE, YAML or JSON file read for another schema than the
// recipe's (kiln's build targets, see toolchains): it is parsed the way
// recipes are (a "# syntax=" line, duplicate YAML keys, alias bombs), keeps
// the positions of what the user wrote, and reports problems as Errors
// through the same explainer as recipes, so every kiln file reads its
// mistakes back in one style: file:line:col: field: message.
type Document struct{ d *document }

// ParseDocument parses data in the format filename's extension names
// (.cue, .yaml, .yml, .json), without evaluating it; syntax errors are
// Errors.
func ParseDocument(filename string, data []byte) (d *Document, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, Errors{{File: filename, Msg: fmt.Sprintf("internal error while parsing: %v", p)}}
		}
	}()
	doc, errs := decode(filename, data)
	if errs != nil {
		return nil, errs.normalize()
	}
	return &Document{doc}, nil
}

// File is the document's file name as given.
func (d *Document) File() string { return d.d.file }

// Repository reports whether the document is a repository file (a
// top-level recipes field).
func (d *Document) Repository() bool { return d.d.repo }

// Has reports whether the document writes the top-level field name.
func (d *Document) Has(name string) bool {
	if d.d.cue != nil {
		return hasField(d.d.cue.Decls, name)
	}
	top, ok := d.d.expr.(*ast.StructLit)
	return ok && hasField(top.Elts, name)
}

// Build evaluates the document in ctx, unchecked, within the limits
// recipes are evaluated in (see bounded).
func (d *Document) Build(ctx *cue.Context) (cue.Value, error) {
	return bounded(d.d.file, func() (cue.Value, error) {
		if d.d.cue != nil {
			return ctx.BuildFile(d.d.cue), nil
		}
		return ctx.BuildExpr(d.d.expr), nil
	})
}

// Check unifies data, a value built from the document (or a part of it,
// under the same paths), with def, the definition called name (#File: its
// label, which error paths start with), and validates the result as
// recipes are validated: concrete, with every required field. It returns
// the unified value, or every problem positioned in the document's file.
// Fields data has that the user did not write (filled in from elsewhere)
// are reported at their nearest written ancestor.
func (d *Document) Check(def cue.Value, name string, data cue.Value) (cue.Value, error) {
	return bounded(d.d.file, func() (cue.Value, error) {
		u := def.Unify(data)
		if verr := u.Validate(validateOpts...); verr != nil {
			x := &explainer{d: d.d, def: def, prefix: name, data: data}
			return cue.Value{}, x.explainSafely(u, verr)
		}
		return u, nil
	})
}

// Pos is where the value at path ("targets.rm2") was written, or its
// nearest written ancestor; line and column are 1-based.
func (d *Document) Pos(path string) (line, col int) {
	p, _ := (&explainer{d: d.d}).ancestorPos(path)
	return p.line, p.col
}

// ErrorAt is msg about the value at path, positioned where the user wrote
// it (see Pos).
func (d *Document) ErrorAt(path, msg string) *Error {
	line, col := d.Pos(path)
	return &Error{File: d.d.file, Line: line, Col: col, Field: path, Msg: msg}
}

// Path renders path elements (labels, as the user wrote them) as error
// paths: "targets.\"my-board\".env".
func Path(labels ...string) string {
	sels := make([]string, len(labels))
	for i, l := range labels {
		sels[i] = selector(l)
	}
	return join(sels...)
}

func hasField(decls []ast.Decl, name string) bool {
	for _, decl := range decls {
		if f, ok := decl.(*ast.Field); ok {
			if n, _, err := ast.LabelName(f.Label); err == nil && n == name {
				return true
			}
		}
	}
	return false
}
