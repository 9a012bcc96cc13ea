package scaffold

import (
	"bytes"
	"fmt"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
	"go.yaml.in/yaml/v3"
)

// renderCUE writes r as a CUE file, formatted by CUE's formatter.
func renderCUE(r obj) ([]byte, error) {
	f := &ast.File{}
	for _, fl := range r {
		f.Decls = append(f.Decls, cueField(fl))
	}
	return format.Node(f, format.Simplify())
}

func cueField(fl field) *ast.Field {
	f := &ast.Field{Label: ast.NewIdent(fl.key), Value: cueValue(fl.value)}
	if !ast.IsValidIdent(fl.key) {
		f.Label = ast.NewString(fl.key)
	}
	if fl.comment != "" {
		cg := &ast.CommentGroup{Doc: true}
		for _, l := range strings.Split(fl.comment, "\n") {
			cg.List = append(cg.List, &ast.Comment{Text: "// " + l})
		}
		ast.AddComment(f, cg)
	}
	return f
}

func cueValue(v any) ast.Expr {
	switch x := v.(type) {
	case string:
		return ast.NewString(x)
	case block:
		// A CUE multi-line string ends at its last line (YAML's | keeps
		// the newline).
		return &ast.BasicLit{Kind: token.STRING, Value: literal.String.WithTabIndent(1).Quote(strings.TrimSuffix(string(x), "\n"))}
	case []string:
		l := &ast.ListLit{}
		for _, s := range x {
			l.Elts = append(l.Elts, ast.NewString(s))
		}
		return l
	case []any:
		l := &ast.ListLit{}
		for _, e := range x {
			l.Elts = append(l.Elts, cueValue(e))
		}
		return l
	case obj:
		s := &ast.StructLit{}
		for _, fl := range x {
			s.Elts = append(s.Elts, cueField(fl))
		}
		if _, scalar := x[0].value.(string); len(x) == 1 && scalar && x[0].comment == "" {
			// {path: "src"} on one line, as YAML's flow style.
			s.Lbrace, s.Rbrace = token.Blank.Pos(), token.Blank.Pos()
			ast.SetRelPos(s.Elts[0], token.Blank)
		}
		return s
	}
	panic(fmt.Sprintf("scaffold: no CUE for %T", v))
}

// renderYAML writes r as YAML, the first line naming the JSON Schema
// for the YAML language server.
func renderYAML(r obj, schemaRef string) ([]byte, error) {
	var buf bytes.Buffer
	if schemaRef != "" {
		fmt.Fprintf(&buf, "# yaml-language-server: $schema=%s\n\n", schemaRef)
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(yamlValue(r)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func yamlValue(v any) *yaml.Node {
	switch x := v.(type) {
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x}
	case block:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(x), Style: yaml.LiteralStyle}
	case []string:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range x {
			n.Content = append(n.Content, yamlValue(s))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range x {
			n.Content = append(n.Content, yamlValue(e))
		}
		return n
	case obj:
		n := &yaml.Node{Kind: yaml.MappingNode}
		flow := true
		for _, fl := range x {
			if _, ok := fl.value.(string); !ok || fl.comment != "" {
				flow = false
			}
			k := &yaml.Node{Kind: yaml.ScalarNode, Value: fl.key}
			if fl.comment != "" {
				k.HeadComment = "# " + strings.ReplaceAll(fl.comment, "\n", "\n# ")
			}
			n.Content = append(n.Content, k, yamlValue(fl.value))
		}
		if flow && len(x) == 1 {
			n.Style = yaml.FlowStyle
		}
		return n
	}
	panic(fmt.Sprintf("scaffold: no YAML for %T", v))
}
