package frontend

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// noarch is the target of architecture-independent recipes; its platform
// is only where its steps run, so no --platform selects it.
const noarch = "noarch"

// TargetFor maps a BuildKit platform (linux/arm64) to the kiln target of
// set (nil: kiln's own) whose toolchain builds for it (aarch64). A build
// whose recipes are all noarch builds noarch for any platform: the
// packages run on every one. Where several targets build for a platform
// (a repository's rm2 beside kiln's armv7), the first the recipes list
// wins, else the first by name.
func TargetFor(p ocispecs.Platform, recipes []*schema.Recipe, set *toolchains.Set) (string, error) {
	if allNoarch(recipes) {
		return noarch, nil
	}
	type cand struct {
		name string
		p    ocispecs.Platform
	}
	var cands []cand
	var known []string
	for _, name := range set.Names() {
		t, err := set.Lookup(name)
		if err != nil {
			return "", err
		}
		if name == noarch || t.Platform == "" {
			continue
		}
		tp, err := platforms.Parse(t.Platform)
		if err != nil {
			return "", fmt.Errorf("target %s: platform %q: %w", name, t.Platform, err)
		}
		cands = append(cands, cand{name, platforms.Normalize(tp)})
		known = append(known, t.Platform+" ("+name+")")
	}
	var listed []string
	for _, r := range recipes {
		listed = append(listed, r.Targets...)
	}
	rank := func(name string) int {
		if i := slices.Index(listed, name); i >= 0 {
			return i
		}
		return len(listed)
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return rank(a.name) - rank(b.name) })
	// An exact match first, so linux/arm/v7 never picks an older ARM
	// toolchain; then one the platform can run (linux/amd64/v3 -> x86_64).
	p = platforms.Normalize(p)
	for _, c := range cands {
		if platforms.Only(c.p).Match(p) && platforms.Only(p).Match(c.p) {
			return c.name, nil
		}
	}
	for _, c := range cands {
		if platforms.Only(p).Match(c.p) {
			return c.name, nil
		}
	}
	return "", fmt.Errorf("platform %s: no kiln target builds for it (known: %s)", platforms.Format(p), strings.Join(known, ", "))
}

func allNoarch(rs []*schema.Recipe) bool {
	for _, r := range rs {
		if len(r.Targets) != 1 || r.Targets[0] != noarch {
			return false
		}
	}
	return len(rs) > 0
}
