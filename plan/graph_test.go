package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/schema"
)

// TestGraphDrawsCycles: where New refuses a cycle, NewGraph keeps it and
// marks the jobs and dependencies in it, and only those.
func TestGraphDrawsCycles(t *testing.T) {
	rs := options(recipe("a", "1", "host:b"), recipe("b", "1", "host:c"), recipe("c", "1", "host:a"), recipe("d", "1", "host:a"), recipe("self", "1", "host:self"))
	if _, err := New(rs); err == nil || !strings.Contains(err.Error(), "dependency cycle") {
		t.Fatalf("New: %v", err)
	}
	g, err := NewGraph(rs)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Nodes) != 10 {
		t.Errorf("%d nodes, want 10 (5 recipes x 2 targets)", len(g.Nodes))
	}
	var cycles []string
	for _, c := range g.Cycles {
		cycles = append(cycles, strings.Join(c, " "))
	}
	want := []string{"a/x86_64 b/x86_64 c/x86_64", "a/armv7 b/armv7 c/armv7", "self/x86_64", "self/armv7"}
	if fmt.Sprint(cycles) != fmt.Sprint(want) {
		t.Errorf("cycles %q, want %q", cycles, want)
	}
	for _, n := range g.Nodes {
		if n.InCycle != !strings.HasPrefix(n.ID, "d/") {
			t.Errorf("%s: in a cycle %v", n.ID, n.InCycle)
		}
	}
	var edges []string
	for _, e := range g.Edges {
		edges = append(edges, fmt.Sprintf("%s->%s(%s,%v)", e.From, e.To, e.Package, e.InCycle))
	}
	for _, w := range []string{"a/armv7->b/armv7(b,true)", "c/x86_64->a/x86_64(a,true)", "d/x86_64->a/x86_64(a,false)", "self/armv7->self/armv7(self,true)"} {
		if !strings.Contains(strings.Join(edges, " "), w) {
			t.Errorf("edges %v lack %s", edges, w)
		}
	}
	if len(edges) != 10 {
		t.Errorf("%d edges, want 10: %v", len(edges), edges)
	}
}

// TestGraphOfABuild: without a cycle, the graph has New's jobs and its
// dependencies, none marked.
func TestGraphOfABuild(t *testing.T) {
	o := options(recipe("app", "1.0-1", "host:lib"), recipe("lib", "1.0-1"))
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGraph(o)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range g.Nodes {
		ids = append(ids, n.ID)
		if n.InCycle || n.Version != "1.0-1" || n.File == "" {
			t.Errorf("node %+v", n)
		}
	}
	if strings.Join(ids, " ") != strings.Join(p.IDs, " ") {
		t.Errorf("nodes %v, plan %v", ids, p.IDs)
	}
	if len(g.Edges) != 2 || len(g.Cycles) != 0 || g.Edges[0].From != "app/x86_64" || g.Edges[0].To != "lib/x86_64" {
		t.Errorf("edges %+v cycles %v", g.Edges, g.Cycles)
	}
}

// TestGraphDrawsFeeds: a host: dependency that only a feed provides is an
// edge to the node of the target's feeds.
func TestGraphDrawsFeeds(t *testing.T) {
	app := recipe("app", "1.0-1", "host:libbar >= 2.0")
	app.Feeds = []schema.Feed{{URL: "http://127.0.0.1:1/armv7/Packages.gz", SHA256: strings.Repeat("ab", 32), Arch: "armv7"}}
	app.Targets = []string{"armv7"}
	g, err := NewGraph(options(app))
	if err != nil {
		t.Fatal(err)
	}
	var feeds []Node
	for _, n := range g.Nodes {
		if n.Feeds {
			feeds = append(feeds, n)
		}
	}
	if len(feeds) != 1 || feeds[0].ID != FeedsRecipe+"/armv7" || feeds[0].Target != "armv7" {
		t.Fatalf("feed nodes %+v", feeds)
	}
	if len(g.Edges) != 1 || g.Edges[0] != (Edge{From: "app/armv7", To: FeedsRecipe + "/armv7", Package: "libbar"}) {
		t.Errorf("edges %+v", g.Edges)
	}
}
