package solve

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
)

// TestExplainMismatch: BuildKit's two phrasings of a checksum mismatch
// read back as what the recipe or the target pinned and what came.
func TestExplainMismatch(t *testing.T) {
	want, got := "sha256:"+strings.Repeat("e", 64), "sha256:"+strings.Repeat("d", 64)
	for _, c := range []struct{ vertex, err, msg string }{
		{"greet source 0: fetch http://x.test/greet.tar.gz", "failed to solve: digest mismatch for http://x.test/greet.tar.gz: " + got + " (expected: " + want + ")",
			`build failed in "greet source 0: fetch http://x.test/greet.tar.gz": checksum mismatch for http://x.test/greet.tar.gz: the recipe says ` + want + " but the downloaded file is " + got},
		{"toolchain ds: fetch http://x.test/tc.txz", "failed to solve: digest mismatch " + got + ": " + want,
			`build failed in "toolchain ds: fetch http://x.test/tc.txz": checksum mismatch: the target says ` + want + " but the downloaded file is " + got},
		{"feed http://x.test/Packages: fetch index", "failed to solve: digest mismatch " + got + ": " + want,
			`build failed in "feed http://x.test/Packages: fetch index": checksum mismatch: the repository's feed says ` + want + " but the downloaded file is " + got},
		{"feed http://x.test/Packages: fetch libx 1.0-1", "failed to solve: digest mismatch for http://x.test/libx.ipk: " + got + " (expected: " + want + ")",
			`build failed in "feed http://x.test/Packages: fetch libx 1.0-1": checksum mismatch for http://x.test/libx.ipk: the feed's index says ` + want + " but the downloaded file is " + got},
	} {
		tr := newTracker(nil, nil)
		tr.add(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: digest.FromString(c.vertex), Name: c.vertex, Error: c.err}}})
		if e := tr.explain(errors.New(c.err)).Error(); e != c.msg {
			t.Errorf("got  %s\nwant %s", e, c.msg)
		}
	}
}

// TestStepKinds: reading the kind from an op's top-level fields agrees
// with decoding it, for every kind of op, and a source without a name is
// named by its identifier.
func TestStepKinds(t *testing.T) {
	src := llb.Image("docker.io/library/debian:bookworm")
	run := src.Run(llb.Shlex("true"), llb.WithCustomName("run")).Root()
	file := run.File(llb.Mkdir("/x", 0o755), llb.WithCustomName("mkdir"))
	merged := llb.Merge([]llb.State{run, file}, llb.WithCustomName("merge"))
	def, err := merged.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, err := StepKinds(def)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"docker-image://docker.io/library/debian:bookworm": "source", "run": "exec", "mkdir": "file", "merge": "merge"}
	if !maps.Equal(got, want) {
		t.Errorf("StepKinds = %v, want %v", got, want)
	}
	if _, err := StepKinds(&llb.Definition{Def: [][]byte{{0xff}}}); err == nil {
		t.Error("a truncated op parsed")
	}
}

// TestExplainStepWords: what kiln's in-graph step said ("kiln: ...") leads
// the error, so a fixed-output mismatch names both digests.
func TestExplainStepWords(t *testing.T) {
	name := "app source 1: check digest sha256:aa"
	d := digest.FromString(name)
	tr := newTracker(nil, nil)
	tr.add(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: d, Name: name}}})
	tr.add(&client.SolveStatus{Logs: []*client.VertexLog{{Vertex: d,
		Data: []byte("some output\nkiln: source 1 (script): digest mismatch: the recipe says sha256:aa but the output is sha256:bb\n")}}})
	tr.add(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: d, Name: name, Error: "process did not complete successfully: exit code: 1"}}})
	want := `build failed in "app source 1: check digest sha256:aa": source 1 (script): digest mismatch: the recipe says sha256:aa but the output is sha256:bb (process did not complete successfully: exit code: 1)`
	if e := tr.explain(errors.New("process did not complete successfully: exit code: 1")).Error(); e != want {
		t.Errorf("got  %s\nwant %s", e, want)
	}
}

// TestSummaryFetches: fetch steps are counted apart, ran or cached.
func TestSummaryFetches(t *testing.T) {
	done := time.Unix(1, 0)
	fetch, build := "app source 1"+FetchMarker+"(gomod .)", "app [x86_64] build"
	kinds := map[string]string{fetch: KindFetch, build: "exec"}
	// Kinds known before the solve, or worked out meanwhile (StepsLater).
	var tr *tracker
	for _, tr = range []*tracker{newTracker(nil, func() map[string]string { return kinds }), newTracker(kinds, nil)} {
		tr.add(&client.SolveStatus{Vertexes: []*client.Vertex{
			{Digest: digest.FromString(fetch), Name: fetch, Cached: true, Completed: &done},
			{Digest: digest.FromString(build), Name: build, Completed: &done},
		}})
		s := tr.summary()
		if got, want := s.String(), "2 steps: 1 cached, 1 run, 0 checked (fetch steps: 0 of 1 run)"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	tr.add(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: digest.FromString("x"), Name: fetch, Completed: &done}}})
	if s := tr.summary(); s.Fetched != 1 || s.Fetches != 2 {
		t.Errorf("a fetch that ran: %+v", s)
	}
}

// TestExplainManyFailures: when many steps fail alike (a feed's fetches
// without a network), the error names a few and counts the others.
func TestExplainManyFailures(t *testing.T) {
	tr := newTracker(nil, nil)
	for i := range 20 {
		name := fmt.Sprintf("p%02d source 1: fetch https://x.test/p%02d.tar.gz", i, i)
		tr.add(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: digest.FromString(name), Name: name, Error: "no such host"}}})
	}
	msg := tr.explain(errors.New("no such host")).Error()
	if !strings.Contains(msg, `"p07 source 1`) || strings.Contains(msg, "p08 source") || !strings.Contains(msg, "(and 12 more steps): no such host") {
		t.Errorf("got %s", msg)
	}
}
