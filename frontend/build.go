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
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
)

// AllTargets selects every target a recipe declares.
const AllTargets = "all"

// Options select what to build and where its inputs come from.
type Options struct {
	Recipes []*schema.Recipe
	// Targets to build; empty or ["all"] means each recipe's own targets.
	Targets   []string
	Toolchain toolchains.Options
	// Context gives the session local holding a recipe's files.
	Context func(r *schema.Recipe) llb.LocalContext
	Packer  llb.Packer
}

// Plan compiles every (recipe, target) job. It is pure, so `kiln llb` and
// tests use it without a daemon.
func Plan(o Options) ([]*llb.Job, error) {
	if err := o.Toolchain.Validate(); err != nil {
		return nil, err
	}
	var jobs []*llb.Job
	seen := map[string]string{}
	for _, r := range o.Recipes {
		targets, err := selectTargets(r, o.Targets)
		if err != nil {
			return nil, err
		}
		for _, tn := range targets {
			t, err := toolchains.Lookup(tn)
			if err != nil {
				return nil, fmt.Errorf("recipe %s (%s): %w", r.Name, r.File, err)
			}
			j, err := llb.Compile(r, llb.Options{Target: t, Toolchain: o.Toolchain, Context: o.Context(r), Packer: o.Packer})
			if err != nil {
				return nil, err
			}
			for _, f := range j.Files {
				if other, dup := seen[f]; dup {
					return nil, fmt.Errorf("recipes %s and %s both produce %s", other, r.Name, f)
				}
				seen[f] = r.Name
			}
			jobs = append(jobs, j)
		}
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("nothing to build")
	}
	return jobs, nil
}

func selectTargets(r *schema.Recipe, want []string) ([]string, error) {
	if len(want) == 0 || (len(want) == 1 && want[0] == AllTargets) {
		return r.Targets, nil
	}
	var out []string
	for _, w := range want {
		if !contains(r.Targets, w) {
			return nil, fmt.Errorf("recipe %s (%s) does not build for target %q (its targets: %s)",
				r.Name, r.File, w, strings.Join(r.Targets, ", "))
		}
		out = append(out, w)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Merge puts every job's package files side by side in one state.
func Merge(jobs []*llb.Job) bkllb.State {
	sort.SliceStable(jobs, func(i, k int) bool { return jobs[i].Files[0] < jobs[k].Files[0] })
	states := make([]bkllb.State, 0, len(jobs))
	for _, j := range jobs {
		states = append(states, j.Output)
	}
	if len(states) == 1 {
		return states[0]
	}
	return bkllb.Merge(states, bkllb.WithCustomName(fmt.Sprintf("collect %d packages", len(states))))
}

// Build is the BuildFunc body shared by the CLI and the gateway frontend.
func Build(ctx context.Context, c gwclient.Client, o Options) (*gwclient.Result, error) {
	jobs, err := Plan(o)
	if err != nil {
		return nil, err
	}
	def, err := Merge(jobs).Marshal(ctx, bkllb.Platform(toolchains.BuildPlatform))
	if err != nil {
		return nil, fmt.Errorf("marshalling build graph: %w", err)
	}
	res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, err
	}
	return res, nil
}
