package frontend

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/oci"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	commonexptypes "github.com/moby/buildkit/exporter/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"golang.org/x/sync/errgroup"
)

// ImageTarget is the --target that asks the gateway frontend for the
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

// BuildImage is the BuildFunc body for a container image: one ref per
// target platform, with its image configuration, for BuildKit's image and
// oci exporters.
func BuildImage(ctx context.Context, c gwclient.Client, o Options) (*gwclient.Result, error) {
	jobs, err := Plan(o)
	if err != nil {
		return nil, err
	}
	imgs, err := ImageJobs(jobs)
	if err != nil {
		return nil, err
	}
	refs := make([]gwclient.Reference, len(imgs))
	configs := make([][]byte, len(imgs))
	eg, ectx := errgroup.WithContext(ctx)
	for i, j := range imgs {
		eg.Go(func() error {
			def, err := j.Image.Root.Marshal(ectx, bkllb.Platform(toolchains.BuildPlatform))
			if err != nil {
				return fmt.Errorf("marshalling the %s image: %w", j.Target.Name, err)
			}
			r, err := c.Solve(ectx, gwclient.SolveRequest{Definition: def.ToPB()})
			if err != nil {
				return err
			}
			if refs[i], err = r.SingleRef(); err != nil {
				return err
			}
			plat := j.Image.Platform
			_, _, base, err := c.ResolveImageConfig(ectx, j.Image.Base, sourceresolver.Opt{
				ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &plat}})
			if err != nil {
				return fmt.Errorf("resolving %s for %s: %w", j.Image.Base, platforms.Format(plat), err)
			}
			configs[i], err = oci.WithHistory(j.Image.Config, base, "kiln: install "+strings.Join(j.Image.Installed, " "))
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	res := gwclient.NewResult()
	var exp exptypes.Platforms
	for i, j := range imgs {
		key := platforms.Format(j.Image.Platform)
		res.AddRef(key, refs[i])
		res.AddMeta(exptypes.ExporterImageConfigKey+"/"+key, configs[i])
		exp.Platforms = append(exp.Platforms, exptypes.Platform{ID: key, Platform: j.Image.Platform})
	}
	meta, err := json.Marshal(exp)
	if err != nil {
		return nil, err
	}
	res.AddMeta(exptypes.ExporterPlatformsKey, meta)
	// The recipe's timestamp clamps what the exporters write (with
	// rewrite-timestamp, the layers too), as SOURCE_DATE_EPOCH would.
	res.AddMeta(commonexptypes.ExporterEpochKey, []byte(strconv.FormatInt(imgs[0].Recipe.Epoch, 10)))
	return res, nil
}
