package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
	"cuelang.org/go/encoding/openapi"
)

// SchemaID is the $id of the exported JSON Schema.
const SchemaID = "https://kiln.invalid/schema/recipe.json"

// CUE returns the embedded recipe schema, the source of truth.
func CUE() []byte { return slices.Clone(schemaSource) }

// JSONSchema exports the recipe schema as a JSON Schema (draft 2020-12)
// for editors and other tools that read YAML and JSON recipes. The
// encoding is CUE's own (encoding/openapi); kiln only relaxes what JSON
// Schema cannot say first (see relax) and moves OpenAPI's components into
// $defs. What is relaxed is still checked by kiln validate: the schema
// accepts a little more than kiln does, never less.
func JSONSchema() ([]byte, error) {
	f, err := parser.ParseFile("recipe.cue", schemaSource, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("parsing the embedded schema: %w", err)
	}
	relax(f)
	// Printed and compiled afresh, so the rewritten references resolve.
	src, err := format.Node(f)
	if err != nil {
		return nil, fmt.Errorf("printing the relaxed schema: %w", err)
	}
	v := cuecontext.New().CompileBytes(src, cue.Filename("recipe.cue"))
	oa, err := openapi.Gen(v, &openapi.Config{})
	if err != nil {
		return nil, fmt.Errorf("encoding the schema: %w", err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(oa, &doc); err != nil {
		return nil, fmt.Errorf("reading the encoded schema: %w", err)
	}
	return json.MarshalIndent(toJSONSchema(doc.Components.Schemas, descriptions(f)), "", "  ")
}

// relax rewrites the parsed schema into what JSON Schema can say, only
// ever accepting more:
//   - a field inside a comprehension (if url != _|_ {sha256!: ...}) is
//     hoisted into its struct as optional: the conditions (one kind of
//     source, sha256 only with url) are left to kiln validate;
//   - fields whose value is error(...) (forbidden in that case) go;
//   - map labels ([#Name]: X) become [string]: X, as the encoder writes
//     only the latter (as additionalProperties);
//   - [X, ...X] (non-empty) becomes [...X], which the encoder would
//     otherwise write as a tuple;
//   - != "lit" becomes !~ "^lit$", which it can write.
func relax(f *ast.File) {
	astutil.Apply(f, nil, func(c astutil.Cursor) bool {
		switch x := c.Node().(type) {
		case *ast.StructLit:
			x.Elts = relaxElts(x.Elts)
		case *ast.ListLit:
			if e := nonEmptyList(x); e != nil {
				c.Replace(e)
			}
		case *ast.UnaryExpr:
			if lit, ok := x.X.(*ast.BasicLit); ok && x.Op == token.NEQ && lit.Kind == token.STRING {
				if s, err := literal.Unquote(lit.Value); err == nil {
					c.Replace(&ast.UnaryExpr{Op: token.NMAT, X: ast.NewString("^" + regexp.QuoteMeta(s) + "$")})
				}
			}
		case *ast.Field:
			if l, ok := x.Label.(*ast.ListLit); ok && len(l.Elts) == 1 {
				x.Label = &ast.ListLit{Elts: []ast.Expr{ast.NewIdent("string")}}
			}
		}
		return true
	})
}

// relaxElts drops forbidden fields and hoists the fields of comprehensions.
func relaxElts(elts []ast.Decl) []ast.Decl {
	seen := map[string]bool{}
	for _, d := range elts {
		if f, ok := d.(*ast.Field); ok {
			if name, _, err := ast.LabelName(f.Label); err == nil {
				seen[name] = true
			}
		}
	}
	var out []ast.Decl
	for _, d := range elts {
		switch x := d.(type) {
		case *ast.Field:
			if !isErrorCall(x.Value) {
				out = append(out, x)
			}
		case *ast.Comprehension:
			body, ok := x.Value.(*ast.StructLit)
			if !ok {
				continue
			}
			for _, e := range relaxElts(body.Elts) {
				f, ok := e.(*ast.Field)
				if !ok {
					continue
				}
				name, _, err := ast.LabelName(f.Label)
				if err != nil || seen[name] {
					continue
				}
				seen[name] = true
				f.Constraint = token.OPTION
				out = append(out, f)
			}
		default:
			out = append(out, d)
		}
	}
	return out
}

func isErrorCall(e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := c.Fun.(*ast.Ident)
	return ok && id.Name == "error"
}

// nonEmptyList returns [...X] for [X, ...X], else nil.
func nonEmptyList(l *ast.ListLit) ast.Expr {
	if len(l.Elts) != 2 {
		return nil
	}
	el, ok := l.Elts[1].(*ast.Ellipsis)
	if !ok || el.Type == nil {
		return nil
	}
	a, err1 := format.Node(l.Elts[0])
	b, err2 := format.Node(el.Type)
	if err1 != nil || err2 != nil || string(a) != string(b) {
		return nil
	}
	return &ast.ListLit{Elts: []ast.Expr{&ast.Ellipsis{Type: el.Type}}}
}
