package schema

import (
	"maps"
	"slices"
	"strconv"
)

// sources checks the fields of fixed-output sources that CUE cannot tell
// apart without the value of network: digest and image belong to a
// fixed-output source, registry to a generator.
func (c *semantic) sources() {
	check := func(at string, sources []Source) {
		for i, s := range sources {
			p := join(at, "sources", strconv.Itoa(i))
			if !s.FixedOutput() {
				for _, f := range []struct{ name, val string }{{"digest", s.Digest}, {"image", s.Image}} {
					if f.val != "" {
						c.add(join(p, f.name), []string{join(p, "network")},
							"only fixed-output sources (a script with network: true, or a generator) have %s", f.name)
					}
				}
			}
			if s.Registry != "" && s.Generator() == "" {
				c.add(join(p, "registry"), nil, "only generator sources (gomod, npm, pip, cargo) have a registry")
			}
		}
	}
	check("", c.r.Sources)
	for _, name := range slices.Sorted(maps.Keys(c.r.PerTarget)) {
		check(join("per_target", selector(name)), c.r.PerTarget[name].Sources)
	}
}
