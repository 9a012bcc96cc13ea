package importer

import (
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
	yaml "go.yaml.in/yaml/v3"
)

// Map is an ordered mapping. Recipes keep the order of the README's field
// reference (name, version, summary, ...), which a Go map would lose, so
// an import reads like a recipe written by hand and re-imports give the
// same bytes.
type Map []Field

// Field is one key of a Map. Value is a string, int, bool, []string,
// []any or Map.
type Field struct {
	Key   string
	Value any
}

// Set replaces key's value or appends the key.
func (m *Map) Set(key string, v any) {
	for i := range *m {
		if (*m)[i].Key == key {
			(*m)[i].Value = v
			return
		}
	}
	*m = append(*m, Field{key, v})
}

// Get returns key's value, or nil.
func (m Map) Get(key string) any {
	for _, f := range m {
		if f.Key == key {
			return f.Value
		}
	}
	return nil
}

// Delete removes key.
func (m *Map) Delete(key string) {
	for i := range *m {
		if (*m)[i].Key == key {
			*m = append((*m)[:i], (*m)[i+1:]...)
			return
		}
	}
}

// CUE renders m as a CUE file through CUE's own syntax tree and
// formatter; header lines become a leading comment.
func CUE(m Map, header []string) ([]byte, error) {
	f := &ast.File{}
	for _, fl := range m {
		f.Decls = append(f.Decls, cueField(fl, 0))
	}
	if len(header) > 0 && len(f.Decls) > 0 {
		cg := &ast.CommentGroup{Doc: true}
		for _, h := range header {
			cg.List = append(cg.List, &ast.Comment{Text: "// " + h})
		}
		ast.AddComment(f.Decls[0], cg)
	}
	return format.Node(f, format.Simplify())
}

func cueField(f Field, depth int) *ast.Field {
	var label ast.Label = ast.NewString(f.Key)
	if ast.IsValidIdent(f.Key) && !strings.HasPrefix(f.Key, "_") && !strings.HasPrefix(f.Key, "#") {
		label = ast.NewIdent(f.Key)
	}
	return &ast.Field{Label: label, Value: cueExpr(f.Value, depth)}
}

func cueExpr(v any, depth int) ast.Expr {
	switch v := v.(type) {
	case string:
		// Multi-line strings (scripts) as CUE's """ strings, indented one
		// tab more than their field, which is where the formatter puts them.
		return &ast.BasicLit{Kind: token.STRING, Value: literal.String.WithOptionalTabIndent(depth + 1).Quote(v)}
	case int:
		return ast.NewLit(token.INT, strconv.Itoa(v))
	case bool:
		return ast.NewBool(v)
	case []string:
		l := &ast.ListLit{}
		for _, s := range v {
			l.Elts = append(l.Elts, cueExpr(s, depth+1))
		}
		return l
	case []any:
		l := &ast.ListLit{}
		for _, e := range v {
			l.Elts = append(l.Elts, cueExpr(e, depth+1))
		}
		return l
	case Map:
		s := &ast.StructLit{}
		for _, f := range v {
			s.Elts = append(s.Elts, cueField(f, depth+1))
		}
		return s
	}
	panic(fmt.Sprintf("importer: no CUE form for %T", v))
}

// YAML renders m as a YAML document; header lines become a comment.
func YAML(m Map, header []string) ([]byte, error) {
	n := yamlNode(m)
	if len(header) > 0 {
		n.HeadComment = "# " + strings.Join(header, "\n# ")
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func yamlNode(v any) *yaml.Node {
	switch v := v.(type) {
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
		if strings.Contains(v, "\n") {
			n.Style = yaml.LiteralStyle
		}
		return n
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case []string:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range v {
			n.Content = append(n.Content, yamlNode(s))
			if strings.Contains(s, "\n") {
				n.Style = 0
			}
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range v {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case Map:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, f := range v {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: f.Key}, yamlNode(f.Value))
		}
		return n
	}
	panic(fmt.Sprintf("importer: no YAML form for %T", v))
}
