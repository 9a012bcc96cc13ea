package graph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/containerd/platforms"
	"github.com/kiln-build/kiln/llb"
)

// ImageTarget is the selector (buildx --target) that asks for the
// container image instead of package files.
const ImageTarget = "oci"

// ImageJobs picks the jobs whose recipe asks for a container image, one
// per platform (the first variant): they make one multi-platform image, so
// they must all come from one recipe.
func ImageJobs(jobs []*llb.Job) ([]*llb.Job, error) {
	var out []*llb.Job
	recipes := map[string]bool{}
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.Image == nil {
			continue
		}
		recipes[j.Recipe.Name] = true
		key := platforms.Format(j.Image.Platform)
		if !seen[key] {
			seen[key] = true
			out = append(out, j)
		}
	}
	switch {
	case len(recipes) == 0:
		return nil, fmt.Errorf("no recipe in this build asks for a container image (formats: oci)")
	case len(recipes) > 1:
		names := make([]string, 0, len(recipes))
		for n := range recipes {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("recipes %s each ask for a container image: build one at a time", strings.Join(names, ", "))
	}
	sort.Slice(out, func(i, k int) bool {
		return platforms.Format(out[i].Image.Platform) < platforms.Format(out[k].Image.Platform)
	})
	return out, nil
}
