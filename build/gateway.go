package build

import (
	"context"

	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/plan"
	bkllb "github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
)

// Solve says how the build functions solve kiln's graphs on a gateway
// client; the CLI (in-process) and the gateway frontend fill it from their
// own options.
type Solve struct {
	// Imports are the build caches to import (--cache-from): BuildKit
	// leaves applying them to the frontend's solves.
	Imports []gwclient.CacheOptionsEntry
	// NoCache runs every step again instead of answering from the cache.
	NoCache bool
}

// SolvePackages is the build function for package files, shared by the
// CLI and the gateway frontend: the files r asks for from p.
func SolvePackages(ctx context.Context, c gwclient.Client, p *plan.Plan, r graph.Request, s Solve) (*gwclient.Result, error) {
	st, err := graph.Build(p, r)
	if err != nil {
		return nil, err
	}
	return s.state(ctx, c, st)
}

func (s Solve) state(ctx context.Context, c gwclient.Client, st bkllb.State) (*gwclient.Result, error) {
	def, err := graph.Marshal(ctx, st, s.NoCache)
	if err != nil {
		return nil, err
	}
	return s.def(ctx, c, def)
}

func (s Solve) def(ctx context.Context, c gwclient.Client, def *bkllb.Definition) (*gwclient.Result, error) {
	return c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB(), CacheImports: s.Imports})
}
