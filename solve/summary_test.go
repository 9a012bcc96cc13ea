package solve

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

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
	} {
		tr := newTracker(nil)
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
