package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/buildkitd"
)

// TestBuildReportInChromium: kiln build --report of a recipe whose build
// step runs for real (a new nonce each time, then a sleep of 5 s) beside
// a cached example. The JSON names that step among the slowest and on the critical
// path, with cache hits and misses; the HTML page of the same build,
// rendered in headless Chromium, draws one timeline bar per step run and
// lists the same slowest steps.
func TestBuildReportInChromium(t *testing.T) {
	requireIntegration(t)
	dir := t.TempDir()
	nonce := strconv.FormatInt(time.Now().UnixNano(), 10)
	writeFiles(t, dir, map[string]string{"slow/kiln.yaml": `name: slow
version: 1.0-1
summary: Takes its time
license: MIT
maintainer: Kiln Tests <tests@example.org>
timestamp: 2024-05-01
targets: [noarch]
build: |
  echo ` + nonce + ` > nonce
  sleep 5
package: install -D -m 0644 nonce "$pkgdir/usr/share/slow/nonce"
`})
	jsonFile, page := filepath.Join(dir, "report.json"), filepath.Join(dir, "report.html")
	mustKiln(t, nil, "build", filepath.Join(dir, "slow"), "examples/motd", "-o", filepath.Join(dir, "out"), "--progress", "plain",
		"--report", jsonFile, "--report", page)

	var rep struct {
		Duration float64 `json:"duration_s"`
		Steps    []struct {
			Name, Cache, Daemon string
			Duration            float64 `json:"duration_s"`
			Started             *time.Time
		}
		Slowest      []int
		CriticalPath []int   `json:"critical_path"`
		CriticalTime float64 `json:"critical_path_s"`
	}
	data, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	// On a shared machine another step (a toolchain the daemon lost) may
	// be slower still: the slow step is among the slowest, with its time.
	const slowStep = "slow [noarch] build"
	slow := -1
	for _, i := range rep.Slowest {
		if rep.Steps[i].Name == slowStep {
			slow = i
		}
	}
	if slow < 0 || rep.Steps[slow].Duration < 5 || rep.Steps[slow].Cache != "miss" {
		t.Fatalf("slowest steps %v lack %q, a miss taking 5 s or more", rep.Slowest, slowStep)
	}
	onPath := false
	for _, i := range rep.CriticalPath {
		onPath = onPath || rep.Steps[i].Name == slowStep
	}
	if !onPath || rep.CriticalTime < 5 || rep.CriticalTime > rep.Duration+0.01 {
		t.Errorf("critical path %v (%.1f s of %.1f s) lacks %q", rep.CriticalPath, rep.CriticalTime, rep.Duration, slowStep)
	}
	cache := map[string]int{}
	started := 0
	for _, s := range rep.Steps {
		cache[s.Cache]++
		if s.Started != nil {
			started++
		}
		if s.Daemon == "" {
			t.Errorf("step %q has no daemon", s.Name)
		}
	}
	if cache["miss"] == 0 || cache["hit"] == 0 {
		t.Errorf("cache outcomes %v: want hits (motd) and misses (slow)", cache)
	}

	const width, height = 1300, 900
	b := startBrowser(t, width, height)
	b.navigate("file://" + page)
	var got struct {
		Bars    int
		Slowest []string
		Summary string
		Height  float64
	}
	b.eval(`({bars: document.querySelectorAll("#timeline rect.bar").length,
		slowest: Array.from(document.querySelectorAll("#slowest td:nth-child(2)")).map(td => td.textContent),
		summary: document.getElementById("summary").textContent,
		height: document.getElementById("timeline").getBoundingClientRect().height})`, &got)
	if got.Bars != started || got.Height < 40 {
		t.Errorf("timeline: %d bars (%.0f px high), want one per step run: %d", got.Bars, got.Height, started)
	}
	if len(got.Slowest) != len(rep.Slowest) || got.Slowest[0] != rep.Steps[rep.Slowest[0]].Name || !slices.Contains(got.Slowest, slowStep) {
		t.Errorf("slowest steps on the page: %q", got.Slowest)
	}
	if !strings.Contains(got.Summary, strconv.Itoa(len(rep.Steps))+" steps,") {
		t.Errorf("summary line %q, want %d steps", got.Summary, len(rep.Steps))
	}
	shot := b.screenshot()
	save(t, screenshotDir(t), "build-report.png", shot)
	if n := inkOf(t, shot); n < 2000 {
		t.Errorf("the report page shows %d dark pixels: not rendered", n)
	}
}

// TestBuildReportSeveralDaemons: a build spread over two empty daemons
// (importing the shared cache) reports every step with its daemon, both
// daemons' bands on the timeline, and bars for both.
func TestBuildReportSeveralDaemons(t *testing.T) {
	requireIntegration(t)
	ref, _ := sharedCache(t)
	serveGreet(t)
	a := startDaemon(t, buildkitd.Options{})
	b := startDaemon(t, buildkitd.Options{})
	dir := t.TempDir()
	jsonFile, page := filepath.Join(dir, "report.json"), filepath.Join(dir, "report.html")
	mustKiln(t, nil, append([]string{"build", "--target", "all", "-o", filepath.Join(dir, "out"), "--progress", "quiet",
		"--addr", a.Remote.Addr + "," + b.Remote.Addr, "--cache-from", "type=registry,ref=" + ref,
		"--report", jsonFile, "--report", page}, examples...)...)
	var rep struct {
		Daemons []string
		Steps   []struct {
			Daemon  string
			Started *time.Time
		}
	}
	data, err := os.ReadFile(jsonFile)
	if err != nil || json.Unmarshal(data, &rep) != nil {
		t.Fatalf("report: %v", err)
	}
	if strings.Join(rep.Daemons, " ") != a.Remote.Addr+" "+b.Remote.Addr {
		t.Errorf("daemons %v", rep.Daemons)
	}
	bars := map[string]int{}
	for _, s := range rep.Steps {
		if s.Started != nil {
			bars[s.Daemon]++
		}
	}
	if bars[a.Remote.Addr] == 0 || bars[b.Remote.Addr] == 0 {
		t.Errorf("steps run per daemon: %v", bars)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(html), `<rect class="bar`); n != bars[a.Remote.Addr]+bars[b.Remote.Addr] {
		t.Errorf("%d bars on the page, want %d", n, bars[a.Remote.Addr]+bars[b.Remote.Addr])
	}
	for _, d := range rep.Daemons {
		if !strings.Contains(string(html), "daemon "+d+"</text>") {
			t.Errorf("no timeline band for %s", d)
		}
	}
}

// TestBuildReportOfAFailedBuild: a build whose step fails still writes
// its report, with the build's error and the failed step marked.
func TestBuildReportOfAFailedBuild(t *testing.T) {
	requireIntegration(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"broken/kiln.yaml": `name: broken
version: 1.0-1
summary: Fails to build
license: MIT
maintainer: Kiln Tests <tests@example.org>
timestamp: 2024-05-01
targets: [noarch]
build: |
  echo ` + strconv.FormatInt(time.Now().UnixNano(), 10) + `
  echo "no such compiler" >&2; exit 3
`})
	report := filepath.Join(dir, "report.json")
	r := kiln(t, nil, "build", filepath.Join(dir, "broken"), "-o", filepath.Join(dir, "out"), "--progress", "plain", "--report", report)
	if r.err == nil {
		t.Fatal("the broken recipe built")
	}
	var rep struct {
		Error string
		Steps []struct{ Name, Error string }
	}
	data, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(data, &rep) != nil {
		t.Fatalf("no report of the failed build: %v\n%s", err, tail(r.stderr, 20))
	}
	failed := ""
	for _, s := range rep.Steps {
		if s.Error != "" && !strings.Contains(s.Error, "context canceled") {
			failed = s.Name
		}
	}
	if !strings.Contains(rep.Error, "broken [noarch] build") || failed != "broken [noarch] build" {
		t.Errorf("report of the failed build: error %q, failed step %q", rep.Error, failed)
	}
}
