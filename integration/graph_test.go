package integration

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestGraphInChromium: kiln graph --format html of the examples, and of
// a repository with a cycle, rendered in headless Chromium: one drawn
// node per job, a click on a job highlighting exactly what it needs and
// what needs it, the search box marking jobs, the cycle named and red.
func TestGraphInChromium(t *testing.T) {
	requireIntegration(t)
	root := repoRoot(t)
	dir := t.TempDir()
	examples, _ := filepath.Glob(filepath.Join(root, "examples", "*"))
	page := filepath.Join(dir, "examples.html")
	kilnAt(t, root, append(append([]string{"graph"}, examples...), "--format", "html", "-o", page)...)
	files := map[string]string{}
	for name, body := range map[string]string{"x": "host:y", "y": "host:x", "z": "host:x"} {
		files["cyclic/"+name+"/kiln.yaml"] = "name: " + name + "\nversion: 1.0-1\nsummary: " + name +
			"\nlicense: MIT\nmaintainer: Kiln Tests <tests@example.org>\ntimestamp: 2024-05-01\ntargets: [x86_64]\nmakedepends: [" + body + "]\n"
	}
	writeFiles(t, dir, files)
	cyclic := filepath.Join(dir, "cyclic.html")
	kilnAt(t, dir, "graph", "cyclic", "--format", "html", "-o", cyclic)

	const width, height = 1400, 1000
	b := startBrowser(t, width, height)
	shots := screenshotDir(t)
	b.navigate("file://" + page)
	var got struct{ Nodes, Jobs, Edges, Deps int }
	b.eval(`({nodes: document.querySelectorAll("#graph g.node").length,
		jobs: JSON.parse(document.getElementById("data").textContent).nodes.length,
		edges: document.querySelectorAll("#graph g.edge").length,
		deps: JSON.parse(document.getElementById("data").textContent).edges.length})`, &got)
	// 3 targets x (greet, hello, libgreet) + 6 greeter (2 variants) +
	// filesize, motd, rmutil, rmsplash x 2 (and any example added since).
	if got.Jobs < 20 || got.Nodes != got.Jobs || got.Edges != got.Deps || got.Deps == 0 {
		t.Errorf("drawn %d nodes and %d edges for %d jobs and %d dependencies, want 20 jobs or more, each drawn", got.Nodes, got.Edges, got.Jobs, got.Deps)
	}
	full := b.screenshot()
	save(t, shots, "graph-examples.png", full)

	// Click greeter's armv7 release job where it is drawn.
	var at struct{ X, Y float64 }
	// The examples' graph may be larger than the window: bring the job into view first.
	b.eval(`(() => { const e = document.getElementById("job-greeter/armv7/mode-release"); e.scrollIntoView({block: "center", inline: "center"}); const r = e.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()`, &at)
	b.click(at.X, at.Y)
	var sel struct {
		Selected string
		Lit      []string
		Details  string
	}
	b.eval(`({selected: document.getElementById("details").dataset.selected,
		lit: Array.from(document.querySelectorAll("#graph g.node:not(.dim)")).map(n => n.id).sort(),
		details: document.getElementById("details").textContent})`, &sel)
	if sel.Selected != "greeter/armv7/mode-release" || strings.Join(sel.Lit, " ") != "job-greeter/armv7/mode-release job-libgreet/armv7" {
		t.Errorf("after clicking greeter armv7 release: selected %q, highlighted %v", sel.Selected, sel.Lit)
	}
	if !strings.Contains(sel.Details, "libgreet/armv7 (libgreet-dev)") || !strings.Contains(sel.Details, "Needed bynothing") {
		t.Errorf("details: %q", sel.Details)
	}
	clicked := b.screenshot()
	save(t, shots, "graph-examples-selected.png", clicked)
	if fade := inkOf(t, full) - inkOf(t, clicked); fade < 1000 {
		t.Errorf("the unrelated jobs did not fade (%d fewer dark pixels)", fade)
	}
	// Typing into the search box marks the jobs whose name has every word.
	b.eval(`document.getElementById("search").focus()`, nil)
	b.typeText("rmsplash")
	var marked []string
	b.eval(`Array.from(document.querySelectorAll("#graph g.node.match")).map(n => n.id).sort()`, &marked)
	if strings.Join(marked, " ") != "job-rmsplash/rm1 job-rmsplash/rm2" {
		t.Errorf("search rmsplash marks %v", marked)
	}

	b.navigate("file://" + cyclic)
	var cyc struct {
		Cycles []string
		Red    int
	}
	b.eval(`({cycles: Array.from(document.querySelectorAll("#cycles li")).map(l => l.textContent),
		red: Array.from(document.querySelectorAll("#graph g.node polygon, #graph g.node path")).filter(p => p.getAttribute("stroke") === "#c62828").length})`, &cyc)
	if strings.Join(cyc.Cycles, "|") != "x/x86_64 ↔ y/x86_64" || cyc.Red != 2 {
		t.Errorf("cyclic repository: cycles %q, %d red jobs (want x and y)", cyc.Cycles, cyc.Red)
	}
	shot := b.screenshot()
	save(t, shots, "graph-cycle.png", shot)
	if n := redPixels(t, shot); n < 300 {
		t.Errorf("the cycle page shows %d red pixels", n)
	}
	if n := redPixels(t, full); n > 0 {
		t.Errorf("the examples, without a cycle, show %d red pixels", n)
	}
}

func inkOf(t *testing.T, png []byte) int { return ink(t, png, 0) }

// redPixels counts pixels near the graph's cycle red (#c62828).
func redPixels(t *testing.T, png []byte) int {
	img := decodePNG(t, png)
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			c := rgb(img.At(x, y))
			if c[0] > 160 && c[1] < 90 && c[2] < 90 {
				n++
			}
		}
	}
	return n
}
