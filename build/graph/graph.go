// Package graph assembles a planned build into the one LLB state whose
// files are the build's output: every job's packages side by side, the
// opkg feed index, a selection (buildx --target), signed syspkg metainfo,
// container image roots. It is pure — plan in, llb.State out — so the CLI,
// the gateway frontend and tests share it without a daemon.
package graph

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
)

// Request says which outputs of a plan a build returns.
type Request struct {
	// Select keeps only the outputs it names: an output package, a format,
	// or PACKAGE/FORMAT (see Selectors); "" keeps everything.
	Select string
	// Sign, when set, adds each syspkg package's signed metainfo.
	Sign *Signing
}

// Build is the state holding the package files r asks for from p, with the
// feed index of every directory holding .ipk files.
func Build(p *plan.Plan, r Request) (bkllb.State, error) {
	var out bkllb.State
	var err error
	if r.Select == "" {
		out = all(p.Jobs, p.Packer)
	} else if out, err = Selected(p.Jobs, r.Select, p.Packer); err != nil {
		return out, err
	}
	if r.Sign != nil {
		return signed(out, p.Jobs, r.Sign, p.Packer)
	}
	return out, nil
}

// all is every job's package files side by side (each variant in its
// subdirectory), with the opkg feed index written in-graph by kiln's own
// binary.
func all(jobs []*llb.Job, packer llb.Packer) bkllb.State {
	jobs = append([]*llb.Job(nil), jobs...)
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

// FeedDir is where the index and signing steps see the collected packages.
const FeedDir = "/kiln/feed"

// IsIndex reports whether an output file is a feed index, not a package.
func IsIndex(path string) bool {
	base := path[strings.LastIndexByte(path, '/')+1:]
	return base == "Packages" || base == "Packages.gz"
}

// Marshal turns st into the definition a daemon solves; noCache runs every
// step again instead of answering from the cache (--no-cache).
func Marshal(ctx context.Context, st bkllb.State, noCache bool) (*bkllb.Definition, error) {
	opts := []bkllb.ConstraintsOpt{bkllb.Platform(toolchains.BuildPlatform)}
	if noCache {
		opts = append(opts, bkllb.IgnoreCache)
	}
	def, err := st.Marshal(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("marshalling the build graph: %w", err)
	}
	return def, nil
}
