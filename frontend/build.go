// Package frontend holds the one build function that both the kiln CLI
// (in-process, through client.Build) and the kiln-frontend gateway image
// run: recipes and options in, a result whose files are the packages.
package frontend

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
)

// AllTargets selects every target a recipe declares.
const AllTargets = plan.AllTargets

// Options select what to build and where its inputs come from.
type Options = plan.Options

// Plan compiles every (recipe, target) job. It is pure, so `kiln llb` and
// tests use it without a daemon.
func Plan(o Options) ([]*llb.Job, error) { return plan.Jobs(o) }

// Graph is the whole build: every job's package files side by side (each
// variant in its subdirectory), with the opkg feed index of every
// directory holding .ipk files written in-graph by kiln's own binary.
func Graph(jobs []*llb.Job, packer llb.Packer) bkllb.State {
	sort.SliceStable(jobs, func(i, k int) bool { return jobs[i].Files[0] < jobs[k].Files[0] })
	states := make([]bkllb.State, 0, len(jobs))
	ipks := 0
	for _, j := range jobs {
		states = append(states, j.Output)
		for _, f := range j.Formats {
			if f == "ipk" {
				ipks++
			}
		}
	}
	out := states[0]
	if len(states) > 1 {
		out = bkllb.Merge(states, bkllb.WithCustomName(fmt.Sprintf("collect %d jobs", len(states))))
	}
	return withIndex(out, ipks, packer)
}

// withIndex adds the opkg feed index to out, which holds ipks .ipk files.
func withIndex(out bkllb.State, ipks int, packer llb.Packer) bkllb.State {
	if ipks == 0 {
		return out
	}
	run := bkllb.Scratch().Run(
		bkllb.Args([]string{"/kiln/bin" + packer.Path, "index", FeedDir}),
		bkllb.AddMount("/kiln/bin", packer.State, bkllb.Readonly),
		bkllb.Network(bkllb.NetModeNone),
		bkllb.WithCustomName(fmt.Sprintf("index opkg feed (%d packages)", ipks)),
	)
	return run.AddMount(FeedDir, out)
}

// FeedDir is where the index step sees the collected packages.
const FeedDir = "/kiln/feed"

// IsIndex reports whether an output file is a feed index, not a package.
func IsIndex(path string) bool {
	base := path[strings.LastIndexByte(path, '/')+1:]
	return base == "Packages" || base == "Packages.gz"
}

// BuildOption tunes one Build beyond what to compile.
type BuildOption func(*buildConfig)

type buildConfig struct {
	selector string
	noCache  bool
	signing  *Signing
	planned  *bkllb.Definition
}

// Planned hands Build the definition of Graph for the same options, which
// the CLI already made to check the plan: the build then skips compiling
// it again. Ignored when other options change the graph.
func Planned(def *bkllb.Definition) BuildOption { return func(c *buildConfig) { c.planned = def } }

// Select keeps only the outputs sel names: an output package, a format, or
// PACKAGE/FORMAT (see Selectors); "" keeps everything.
func Select(sel string) BuildOption { return func(c *buildConfig) { c.selector = sel } }

// NoCache runs every step again instead of answering from the cache
// (--no-cache).
func NoCache() BuildOption { return func(c *buildConfig) { c.noCache = true } }

// Build is the BuildFunc body shared by the CLI and the gateway frontend.
func Build(ctx context.Context, c gwclient.Client, o Options, opts ...BuildOption) (*gwclient.Result, error) {
	var cfg buildConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.planned != nil && cfg.selector == "" && cfg.signing == nil && !cfg.noCache {
		return c.Solve(ctx, gwclient.SolveRequest{Definition: cfg.planned.ToPB()})
	}
	jobs, err := Plan(o)
	if err != nil {
		return nil, err
	}
	var out bkllb.State
	if cfg.selector == "" {
		out = Graph(jobs, o.Packer)
	} else if out, err = Selected(jobs, cfg.selector, o.Packer); err != nil {
		return nil, err
	}
	if cfg.signing != nil {
		if out, err = withSignedMeta(out, jobs, cfg.signing, o.Packer); err != nil {
			return nil, err
		}
	}
	def, err := marshal(ctx, out, cfg.noCache)
	if err != nil {
		return nil, fmt.Errorf("marshalling build graph: %w", err)
	}
	res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func marshal(ctx context.Context, st bkllb.State, noCache bool) (*bkllb.Definition, error) {
	opts := []bkllb.ConstraintsOpt{bkllb.Platform(toolchains.BuildPlatform)}
	if noCache {
		opts = append(opts, bkllb.IgnoreCache)
	}
	return st.Marshal(ctx, opts...)
}
