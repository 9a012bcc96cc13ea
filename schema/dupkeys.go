package schema

import (
	"fmt"

	"cuelang.org/go/cue/ast"
)

// duplicateKeys reports a key given twice in one YAML or JSON mapping.
// Both formats read the second as replacing the first (or CUE would unify
// them and report a confusing conflict); either way the user wrote one of
// them by mistake, so name both lines.
func duplicateKeys(file string, x ast.Expr) Errors {
	var errs Errors
	var walk func(path string, x ast.Expr)
	walk = func(path string, x ast.Expr) {
		switch x := x.(type) {
		case *ast.StructLit:
			seen := map[string]ast.Node{}
			for _, decl := range x.Elts {
				f, ok := decl.(*ast.Field)
				if !ok {
					continue
				}
				name, _, err := ast.LabelName(f.Label)
				if err != nil {
					continue
				}
				p := join(path, selector(name))
				if first, dup := seen[name]; dup {
					pos := f.Pos()
					errs = append(errs, &Error{File: file, Line: pos.Line(), Col: pos.Column(), Field: p,
						Msg: fmt.Sprintf("key %q given twice in this mapping (first at line %d)", name, first.Pos().Line())})
					continue
				}
				seen[name] = f
				walk(p, f.Value)
			}
		case *ast.ListLit:
			for i, e := range x.Elts {
				walk(join(path, fmt.Sprint(i)), e)
			}
		}
	}
	walk("", x)
	return errs.normalize()
}
