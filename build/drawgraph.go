package build

import (
	"github.com/kiln-build/kiln/plan"
)

// Graph plans the recipes at cfg.Paths as a build would (targets,
// variants, options) and returns the jobs' dependency graph, dependency
// cycles included (kiln graph): nothing is built or fetched.
func Graph(cfg Config) (*plan.Graph, error) {
	rs, set, err := LoadRecipes(cfg.Paths)
	if err != nil {
		return nil, err
	}
	ctxFn, _, err := contexts(rs)
	if err != nil {
		return nil, err
	}
	pk, _, err := packer()
	if err != nil {
		return nil, err
	}
	tc := cfg.Toolchain
	if tc.AptMirror == "" {
		tc.AptMirror = "http://apt-mirror.invalid/debian" // nothing is fetched
	}
	return plan.NewGraph(plan.Options{
		Recipes: rs, Targets: splitList(cfg.Targets), Toolchains: set, Toolchain: tc,
		Context: ctxFn, Packer: pk, Set: cfg.Set, Variant: cfg.Variant,
	})
}
