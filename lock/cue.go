package lock

import (
	"bytes"
	"fmt"
	"strconv"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
)

// cueSource is a source's struct in a CUE recipe.
type cueSource struct{ lit *ast.StructLit }

// splitSyntax separates a leading "# syntax=" line (not CUE) from the rest.
func splitSyntax(data []byte) (head, body []byte) {
	if bytes.HasPrefix(data, []byte("#")) {
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

func cueFileSources(f *ast.File) []source {
	var out []source
	add := func(prefix string, v ast.Expr) {
		list, ok := v.(*ast.ListLit)
		if !ok {
			return
		}
		for i, e := range list.Elts {
			lit, ok := e.(*ast.StructLit)
			if !ok {
				continue
			}
			s := source{field: prefix + "sources." + strconv.Itoa(i), values: map[string]string{}}
			for _, d := range lit.Elts {
				if fd, ok := d.(*ast.Field); ok {
					if name, _, err := ast.LabelName(fd.Label); err == nil {
						s.values[name] = scalar(fd.Value)
					}
				}
			}
			s.at = insertion{cue: &cueSource{lit: lit}}
			out = append(out, s)
		}
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		name, _, _ := ast.LabelName(fd.Label)
		switch name {
		case "sources":
			add("", fd.Value)
		case "per_target":
			st, ok := fd.Value.(*ast.StructLit)
			if !ok {
				continue
			}
			for _, td := range st.Elts {
				tf, ok := td.(*ast.Field)
				if !ok {
					continue
				}
				target, _, _ := ast.LabelName(tf.Label)
				if ts, ok := tf.Value.(*ast.StructLit); ok {
					for _, sd := range ts.Elts {
						if sf, ok := sd.(*ast.Field); ok {
							if n, _, _ := ast.LabelName(sf.Label); n == "sources" {
								add("per_target."+target+".", sf.Value)
							}
						}
					}
				}
			}
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
