package depgraph

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"regexp"

	"github.com/kiln-build/kiln/plan"
)

//go:embed graph.html.tmpl
var pageSource string

var page = template.Must(template.New("graph").Parse(pageSource))

// svgStart finds where the <svg> element starts, after dot's XML prolog,
// doctype and comments, which do not belong inside HTML.
var svgStart = regexp.MustCompile(`<svg[\s>]`)

// HTML is a self-contained page (no external files or scripts) showing
// svg, dot's drawing of g: the cycles named at the top, and a click on a
// job highlighting what it needs and what needs it.
func HTML(g *plan.Graph, svg []byte) ([]byte, error) {
	if loc := svgStart.FindIndex(svg); loc != nil {
		svg = svg[loc[0]:]
	}
	type node struct {
		ID      string `json:"id"`
		Recipe  string `json:"recipe"`
		Version string `json:"version"`
		Target  string `json:"target"`
		Variant string `json:"variant,omitempty"`
		File    string `json:"file"`
		Cycle   bool   `json:"cycle,omitempty"`
	}
	type edge struct {
		From    string `json:"from"`
		To      string `json:"to"`
		Package string `json:"package"`
		Cycle   bool   `json:"cycle,omitempty"`
	}
	var data struct {
		Nodes []node `json:"nodes"`
		Edges []edge `json:"edges"`
	}
	recipes := map[string]bool{}
	for _, n := range g.Nodes {
		data.Nodes = append(data.Nodes, node{n.ID, n.Recipe, n.Version, n.Target, n.Variant, n.File, n.InCycle})
		recipes[n.Recipe] = true
	}
	for _, e := range g.Edges {
		data.Edges = append(data.Edges, edge{e.From, e.To, e.Package, e.InCycle})
	}
	js, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = page.Execute(&b, map[string]any{
		"Recipes": len(recipes), "Jobs": len(g.Nodes), "Edges": len(g.Edges), "Cycles": g.Cycles,
		"SVG":  template.HTML(svg),
		"Data": template.JS(js),
	})
	return b.Bytes(), err
}
