// Package buildreport tells where a build's time went (kiln build
// --report): every step's duration, cache hit or miss and daemon, the
// slowest steps, the critical path through the steps' dependencies, and a
// timeline across daemons, as JSON or as a self-contained HTML page. It
// reads only what BuildKit's progress events said (solve.StepRun).
package buildreport

import (
	"cmp"
	"slices"
	"time"

	"github.com/kiln-build/kiln/solve"
)

// Report is a build's steps and what follows from them.
type Report struct {
	Started   time.Time `json:"started"`
	Completed time.Time `json:"completed"`
	// Duration is the wall time from the first step's start to the last
	// step's end.
	Duration Seconds  `json:"duration_s"`
	Daemons  []string `json:"daemons"`
	Steps    []Step   `json:"steps"`
	Counts   Counts   `json:"counts"`
	// Slowest are indexes into Steps, longest first.
	Slowest []int `json:"slowest"`
	// CriticalPath are indexes into Steps, first step first: the chain of
	// dependent steps whose durations add up to the most.
	CriticalPath []int   `json:"critical_path"`
	CriticalTime Seconds `json:"critical_path_s"`
	// Error is the build's error, if it failed.
	Error string `json:"error,omitempty"`
}

// Step is one step as a daemon ran it.
type Step struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Daemon string `json:"daemon"`
	// Cache is "hit" (answered from the cache), "miss" (run), "checked"
	// (a source or file step BuildKit re-checks every build), or
	// "not started".
	Cache     string     `json:"cache"`
	Started   *time.Time `json:"started,omitempty"`
	Completed *time.Time `json:"completed,omitempty"`
	// Start is the offset from the build's start; Duration how long it
	// took (0 when it did not complete). Work is Duration for a step that
	// ran or was checked, 0 for a cache hit, whose span is BuildKit
	// waiting and loading, not work: the slowest steps and the critical
	// path count Work.
	Start    Seconds `json:"start_s"`
	Duration Seconds `json:"duration_s"`
	Work     Seconds `json:"work_s"`
	Error    string  `json:"error,omitempty"`
	// Needs are indexes into Steps of the steps it needs.
	Needs []int `json:"needs,omitempty"`
	// Lane is its row in its daemon's timeline: steps that overlap in
	// time run side by side on separate lanes.
	Lane     int  `json:"lane"`
	Critical bool `json:"critical,omitempty"`
}

// Counts sum the steps by cache outcome.
type Counts struct {
	Steps, Hit, Miss, Checked, NotStarted, Failed int
}

// Seconds is a duration written as seconds in JSON.
type Seconds float64

func seconds(d time.Duration) Seconds { return Seconds(d.Seconds()) }

// slowestShown is how many slowest steps a report names.
const slowestShown = 10

// New makes the report of a build's runs (solve.Summary.Runs) between
// start and end (solve.Summary.Start, End; zero: the runs' own span); err
// is the build's error, nil when it succeeded. A cached vertex may carry
// the times of the build that made it, long before: times are clamped
// into [start, end].
func New(runs []solve.StepRun, start, end time.Time, err error) *Report {
	r := &Report{}
	if err != nil {
		r.Error = err.Error()
	}
	if start.IsZero() {
		r.span(runs)
	} else {
		runs = clamp(runs, start, end)
		r.Started, r.Completed, r.Duration = start, end, seconds(end.Sub(start))
	}
	index := map[[2]string]int{}
	for _, x := range runs {
		index[[2]string{x.Daemon, x.Digest}] = len(r.Steps)
		r.Steps = append(r.Steps, r.step(x))
		if !slices.Contains(r.Daemons, x.Daemon) {
			r.Daemons = append(r.Daemons, x.Daemon)
		}
	}
	for i, x := range runs {
		for _, in := range x.Inputs {
			if j, ok := index[[2]string{x.Daemon, in}]; ok {
				r.Steps[i].Needs = append(r.Steps[i].Needs, j)
			}
		}
	}
	r.lanes()
	r.slowest()
	r.criticalPath()
	return r
}

func clamp(runs []solve.StepRun, start, end time.Time) []solve.StepRun {
	out := slices.Clone(runs)
	in := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		x := *t
		if x.Before(start) {
			x = start
		}
		if x.After(end) {
			x = end
		}
		return &x
	}
	for i := range out {
		out[i].Started, out[i].Completed = in(out[i].Started), in(out[i].Completed)
	}
	return out
}

// span sets the build's start and end from its steps.
func (r *Report) span(runs []solve.StepRun) {
	for _, x := range runs {
		if x.Started != nil && (r.Started.IsZero() || x.Started.Before(r.Started)) {
			r.Started = *x.Started
		}
		if x.Completed != nil && x.Completed.After(r.Completed) {
			r.Completed = *x.Completed
		}
	}
	if r.Completed.Before(r.Started) {
		r.Completed = r.Started
	}
	r.Duration = seconds(r.Completed.Sub(r.Started))
}

func (r *Report) step(x solve.StepRun) Step {
	s := Step{Name: x.Name, Kind: x.Kind, Daemon: x.Daemon, Started: x.Started, Completed: x.Completed, Error: x.Error}
	r.Counts.Steps++
	switch {
	case x.Started == nil:
		s.Cache = "not started"
		r.Counts.NotStarted++
	case x.Cached:
		s.Cache = "hit"
		r.Counts.Hit++
	case x.Kind == "exec":
		s.Cache = "miss"
		r.Counts.Miss++
	default:
		s.Cache = "checked"
		r.Counts.Checked++
	}
	if x.Error != "" {
		r.Counts.Failed++
	}
	if x.Started != nil {
		s.Start = seconds(x.Started.Sub(r.Started))
		if x.Completed != nil && x.Completed.After(*x.Started) {
			s.Duration = seconds(x.Completed.Sub(*x.Started))
		}
	}
	if !x.Cached {
		s.Work = s.Duration
	}
	return s
}

// lanes places each daemon's started steps on rows, first fit by start.
func (r *Report) lanes() {
	order := make([]int, 0, len(r.Steps))
	for i, s := range r.Steps {
		if s.Started != nil {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(r.Steps[a].Start, r.Steps[b].Start) })
	ends := map[string][]Seconds{} // per daemon: each lane's end
	for _, i := range order {
		s := &r.Steps[i]
		lanes := ends[s.Daemon]
		end := s.Start + s.Duration
		l := slices.IndexFunc(lanes, func(e Seconds) bool { return e <= s.Start })
		if l < 0 {
			l = len(lanes)
			lanes = append(lanes, 0)
		}
		lanes[l] = end
		ends[s.Daemon] = lanes
		s.Lane = l
	}
}

func (r *Report) slowest() {
	var idx []int
	for i, s := range r.Steps {
		if s.Work > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(r.Steps[b].Work, r.Steps[a].Work) })
	r.Slowest = idx[:min(len(idx), slowestShown)]
}

// criticalPath finds the chain of steps, each needing the one before,
// with the largest sum of work: the steps no more daemons or cores could
// have run sooner.
func (r *Report) criticalPath() {
	best := make([]Seconds, len(r.Steps)) // longest chain ending at i
	prev := make([]int, len(r.Steps))
	state := make([]byte, len(r.Steps)) // 0 new, 1 visiting, 2 done
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return // done, or a cycle BuildKit never reports
		}
		state[i] = 1
		prev[i] = -1
		for _, j := range r.Steps[i].Needs {
			visit(j)
			if state[j] == 2 && (prev[i] < 0 || best[j] > best[prev[i]]) {
				prev[i] = j
			}
		}
		best[i] = r.Steps[i].Work
		if prev[i] >= 0 {
			best[i] += best[prev[i]]
		}
		state[i] = 2
	}
	end := -1
	for i := range r.Steps {
		visit(i)
		if end < 0 || best[i] > best[end] {
			end = i
		}
	}
	if end < 0 || best[end] == 0 {
		return
	}
	r.CriticalTime = best[end]
	for i := end; i >= 0; i = prev[i] {
		r.CriticalPath = append([]int{i}, r.CriticalPath...)
		r.Steps[i].Critical = true
	}
}
