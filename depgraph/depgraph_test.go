package depgraph

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/golden"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/plan"
)

// sample: app needs lib; a and b need each other; the "quoted" recipe's
// variant has characters DOT and Mermaid must quote.
func sample() *plan.Graph {
	return &plan.Graph{
		Nodes: []plan.Node{
			{ID: "lib/armv7", Recipe: "lib", Version: "1.0-1", Target: "armv7", File: "lib/kiln.yaml"},
			{ID: "app/armv7/mode-debug", Recipe: "app", Version: "2.0-1", Target: "armv7", Variant: "mode-debug", File: "app/kiln.yaml"},
			{ID: "a/x86_64", Recipe: "a", Version: "1", Target: "x86_64", File: "a/kiln.cue", InCycle: true},
			{ID: "b/x86_64", Recipe: "b", Version: "1", Target: "x86_64", File: "b/kiln.cue", InCycle: true},
			{ID: `q/x86_64/say-"hi"`, Recipe: "q", Version: "1", Target: "x86_64", Variant: `say-"hi"`, File: "q/kiln.cue"},
		},
		Edges: []plan.Edge{
			{From: "app/armv7/mode-debug", To: "lib/armv7", Package: "lib-dev"},
			{From: "a/x86_64", To: "b/x86_64", Package: "b", InCycle: true},
			{From: "b/x86_64", To: "a/x86_64", Package: "a", InCycle: true},
		},
		Cycles: [][]string{{"a/x86_64", "b/x86_64"}},
	}
}

func TestDOT(t *testing.T)     { golden.Compare(t, "sample.dot", DOT(sample())) }
func TestMermaid(t *testing.T) { golden.Compare(t, "sample.mmd", Mermaid(sample())) }

// TestSVGAndHTML: dot lays the graph out with one node per job, one edge
// per dependency, the ids the page's script finds them by; the page holds
// the drawing and the data, and nothing from elsewhere.
func TestSVGAndHTML(t *testing.T) {
	testtool.Need(t, "dot")
	g := sample()
	svg, err := SVG(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(svg), `class="node"`); n != len(g.Nodes) {
		t.Errorf("%d nodes in the SVG, want %d", n, len(g.Nodes))
	}
	if n := strings.Count(string(svg), `class="edge"`); n != len(g.Edges) {
		t.Errorf("%d edges in the SVG, want %d", n, len(g.Edges))
	}
	// dot writes '-' in ids as &#45;, which the browser reads back.
	text := html.UnescapeString(string(svg))
	for _, id := range []string{`id="job-lib/armv7"`, `id="edge-2"`, `id="recipe-app"`, `id="job-q/x86_64/say-"hi""`} {
		if !strings.Contains(text, id) {
			t.Errorf("SVG lacks %s", id)
		}
	}
	page, err := Render(context.Background(), g, "html")
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if !strings.HasPrefix(s, "<!DOCTYPE html>") || strings.Contains(s, "<?xml") || strings.Contains(s, "<!DOCTYPE svg") {
		t.Error("the SVG's prolog is inside the page")
	}
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(s) {
		t.Error("the page loads something from elsewhere")
	}
	if !strings.Contains(s, "a/x86_64 ↔ b/x86_64") || !strings.Contains(s, `"package":"lib-dev"`) {
		t.Error("the page lacks the cycle or the data")
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := Render(context.Background(), sample(), "png"); err == nil || !strings.Contains(err.Error(), "dot, svg, html, mermaid") {
		t.Errorf("png: %v", err)
	}
}

// TestNoDot: without Graphviz, svg and html say what to install; dot and
// mermaid need nothing.
func TestNoDot(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, f := range []string{"svg", "html"} {
		if _, err := Render(context.Background(), sample(), f); err != ErrNoDot {
			t.Errorf("%s without dot: %v", f, err)
		}
	}
	for _, f := range []string{"dot", "mermaid"} {
		if _, err := Render(context.Background(), sample(), f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
