package lock

import (
	"bytes"
	"fmt"
	"strconv"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"

	"github.com/kiln-build/kiln/schema"
)

// cueSource is a source's struct in a CUE recipe.
type cueSource struct{ lit *ast.StructLit }

// splitSyntax separates a leading "# syntax=" line (not CUE) from the rest.
func splitSyntax(data []byte) (head, body []byte) {
	if schema.HasSyntaxLine(data) {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			return data[:i+1], data[i+1:]
		}
	}
	return nil, data
}

func parseCUE(filename string, data []byte) (*ast.File, error) {
	_, body := splitSyntax(data)
	f, err := parser.ParseFile(filename, body, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	return f, nil
}

// cueSources reads the literal sources of a CUE recipe: the top-level
// sources list and per_target's, each a struct literal; computed values
// are left alone.
func cueSources(filename string, data []byte) ([]source, error) {
	f, err := parseCUE(filename, data)
	if err != nil {
		return nil, err
	}
	return cueFileSources(f), nil
}

// cueFileSources are the literal sources of f's recipe, or in a
// repository file of each recipe under recipes:.
func cueFileSources(f *ast.File) []source {
	out := cueRecipeSources(recipeAt{}, f.Decls)
	for _, d := range fields(f.Decls, "recipes") {
		for _, rd := range structFields(d.Value) {
			if key, _, err := ast.LabelName(rd.Label); err == nil {
				out = append(out, cueRecipeSources(repoRecipe(key), structElts(rd.Value))...)
			}
		}
	}
	return out
}

// cueRecipeSources are the literal sources of the recipe decls declare.
func cueRecipeSources(r recipeAt, decls []ast.Decl) []source {
	var out []source
	add := func(path string, v ast.Expr) {
		list, ok := v.(*ast.ListLit)
		if !ok {
			return
		}
		for i, e := range list.Elts {
			lit, ok := e.(*ast.StructLit)
			if !ok {
				continue
			}
			s := r.source(path, i)
			for _, fd := range structFields(lit) {
				if name, _, err := ast.LabelName(fd.Label); err == nil {
					s.values[name] = scalar(fd.Value)
				}
			}
			s.at = insertion{cue: &cueSource{lit: lit}}
			out = append(out, s)
		}
	}
	for _, fd := range fields(decls, "sources") {
		add("sources", fd.Value)
	}
	for _, fd := range fields(decls, "per_target") {
		for _, tf := range structFields(fd.Value) {
			target, _, _ := ast.LabelName(tf.Label)
			for _, sf := range fields(structElts(tf.Value), "sources") {
				add("per_target."+target+".sources", sf.Value)
			}
		}
	}
	return out
}

// fields are the fields of decls named name.
func fields(decls []ast.Decl, name string) []*ast.Field {
	var out []*ast.Field
	for _, d := range decls {
		if fd, ok := d.(*ast.Field); ok {
			if n, _, err := ast.LabelName(fd.Label); err == nil && n == name {
				out = append(out, fd)
			}
		}
	}
	return out
}

// structElts are the declarations of a struct literal, nil for another
// expression.
func structElts(e ast.Expr) []ast.Decl {
	if st, ok := e.(*ast.StructLit); ok {
		return st.Elts
	}
	return nil
}

// structFields are the fields of a struct literal.
func structFields(e ast.Expr) []*ast.Field {
	var out []*ast.Field
	for _, d := range structElts(e) {
		if fd, ok := d.(*ast.Field); ok {
			out = append(out, fd)
		}
	}
	return out
}

// scalar is a literal's value as text ("" for anything else).
func scalar(e ast.Expr) string {
	switch v := e.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(v.Value); err == nil {
			return s
		}
		return v.Value
	case *ast.Ident:
		return v.Name
	}
	return "?"
}

// cueApply adds the pins' fields to their structs and formats the file.
// Find and Apply parse the file separately, so the pins are matched to
// the structs again by field path.
func cueApply(filename string, data []byte, pins []*Pin) ([]byte, error) {
	f, err := parseCUE(filename, data)
	if err != nil {
		return nil, err
	}
	byField := map[string]*ast.StructLit{}
	for _, s := range cueFileSources(f) {
		byField[s.field] = s.at.cue.lit
	}
	for _, p := range pins {
		lit := byField[p.Field]
		if lit == nil {
			return nil, fmt.Errorf("%s: %s is no longer a literal source", filename, p.Field)
		}
		lit.Elts = append(lit.Elts, &ast.Field{Label: ast.NewIdent(p.Kind), Value: ast.NewString(p.Value)})
	}
	out, err := format.Node(f, format.Simplify())
	if err != nil {
		return nil, fmt.Errorf("%s: formatting: %w", filename, err)
	}
	head, _ := splitSyntax(data)
	return append(append([]byte(nil), head...), out...), nil
}
