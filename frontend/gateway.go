// Package frontend is kiln as a BuildKit gateway frontend: it maps the
// options BuildKit clients send (buildx's --platform, --target,
// --build-arg, --cache-from, --no-cache, -f and contexts, read through
// BuildKit's own dockerui client) onto one plan, and solves it with the
// build library's functions, the same ones the kiln CLI runs.
package frontend

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/containerd/platforms"
	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/moby/buildkit/frontend/dockerui"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"golang.org/x/sync/errgroup"
)

// Gateway is the BuildFunc of the kiln-frontend image. It reads the recipe
// and the frontend options, plans the build once, and answers buildx
// --call targets, --target oci (the container image) or the package files,
// one result per requested platform.
func Gateway(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
	rf, bc, err := readRecipe(ctx, c)
	if err != nil {
		return nil, err
	}
	o, err := options(ctx, c, bc, rf)
	if err != nil {
		return nil, err
	}
	// As the CLI does: the daemon fetches the feeds' indexes, which
	// choose the feed packages the graph fetches pinned.
	if fs := build.Feeds(o.plan.Recipes); len(fs) > 0 {
		if o.plan.Indexes, err = build.ReadIndexes(ctx, c, fs); err != nil {
			return nil, err
		}
	}
	p, err := plan.New(o.plan)
	if err == nil {
		err = o.contextErr()
	}
	if err != nil {
		return nil, err
	}
	// buildx --call targets: what --target accepts.
	if res, ok, err := bc.HandleSubrequest(ctx, dockerui.RequestHandler{
		ListTargets: func(context.Context) (*targets.List, error) { return listTargets(p, rf), nil },
	}); ok || err != nil {
		return res, err
	}
	if err := o.checkMirror(); err != nil {
		return nil, err
	}
	// The toolchains pull their base images by digest, which the SBOMs
	// record, as on the CLI.
	if p, err = build.PinImages(ctx, c, p, &o.plan); err != nil {
		return nil, fmt.Errorf("resolving the toolchains' base images: %w", err)
	}
	s := build.Solve{Imports: bc.CacheImports, NoCache: bc.IsNoCache("")}
	if bc.Target == graph.ImageTarget {
		// --target oci: the container image, for buildx's image, oci and
		// docker exporters; --platform picks the targets.
		return image(ctx, c, p, s)
	}
	return packages(ctx, c, p, o, bc, s)
}

// packages solves the package files --target selects (all by default): every target
// side by side, or one result per requested platform; with the SBOMs as
// attestations when the client asks for them (buildx --sbom).
func packages(ctx context.Context, c gwclient.Client, p *plan.Plan, o *gatewayOptions, bc *dockerui.Client, s build.Solve) (*gwclient.Result, error) {
	sel := bc.Target
	_, sbom, err := wantsAttestations(c.BuildOpts().Opts)
	if err != nil {
		return nil, err
	}
	req := graph.Request{Select: sel}
	if len(o.platforms) == 0 {
		// No --platform: every target of the recipe, side by side, as
		// `kiln build` writes them.
		res, err := build.SolvePackages(ctx, c, p, req, s)
		if err != nil || !sbom {
			return res, err
		}
		if err := ensurePlatforms(res); err != nil {
			return nil, err
		}
		return res, attachSBOMs(ctx, c, res, platforms.FormatAll(toolchains.BuildPlatform), graph.Files(p.Jobs, sel))
	}
	res, err := perPlatform(ctx, o.platforms, bc.MultiPlatformRequested, func(ctx context.Context, target string) (*gwclient.Result, error) {
		return build.SolvePackages(ctx, c, p.ForTarget(target), req, s)
	})
	if err != nil || !sbom {
		return res, err
	}
	for _, pt := range o.platforms {
		if err := attachSBOMs(ctx, c, res, platforms.FormatAll(pt.platform), graph.Files(p.ForTarget(pt.target).Jobs, sel)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// perPlatform builds one target per requested platform, in parallel, and
// returns the result BuildKit's exporters expect for several platforms
// (local: one directory per platform).
func perPlatform(ctx context.Context, ps []platformTarget, multi bool,
	solve func(context.Context, string) (*gwclient.Result, error)) (*gwclient.Result, error) {
	refs := make([]gwclient.Reference, len(ps))
	exp := exptypes.Platforms{Platforms: make([]exptypes.Platform, len(ps))}
	eg, ectx := errgroup.WithContext(ctx)
	for i, pt := range ps {
		exp.Platforms[i] = exptypes.Platform{ID: platforms.FormatAll(pt.platform), Platform: pt.platform}
		eg.Go(func() error {
			res, err := solve(ectx, pt.target)
			if err == nil {
				refs[i], err = res.SingleRef()
			}
			if err != nil {
				return fmt.Errorf("platform %s (target %s): %w", exp.Platforms[i].ID, pt.target, err)
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	res := gwclient.NewResult()
	if multi {
		for i, p := range exp.Platforms {
			res.AddRef(p.ID, refs[i])
		}
	} else {
		res.SetRef(refs[0])
	}
	// The platform mapping tells exporters (and their checks) which
	// platform each result is for, even when there is only one.
	dt, err := json.Marshal(exp)
	if err != nil {
		return nil, err
	}
	res.AddMeta(exptypes.ExporterPlatformsKey, dt)
	return res, nil
}

// listTargets answers buildx --call targets: the packages and formats
// --target selects.
func listTargets(p *plan.Plan, rf *recipeFile) *targets.List {
	l := &targets.List{Sources: [][]byte{rf.data}}
	for _, s := range graph.Selectors(p.Jobs) {
		l.Targets = append(l.Targets, targets.Target{Name: s.Name, Description: s.Description})
	}
	return l
}
