package build

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/oci"
	"github.com/kiln-build/kiln/plan"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	commonexptypes "github.com/moby/buildkit/exporter/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"golang.org/x/sync/errgroup"
)

// SolveImage is the BuildFunc body for a container image: one ref per
// target platform, with its image configuration, for BuildKit's image and
// oci exporters.
func SolveImage(ctx context.Context, c gwclient.Client, p *plan.Plan, s Solve) (*gwclient.Result, error) {
	imgs, err := graph.ImageJobs(p.Jobs)
	if err != nil {
		return nil, err
	}
	refs := make([]gwclient.Reference, len(imgs))
	configs := make([][]byte, len(imgs))
	eg, ectx := errgroup.WithContext(ctx)
	for i, j := range imgs {
		eg.Go(func() error {
			r, err := s.state(ectx, c, j.Image.Root)
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
