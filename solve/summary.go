package solve

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/moby/buildkit/client/llb"
	"regexp"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// Summary counts the graph's steps by what the daemon did with them.
type Summary struct {
	// Steps is every vertex of the build graph the daemon reported.
	Steps int
	// Cached were answered from the cache.
	Cached int
	// Ran are commands (exec steps) that were executed.
	Ran int
	// RanNames names them.
	RanNames []string
	// Checked are sources and file steps that BuildKit re-checks on every
	// build (local transfers send only changed files, pinned downloads are
	// verified, images resolved), so they are never reported as cached.
	Checked int
	// Fetches are the fixed-output sources' fetch steps (the only steps
	// besides toolchain installs that reach the network); Fetched of them
	// ran, the others came from the cache.
	Fetches, Fetched int
	Files            []string
	// Exported is what the exporters of Request.Exports answered (the
	// image exporter: containerimage.digest, the pushed index's digest).
	Exported map[string]string
	// Daemon is the address of the daemon that ran these steps.
	Daemon string
	// Nodes are the per-daemon summaries of a build spread over several
	// daemons (nil for one).
	Nodes []*Summary
	// Warnings are what failed without failing the build: a cache export
	// to a registry that was down.
	Warnings []string
	// Runs is every vertex the daemons reported, with its times, in the
	// order first seen (for the build report).
	Runs []StepRun
	// Start and End bound the solve, as this host's clock saw it. A
	// cached vertex may carry the times of the build that made it.
	Start, End time.Time
}

// StepRun is one vertex as a daemon reported it: BuildKit's SolveStatus
// vertex with its first start and last completion.
type StepRun struct {
	Digest string
	Name   string
	// Kind is the graph step's kind (exec, source, file, ...), "" for a
	// vertex of no graph step (the export).
	Kind      string
	Daemon    string
	Cached    bool
	Started   *time.Time
	Completed *time.Time
	Error     string
	// Inputs are the digests of the vertices it needs (same daemon).
	Inputs []string
}

func (s *Summary) String() string {
	out := fmt.Sprintf("%d steps: %d cached, %d run, %d checked", s.Steps, s.Cached, s.Ran, s.Checked)
	if s.Fetches > 0 {
		out += fmt.Sprintf(" (fetch steps: %d of %d run)", s.Fetched, s.Fetches)
	}
	return out
}

// add counts o's steps into s.
func (s *Summary) add(o *Summary) {
	s.Steps += o.Steps
	s.Cached += o.Cached
	s.Ran += o.Ran
	s.RanNames = append(s.RanNames, o.RanNames...)
	s.Checked += o.Checked
	s.Fetches += o.Fetches
	s.Fetched += o.Fetched
}

// relabel prefixes every vertex of s with a daemon's label and gives it a
// digest of its own, so one progress display can show several daemons
// building the same step (e.g. a shared toolchain) side by side.
func relabel(s *client.SolveStatus, label string) *client.SolveStatus {
	d := func(x digest.Digest) digest.Digest { return digest.FromString(label + "\x00" + x.String()) }
	out := &client.SolveStatus{}
	for _, v := range s.Vertexes {
		n := *v
		n.Digest = d(v.Digest)
		n.Name = "[" + label + "] " + v.Name
		n.Inputs = make([]digest.Digest, len(v.Inputs))
		for i, in := range v.Inputs {
			n.Inputs[i] = d(in)
		}
		out.Vertexes = append(out.Vertexes, &n)
	}
	for _, st := range s.Statuses {
		n := *st
		n.Vertex = d(st.Vertex)
		out.Statuses = append(out.Statuses, &n)
	}
	for _, l := range s.Logs {
		n := *l
		n.Vertex = d(l.Vertex)
		out.Logs = append(out.Logs, &n)
	}
	for _, w := range s.Warnings {
		n := *w
		n.Vertex = d(w.Vertex)
		out.Warnings = append(out.Warnings, &n)
	}
	return out
}

type vertex struct {
	name      string
	cached    bool
	completed bool
	err       string
	started   *time.Time
	done      *time.Time
	inputs    []digest.Digest
	// said are the "kiln: " lines kiln's own in-graph steps printed (their
	// error, e.g. a fixed-output source's two digests), kept for explain.
	said []string
}

// maxSaid bounds the lines kept per vertex.
const maxSaid = 8

type tracker struct {
	mu    sync.Mutex
	kinds map[string]string        // step kind by vertex name
	later func() map[string]string // kinds, when nil, at the summary
	vs    map[digest.Digest]*vertex
	// order keeps first-seen order for stable reports.
	order []digest.Digest
}

func newTracker(kinds map[string]string, later func() map[string]string) *tracker {
	return &tracker{vs: map[digest.Digest]*vertex{}, kinds: kinds, later: later}
}

func (t *tracker) add(s *client.SolveStatus) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, v := range s.Vertexes {
		x, ok := t.vs[v.Digest]
		if !ok {
			x = &vertex{}
			t.vs[v.Digest] = x
			t.order = append(t.order, v.Digest)
		}
		x.name = v.Name
		x.cached = x.cached || v.Cached
		x.completed = x.completed || v.Completed != nil
		if v.Started != nil && (x.started == nil || v.Started.Before(*x.started)) {
			x.started = v.Started
		}
		if v.Completed != nil && (x.done == nil || v.Completed.After(*x.done)) {
			x.done = v.Completed
		}
		if len(v.Inputs) > 0 {
			x.inputs = v.Inputs
		}
		if v.Error != "" {
			x.err = v.Error
		}
	}
	for _, l := range s.Logs {
		x, ok := t.vs[l.Vertex]
		if !ok {
			continue
		}
		for _, line := range strings.Split(string(l.Data), "\n") {
			if strings.HasPrefix(line, "kiln: ") && len(x.said) < maxSaid {
				x.said = append(x.said, strings.TrimPrefix(strings.TrimSpace(line), "kiln: "))
			}
		}
	}
}

// exportFailures are the cache exports that failed (BuildKit ignored the
// error, as tolerant asks).
func (t *tracker) exportFailures() []*vertex {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*vertex
	for _, d := range t.order {
		if v := t.vs[d]; v.err != "" && strings.HasPrefix(v.name, "exporting cache") {
			out = append(out, v)
		}
	}
	return out
}

func (t *tracker) summary() *Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.kinds == nil && t.later != nil {
		t.kinds = t.later()
	}
	s := &Summary{}
	for _, d := range t.order {
		v := t.vs[d]
		kind, ok := t.kinds[v.name]
		run := StepRun{Digest: d.String(), Name: v.name, Kind: kind, Cached: v.cached, Started: v.started, Completed: v.done, Error: v.err}
		for _, in := range v.inputs {
			run.Inputs = append(run.Inputs, in.String())
		}
		s.Runs = append(s.Runs, run)
		if !ok {
			continue // not a step of the graph, e.g. the export
		}
		s.Steps++
		if kind == KindFetch {
			s.Fetches++
		}
		switch {
		case v.cached:
			s.Cached++
		case !v.completed:
		case kind == "exec" || kind == KindFetch:
			s.Ran++
			s.RanNames = append(s.RanNames, v.name)
			if kind == KindFetch {
				s.Fetched++
			}
		default:
			s.Checked++
		}
	}
	return s
}

// mismatch and mismatchNoURL are BuildKit's words for a download whose
// checksum is not the one the graph pins: "for URL: GOT (expected: WANT)"
// where the daemon has the URL's headers from before, "GOT: WANT" where
// it downloads the file first.
var (
	mismatch      = regexp.MustCompile(`digest mismatch for (\S+): (sha256:[0-9a-f]+) \(expected: (sha256:[0-9a-f]+)\)`)
	mismatchNoURL = regexp.MustCompile(`digest mismatch (sha256:[0-9a-f]+): (sha256:[0-9a-f]+)`)
)

// explain names the step that failed, so the user sees which recipe,
// target and stage broke rather than only the daemon's message.
func (t *tracker) explain(err error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var failed, said []string
	for _, d := range t.order {
		if v := t.vs[d]; v.err != "" && !strings.HasSuffix(v.err, "context canceled") {
			failed = append(failed, v.name)
			if len(failed) <= maxSaid {
				said = append(said, v.said...)
			}
		}
	}
	// A toolchain archive's vertices are named "toolchain NAME: ...".
	who := "the recipe"
	for _, n := range failed {
		if strings.HasPrefix(n, "toolchain ") {
			who = "the target"
		}
		if strings.HasPrefix(n, "feed ") && strings.HasSuffix(n, ": fetch index") {
			who = "the repository's feed"
		} else if strings.HasPrefix(n, "feed ") && strings.Contains(n, ": fetch ") {
			who = "the feed's index" // a package, pinned by the index
		}
	}
	msg := err.Error()
	if m := mismatch.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("checksum mismatch for %s: %s says %s but the downloaded file is %s", m[1], who, m[3], m[2])
	} else if m := mismatchNoURL.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("checksum mismatch: %s says %s but the downloaded file is %s", who, m[2], m[1])
	}
	if len(said) > 0 {
		// The step's own words say more than its exit code.
		msg = strings.Join(said, "; ") + " (" + msg + ")"
	}
	if len(failed) == 0 {
		return fmt.Errorf("build failed: %s", msg)
	}
	more := ""
	if len(failed) > maxSaid {
		// A feed whose many fetches fail alike: a few name it well enough.
		more = fmt.Sprintf(" (and %d more steps)", len(failed)-maxSaid)
		failed = failed[:maxSaid]
	}
	return fmt.Errorf("build failed in %q%s: %s", strings.Join(failed, `", "`), more, msg)
}

// KindFetch is the kind of a fixed-output source's fetch step, an exec
// whose name holds FetchMarker (llb names them so).
const (
	KindFetch   = "fetch"
	FetchMarker = ": fetch step "
)

// StepKinds maps each vertex name of def to its kind: exec, source, file,
// merge, ... Names, not digests: the client adds the session to local
// sources before solving, which changes their digests.
func StepKinds(def *llb.Definition) (map[string]string, error) {
	out := make(map[string]string, len(def.Def))
	for _, dt := range def.Def {
		kind, ident, err := opKind(dt)
		if err != nil {
			return nil, fmt.Errorf("parsing LLB: %w", err)
		}
		name := ""
		if md, ok := def.Metadata[digest.FromBytes(dt)]; ok {
			name = md.Description["llb.customname"]
		}
		if kind == "exec" && strings.Contains(name, FetchMarker) {
			kind = KindFetch
		}
		if name == "" && kind == "source" {
			name = ident
		}
		if name != "" {
			out[name] = kind
		}
	}
	return out, nil
}

// opKinds are pb.Op's oneof fields by number (solver/pb/ops.proto).
var opKinds = map[protowire.Number]string{2: "exec", 3: "source", 4: "file", 6: "merge"}

// opKind reads which operation a marshalled pb.Op holds (and a source's
// identifier) from its top-level fields, without decoding the rest: a
// feed's graph has tens of thousands of ops.
func opKind(dt []byte) (kind, ident string, err error) {
	kind = "other"
	for len(dt) > 0 {
		num, typ, n := protowire.ConsumeTag(dt)
		if n < 0 {
			return "", "", protowire.ParseError(n)
		}
		dt = dt[n:]
		if k, ok := opKinds[num]; ok && typ == protowire.BytesType {
			kind = k
			if k == "source" {
				msg, _ := protowire.ConsumeBytes(dt)
				ident = sourceIdentifier(msg)
			}
		}
		n = protowire.ConsumeFieldValue(num, typ, dt)
		if n < 0 {
			return "", "", protowire.ParseError(n)
		}
		dt = dt[n:]
	}
	return kind, ident, nil
}

// sourceIdentifier is field 1 of a marshalled pb.SourceOp.
func sourceIdentifier(msg []byte) string {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return ""
		}
		msg = msg[n:]
		if num == 1 && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(msg)
			return string(v)
		}
		if n = protowire.ConsumeFieldValue(num, typ, msg); n < 0 {
			return ""
		}
		msg = msg[n:]
	}
	return ""
}
