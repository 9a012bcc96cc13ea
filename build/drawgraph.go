package build

import (
	"github.com/kiln-build/kiln/plan"
)

// Graph plans the recipes at cfg.Paths as a build would (targets,
// variants, options) and returns the jobs' dependency graph, dependency
// cycles included (kiln graph): nothing is built or fetched.
func Graph(cfg Config) (*plan.Graph, error) {
	o, err := offlinePlan(cfg.Paths)
	if err != nil {
		return nil, err
	}
	o.Targets, o.Set, o.Variant = splitList(cfg.Targets), cfg.Set, cfg.Variant
	if cfg.Toolchain.AptMirror == "" {
		cfg.Toolchain.AptMirror = o.Toolchain.AptMirror
	}
	o.Toolchain = cfg.Toolchain
	return plan.NewGraph(o)
}
