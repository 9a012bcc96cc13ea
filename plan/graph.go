package plan

import (
	"slices"
)

// cycleError is a dependency cycle found while compiling.
type cycleError struct{ msg string }

func (e *cycleError) Error() string { return e.msg }

// edge is one dependency between jobs: from needs pkg, built by to.
type edge struct {
	from, to key
	pkg      string
}

// Graph is the dependency graph of a build's jobs, for drawing (kiln
// graph). Unlike New, NewGraph goes on past dependency cycles, so a cycle
// can be drawn and seen.
type Graph struct {
	Nodes []Node
	Edges []Edge
	// Cycles are the sets of jobs (IDs) that depend on each other, each
	// sorted, in order of their first job.
	Cycles [][]string
}

// Node is one job: a recipe built for a target (and variant); or, with
// Feeds set, the repository's feeds serving a target, which provide the
// host: dependencies no recipe of the build produces.
type Node struct {
	ID, Recipe, Version, Target, Variant string
	File                                 string // the recipe's file
	InCycle                              bool
	Feeds                                bool
}

// FeedsRecipe is the Recipe of the feed nodes, which no recipe name can be
// (names are lowercase letters, digits and + - .).
const FeedsRecipe = "(feeds)"

// feedsKey is the node of target t's feeds.
func feedsKey(t string) key { return key{recipe: FeedsRecipe, target: t} }

// Edge says job From needs package Package, which job To builds (a host:
// makedependency, a runtime dependency its install tests install, or a
// test requirement).
type Edge struct {
	From, To, Package string
	InCycle           bool
}

// NewGraph plans o as New does and returns the jobs and their
// dependencies; a dependency closing a cycle is kept and marked.
func NewGraph(o Options) (*Graph, error) {
	p, keys, _, err := plan(o, true)
	if err != nil {
		return nil, err
	}
	g := &Graph{}
	ids := map[string]bool{}
	add := func(k key) {
		if ids[k.id()] {
			return
		}
		ids[k.id()] = true
		j := p.jobs[k]
		n := Node{ID: k.id(), Recipe: k.recipe, Target: k.target, Variant: k.variant, Feeds: k.recipe == FeedsRecipe}
		if j != nil {
			n.Version, n.File = j.Recipe.Version, j.Recipe.File
		}
		g.Nodes = append(g.Nodes, n)
	}
	for _, k := range keys {
		add(k)
	}
	seen := map[edge]bool{}
	for _, e := range p.edges {
		if seen[e] {
			continue
		}
		seen[e] = true
		add(e.from)
		add(e.to)
		g.Edges = append(g.Edges, Edge{From: e.from.id(), To: e.to.id(), Package: e.pkg})
	}
	g.markCycles()
	return g, nil
}

// markCycles finds the strongly connected components of more than one job
// (or a job needing itself), Tarjan's way, and marks their nodes and the
// edges inside them.
func (g *Graph) markCycles() {
	out := map[string][]string{}
	for _, e := range g.Edges {
		out[e.From] = append(out[e.From], e.To)
	}
	index, low, onStack := map[string]int{}, map[string]int{}, map[string]bool{}
	var stack []string
	comp := map[string]int{}
	var sccs [][]string
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = len(index), len(index)
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range out[v] {
			if _, ok := index[w]; !ok {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var scc []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp[w] = len(sccs)
			scc = append(scc, w)
			if w == v {
				break
			}
		}
		sccs = append(sccs, scc)
	}
	for _, n := range g.Nodes {
		if _, ok := index[n.ID]; !ok {
			visit(n.ID)
		}
	}
	cyclic := map[int]bool{}
	for i, e := range g.Edges {
		if comp[e.From] == comp[e.To] {
			g.Edges[i].InCycle = true
			cyclic[comp[e.From]] = true
		}
	}
	for i, n := range g.Nodes {
		g.Nodes[i].InCycle = cyclic[comp[n.ID]]
	}
	for c := range sccs {
		if cyclic[c] {
			g.Cycles = append(g.Cycles, slices.Sorted(slices.Values(sccs[c])))
		}
	}
	slices.SortFunc(g.Cycles, func(a, b []string) int { return g.order(a[0]) - g.order(b[0]) })
}

func (g *Graph) order(id string) int {
	return slices.IndexFunc(g.Nodes, func(n Node) bool { return n.ID == id })
}
