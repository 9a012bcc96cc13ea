package solve

import (
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
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
