// Package depgraph draws a build's dependency graph (plan.Graph): as
// Graphviz DOT and Mermaid text, as SVG laid out by Graphviz's dot, and as
// a self-contained HTML page around that SVG (kiln graph).
package depgraph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/plan"
)

// Formats are what Render writes.
var Formats = []string{"dot", "svg", "html", "mermaid"}

const (
	cycleColor = "#c62828"
	edgeColor  = "#546e7a"
)

// recipes groups the nodes by recipe, in the graph's order.
func recipes(g *plan.Graph) ([]string, map[string][]plan.Node) {
	var names []string
	by := map[string][]plan.Node{}
	for _, n := range g.Nodes {
		if _, ok := by[n.Recipe]; !ok {
			names = append(names, n.Recipe)
		}
		by[n.Recipe] = append(by[n.Recipe], n)
	}
	return names, by
}

// nodeLabel is a job's label inside its recipe's box: target[, variant].
func nodeLabel(n plan.Node) string {
	if n.Variant == "" {
		return n.Target
	}
	return n.Target + "\n" + n.Variant
}

// DOT writes g for Graphviz: a box per recipe holding a node per target
// (and variant), an arrow from each job to the jobs that need its
// packages, labelled with the package; cycles in red.
func DOT(g *plan.Graph) string {
	var b strings.Builder
	b.WriteString("digraph kiln {\n")
	b.WriteString("\trankdir=LR;\n\tcompound=true;\n")
	b.WriteString("\tgraph [fontname=\"sans-serif\", fontsize=12, style=rounded, color=\"#90a4ae\"];\n")
	b.WriteString("\tnode [fontname=\"sans-serif\", fontsize=11, shape=box, style=\"rounded,filled\", fillcolor=\"#eceff1\", color=\"#78909c\"];\n")
	fmt.Fprintf(&b, "\tedge [fontname=\"sans-serif\", fontsize=9, color=%q, fontcolor=%q];\n", edgeColor, edgeColor)
	if len(g.Cycles) > 0 {
		var lines []string
		for _, c := range g.Cycles {
			lines = append(lines, "cycle: "+strings.Join(c, ", "))
		}
		fmt.Fprintf(&b, "\tlabel=%s;\n\tlabelloc=t;\n\tfontcolor=%q;\n", quote(strings.Join(lines, "\n")), cycleColor)
	}
	names, by := recipes(g)
	for i, r := range names {
		ns := by[r]
		fmt.Fprintf(&b, "\tsubgraph cluster_%d {\n\t\tlabel=%s;\n\t\tid=%s;\n", i, quote(r+" "+ns[0].Version), quote("recipe-"+r))
		if slices.ContainsFunc(ns, func(n plan.Node) bool { return n.InCycle }) {
			fmt.Fprintf(&b, "\t\tcolor=%q;\n\t\tfontcolor=%q;\n", cycleColor, cycleColor)
		}
		for _, n := range ns {
			attrs := fmt.Sprintf("label=%s, id=%s, tooltip=%s", quote(nodeLabel(n)), quote("job-"+n.ID), quote(n.ID))
			if n.InCycle {
				attrs += fmt.Sprintf(", color=%q, fillcolor=\"#ffebee\", penwidth=2", cycleColor)
			}
			if n.Feeds {
				attrs += `, shape=cylinder, fillcolor="#e3f2fd"` // packages from existing feeds
			}
			fmt.Fprintf(&b, "\t\t%s [%s];\n", quote(n.ID), attrs)
		}
		b.WriteString("\t}\n")
	}
	for i, e := range g.Edges {
		attrs := fmt.Sprintf("label=%s, id=%s, tooltip=%s", quote(e.Package), quote(fmt.Sprintf("edge-%d", i)), quote(e.From+" needs "+e.Package))
		if e.InCycle {
			attrs += fmt.Sprintf(", color=%q, fontcolor=%q, penwidth=2", cycleColor, cycleColor)
		}
		fmt.Fprintf(&b, "\t%s -> %s [%s];\n", quote(e.To), quote(e.From), attrs)
	}
	b.WriteString("}\n")
	return b.String()
}

// quote is a DOT string: Go's quoting of " and \, with \n kept as DOT's
// line break.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// Mermaid writes g as a Mermaid flowchart (GitHub and GitLab render it in
// Markdown): a subgraph per recipe, cycles in red.
func Mermaid(g *plan.Graph) string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	id := map[string]string{}
	for i, n := range g.Nodes {
		id[n.ID] = "j" + strconv.Itoa(i)
	}
	names, by := recipes(g)
	for i, r := range names {
		fmt.Fprintf(&b, "  subgraph r%d[%s]\n", i, mermaidText(r+" "+by[r][0].Version))
		for _, n := range by[r] {
			shape := "[%s]"
			if n.Feeds {
				shape = "[(%s)]" // a cylinder: packages from existing feeds
			}
			fmt.Fprintf(&b, "    %s"+shape+"\n", id[n.ID], mermaidText(strings.ReplaceAll(nodeLabel(n), "\n", " ")))
		}
		b.WriteString("  end\n")
	}
	var cyc []string
	for i, e := range g.Edges {
		fmt.Fprintf(&b, "  %s -->|%s| %s\n", id[e.To], mermaidText(e.Package), id[e.From])
		if e.InCycle {
			cyc = append(cyc, strconv.Itoa(i))
		}
	}
	var cycNodes []string
	for _, n := range g.Nodes {
		if n.InCycle {
			cycNodes = append(cycNodes, id[n.ID])
		}
	}
	if len(cycNodes) > 0 {
		fmt.Fprintf(&b, "  classDef cycle stroke:%s,stroke-width:2px,fill:#ffebee\n  class %s cycle\n", cycleColor, strings.Join(cycNodes, ","))
	}
	if len(cyc) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:%s,stroke-width:2px\n", strings.Join(cyc, ","), cycleColor)
	}
	return b.String()
}

// mermaidText quotes a label; Mermaid takes #quot; for a quote.
func mermaidText(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}
