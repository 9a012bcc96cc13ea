package build

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/cache"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/pack/ipk/feed"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/solve"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/sirupsen/logrus"
)

// Target is where a build runs and what it writes.
type Target struct {
	// Daemons build the jobs; with several, each gets a share.
	Daemons []daemon.Remote
	Cache   cache.Options
	// OutDir receives the package files.
	OutDir string
	// Progress is a BuildKit display mode: auto, tty, plain, rawjson, quiet.
	Progress string
}

// Result is what a build wrote.
type Result struct {
	// Summary counts the steps (per daemon in Nodes) and lists the files.
	*solve.Summary
	// Image describes the container image written or pushed ("" = none).
	Image string
}

// Run builds b on t's daemons and writes the files into t.OutDir: all of
// them or, when anything fails, none.
func (b *Build) Run(ctx context.Context, t Target) (*Result, error) {
	if len(t.Daemons) == 0 {
		return nil, fmt.Errorf("no daemon to build on")
	}
	if err := checkStatic(); err != nil {
		return nil, err
	}
	nodes, err := b.spread(t)
	if err != nil {
		return nil, err
	}
	sum, err := solve.Run(ctx, solve.Request{
		Nodes:    nodes,
		Locals:   b.Locals,
		OutDir:   t.OutDir,
		Progress: t.Progress,
		Steps:    b.steps,
		Secrets:  b.secrets(),
	})
	if err != nil {
		return nil, err
	}
	res := &Result{Summary: sum}
	if len(nodes) > 1 {
		// Each daemon indexed and signed nothing but its own share.
		if err := feed.WriteFiles(sum.Files); err != nil {
			return nil, fmt.Errorf("feed index: %w", err)
		}
		sum.Files = slices.Compact(sum.Files)
		if b.cfg.Sign != nil {
			if err := b.signCollected(ctx, t, res); err != nil {
				return nil, err
			}
		}
	}
	if b.image != nil {
		if res.Image, err = b.image.run(ctx, b, t); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (b *Build) secrets() map[string][]byte {
	out := map[string][]byte{}
	if b.cfg.Sign != nil {
		out[graph.SigningKeySecret] = b.cfg.Sign.Key
	}
	if ca := hostCACertificates(); ca != nil {
		out[llb.CASecret] = ca
	}
	return out
}

// spread gives each daemon its share of the jobs: groups of jobs linked by
// host: dependencies stay together, so nothing is built twice. A daemon
// left without work is still contacted, so a dead one is reported.
func (b *Build) spread(t Target) ([]solve.Node, error) {
	ds := t.Daemons
	if len(ds) == 1 {
		s := Solve{Imports: t.Cache.GatewayImports()}
		return []solve.Node{{Daemon: ds[0], Cache: t.Cache, Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			return s.def(ctx, c, b.Def)
		}}}, nil
	}
	groups := b.Plan.Groups()
	nodes := make([]solve.Node, len(ds))
	for i, share := range plan.Spread(groups, len(ds)) {
		nodes[i] = solve.Node{Daemon: ds[i], Cache: t.Cache.ForDaemon(i, len(ds))}
		if len(share) == 0 {
			logrus.Infof("daemon %s: nothing to build (%d job groups for %d daemons)", ds[i].Addr, len(groups), len(ds))
			continue
		}
		p, err := b.Plan.Only(share)
		if err != nil {
			return nil, err
		}
		s := Solve{Imports: nodes[i].Cache.GatewayImports()}
		// Signing needs every payload of a package: it runs once they
		// are collected (signCollected), not on each daemon.
		nodes[i].Build = func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			return SolvePackages(ctx, c, p, graph.Request{}, s)
		}
		logrus.Infof("daemon %s builds %s", ds[i].Addr, strings.Join(share, ", "))
		if len(t.Cache.Exports) > 0 {
			logrus.Infof("daemon %s exports its cache to %s", ds[i].Addr, cache.Describe(nodes[i].Cache.Exports))
		}
	}
	return nodes, nil
}

// signCollected signs, on the first daemon, the metainfo of payloads that
// several daemons built and the build collected into t.OutDir.
func (b *Build) signCollected(ctx context.Context, t Target, res *Result) error {
	st, err := graph.Collected(b.Plan, b.signing())
	if err != nil {
		return err
	}
	locals := maps.Clone(b.Locals)
	locals[graph.CollectedLocal] = t.OutDir
	s := Solve{Imports: t.Cache.GatewayImports()}
	sum, err := solve.Run(ctx, solve.Request{
		Nodes: []solve.Node{{Daemon: t.Daemons[0], Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			return s.state(ctx, c, st)
		}}},
		Locals:   locals,
		OutDir:   t.OutDir,
		Progress: t.Progress,
		Secrets:  b.secrets(),
	})
	if err != nil {
		return fmt.Errorf("signing syspkg metainfo on %s: %w", t.Daemons[0].Addr, err)
	}
	for _, f := range sum.Files {
		if strings.HasSuffix(f, ".json") {
			res.Files = append(res.Files, f)
		}
	}
	return nil
}

// Report is what a build says once done: a line per daemon when several
// built, the total, and the container image.
func (r *Result) Report() []string {
	var out []string
	for _, n := range r.Nodes {
		out = append(out, fmt.Sprintf("daemon %s: %d packages, %s", n.Daemon, CountPackages(n.Files), n))
	}
	out = append(out, fmt.Sprintf("%d packages, %s", CountPackages(r.Files), r.Summary))
	if r.Image != "" {
		out = append(out, "image "+r.Image)
	}
	return out
}
