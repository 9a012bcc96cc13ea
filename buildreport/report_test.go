package buildreport

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/solve"
)

var t0 = time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)

func at(s float64) *time.Time {
	t := t0.Add(time.Duration(s * float64(time.Second)))
	return &t
}

// runs: on daemon A, a toolchain (10 s) feeds two builds (4 s and 6 s,
// in parallel), each packed (1 s); a cached source; on daemon B one
// step of 3 s and one that never started.
func runs() []solve.StepRun {
	return []solve.StepRun{
		{Digest: "src", Name: "local src", Kind: "source", Daemon: "A", Cached: true, Started: at(0), Completed: at(0)},
		// A cache hit spans BuildKit's waiting, which is not work.
		{Digest: "meta", Name: "hello [x86_64] metadata", Kind: "file", Daemon: "A", Cached: true, Started: at(0), Completed: at(16), Inputs: []string{"src"}},
		{Digest: "tc", Name: "toolchain x86_64", Kind: "exec", Daemon: "A", Started: at(0), Completed: at(10), Inputs: []string{"src"}},
		{Digest: "b1", Name: "hello [x86_64] build", Kind: "exec", Daemon: "A", Started: at(10), Completed: at(14), Inputs: []string{"tc", "src"}},
		{Digest: "b2", Name: "greet [x86_64] build", Kind: "exec", Daemon: "A", Started: at(10.5), Completed: at(16.5), Inputs: []string{"tc"}},
		{Digest: "p1", Name: "hello [x86_64] pack", Kind: "exec", Daemon: "A", Started: at(14), Completed: at(15), Inputs: []string{"b1"}},
		{Digest: "p2", Name: "greet [x86_64] pack", Kind: "exec", Daemon: "A", Started: at(16.5), Completed: at(17.5), Inputs: []string{"b2"}},
		{Digest: "tc", Name: "toolchain armv7", Kind: "exec", Daemon: "B", Started: at(1), Completed: at(4)},
		{Digest: "x", Name: "never", Kind: "exec", Daemon: "B"},
	}
}

func TestReport(t *testing.T) {
	r := New(runs(), time.Time{}, time.Time{}, nil)
	if r.Duration != 17.5 || strings.Join(r.Daemons, ",") != "A,B" {
		t.Errorf("duration %v, daemons %v", r.Duration, r.Daemons)
	}
	if c := r.Counts; c != (Counts{Steps: 9, Hit: 2, Miss: 6, Checked: 0, NotStarted: 1}) {
		t.Errorf("counts %+v", c)
	}
	var names []string
	for _, i := range r.CriticalPath {
		names = append(names, r.Steps[i].Name)
	}
	if strings.Join(names, " | ") != "local src | toolchain x86_64 | greet [x86_64] build | greet [x86_64] pack" || r.CriticalTime != 17 {
		t.Errorf("critical path %q (%v s)", names, r.CriticalTime)
	}
	if s := r.Steps[r.Slowest[0]]; s.Name != "toolchain x86_64" || len(r.Slowest) != 6 {
		t.Errorf("slowest %v, first %q", r.Slowest, s.Name)
	}
	// The two builds overlap: two lanes on A; B's digest "tc" is B's own.
	if r.Steps[3].Lane == r.Steps[4].Lane || r.Steps[7].Lane != 0 || len(r.Steps[7].Needs) != 0 {
		t.Errorf("lanes %d %d, B's toolchain lane %d needs %v", r.Steps[3].Lane, r.Steps[4].Lane, r.Steps[7].Lane, r.Steps[7].Needs)
	}
	if s := r.Steps[1]; s.Duration != 16 || s.Work != 0 || slices.Contains(r.Slowest, 1) {
		t.Errorf("the cache hit: %+v, slowest %v", s, r.Slowest)
	}
}

func TestRender(t *testing.T) {
	r := New(runs(), time.Time{}, time.Time{}, errors.New("build failed in \"x\": <boom>"))
	page, err := r.Render("html")
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if n := strings.Count(s, `<rect class="bar`); n != 8 {
		t.Errorf("%d bars, want one per started step (8)", n)
	}
	if strings.Count(s, " critical\"") != 4 {
		t.Errorf("critical bars: %d", strings.Count(s, " critical\""))
	}
	for _, want := range []string{"Critical path: 17.0 s", "17.5 s on 2 daemon(s)", "&lt;boom&gt;", "daemon B"} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	js, err := r.Render("json")
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil || len(back.Steps) != 9 || back.Steps[8].Cache != "not started" || back.Error == "" {
		t.Errorf("JSON: %v %+v", err, back)
	}
}

func TestFormat(t *testing.T) {
	for path, want := range map[string]string{"r.html": "html", "R.JSON": "json", "x.htm": "html"} {
		if got, err := Format(path); err != nil || got != want {
			t.Errorf("%s: %q %v", path, got, err)
		}
	}
	if _, err := Format("r.txt"); err == nil {
		t.Error("r.txt accepted")
	}
}

// TestClamped: a cached vertex reported with the times of the build that
// made it, an hour before, is drawn within this build.
func TestClamped(t *testing.T) {
	old := runs()
	old[0].Started, old[0].Completed = at(-3600), at(-3590)
	r := New(old, *at(-1), *at(20), nil)
	if r.Duration != 21 || r.Steps[0].Start != 0 || r.Steps[0].Duration != 0 || r.Steps[1].Start != 1 {
		t.Errorf("duration %v, old step %+v, next %+v", r.Duration, r.Steps[0], r.Steps[1])
	}
}
