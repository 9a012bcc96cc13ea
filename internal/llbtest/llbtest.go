// Package llbtest reads LLB graphs back in tests.
package llbtest

import (
	"context"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

// Copies lists the copy actions of every file op in st's graph.
func Copies(t testing.TB, st llb.State) []*pb.FileActionCopy {
	t.Helper()
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []*pb.FileActionCopy
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		for _, a := range op.GetFile().GetActions() {
			if cp := a.GetCopy(); cp != nil {
				out = append(out, cp)
			}
		}
	}
	return out
}
