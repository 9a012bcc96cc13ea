package schema

import (
	"regexp"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
)

// descriptions are what editors show for each field: the words kiln's
// own errors use (@kiln expect, elem and key: "a Debian version ..."),
// by definition and field path ("RecipeBody/version"). Fields without
// them keep their doc comment, which CUE's encoder already made the
// description.
func descriptions(f *ast.File) map[string]string {
	out := map[string]string{}
	var visit func(s *ast.StructLit, path string)
	visit = func(s *ast.StructLit, path string) {
		for _, d := range s.Elts {
			fl, ok := d.(*ast.Field)
			if !ok {
				continue
			}
			name, _, err := ast.LabelName(fl.Label)
			if err != nil {
				continue
			}
			p := path + "/" + name
			if desc := fieldDescription(fl); desc != "" {
				out[p] = desc
			}
			if v, ok := fl.Value.(*ast.StructLit); ok {
				visit(v, p)
			}
		}
	}
	for _, d := range f.Decls {
		fl, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		name, _, err := ast.LabelName(fl.Label)
		if v, isStruct := fl.Value.(*ast.StructLit); err == nil && isStruct && strings.HasPrefix(name, "#") {
			visit(v, strings.TrimPrefix(name, "#"))
		}
	}
	return out
}

var attrArg = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

func fieldDescription(f *ast.Field) string {
	var parts []string
	for _, a := range f.Attrs {
		key, body := a.Split()
		if key != "kiln" {
			continue
		}
		for _, m := range attrArg.FindAllStringSubmatch(body, -1) {
			v, err := strconv.Unquote(`"` + m[2] + `"`)
			if err != nil {
				continue
			}
			switch m[1] {
			case "expect":
				parts = append(parts, strings.ToUpper(v[:1])+v[1:]+".")
			case "elem":
				parts = append(parts, "Each one: "+v+".")
			case "key":
				parts = append(parts, "Names: "+v+".")
			}
		}
	}
	return strings.Join(parts, " ")
}

// describe sets the descriptions on the definitions' properties.
func describe(defs map[string]any, desc map[string]string) {
	for path, d := range desc {
		segs := strings.Split(path, "/")
		node, _ := defs[segs[0]].(map[string]any)
		for _, s := range segs[1:] {
			props, _ := node["properties"].(map[string]any)
			node, _ = props[s].(map[string]any)
		}
		if node != nil {
			node["description"] = d
		}
	}
}
