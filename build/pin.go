package build

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/sirupsen/logrus"
)

// Pin resolves, on daemon d, the base images the jobs' toolchains start
// from and takes the graph with them pinned from the graph cache, or
// plans and assembles it again.
func (b *Build) Pin(ctx context.Context, d daemon.Remote) error {
	refs, err := b.unpinned(ctx)
	if err != nil || len(refs) == 0 {
		return err
	}
	c, _, err := d.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	var digests map[string]string
	_, err = c.Build(ctx, client.SolveOpt{}, "kiln", func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
		digests, err = ResolveImages(ctx, gc, refs)
		return gwclient.NewResult(), err
	}, nil)
	if err != nil {
		return fmt.Errorf("daemon %s: %w", d.Addr, err)
	}
	return b.pinTo(ctx, refs, digests)
}

// pinTo takes the graph with refs pinned to digests from the graph cache,
// or plans and assembles it again.
func (b *Build) pinTo(ctx context.Context, refs []string, digests map[string]string) error {
	all := b.cfg.Toolchain.Pins.All()
	if all == nil {
		all = map[string]string{}
	}
	for _, ref := range refs {
		logrus.Debugf("toolchain base image %s is %s", ref, digests[ref])
	}
	maps.Copy(all, digests)
	pins := toolchains.NewPins(all)
	b.planMu.Lock()
	b.cfg.Toolchain.Pins, b.plan = pins, nil
	if b.opts != nil {
		b.opts.Toolchain.Pins = pins
	}
	b.planMu.Unlock()
	if b.fromCache() && b.raw != nil {
		return nil
	}
	p, err := b.Plan(ctx)
	if err != nil {
		return err
	}
	return b.assemble(ctx, p)
}

// PinImages resolves (through gc) the base images the toolchains of p's
// jobs start from, pins them in o and plans again: every daemon then
// pulls the same image by digest, and the SBOMs record it. Images o pins
// already (kiln verify pins the ones the SBOMs record) or replaces (a
// client's named context) are not resolved; with none left, p is the plan.
func PinImages(ctx context.Context, gc gwclient.Client, p *plan.Plan, o *plan.Options) (*plan.Plan, error) {
	refs := unpinnedImages(p, o.Toolchain)
	if len(refs) == 0 {
		return p, nil
	}
	digests, err := ResolveImages(ctx, gc, refs)
	if err != nil {
		return nil, err
	}
	all := o.Toolchain.Pins.All()
	if all == nil {
		all = map[string]string{}
	}
	for _, ref := range refs {
		logrus.Debugf("toolchain base image %s is %s", ref, digests[ref])
	}
	maps.Copy(all, digests)
	o.Toolchain.Pins = toolchains.NewPins(all)
	return plan.New(*o)
}

// unpinnedImages are the images the toolchains of p's jobs start from
// (and the tool images their build steps mount) that o neither pins nor
// replaces, sorted.
func unpinnedImages(p *plan.Plan, o toolchains.Options) []string {
	var out []string
	for _, j := range p.Jobs {
		for _, ref := range append([]string{j.BaseImage}, j.ToolImages...) {
			if ref != "" && o.Digest(ref) == "" && !o.Replaced(ref) {
				out = append(out, ref)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ResolveImages asks a daemon (through gc) for the digest each image
// reference resolves to for the build platform: the digest a pull by
// that reference fetches (the manifest list's, for several platforms).
func ResolveImages(ctx context.Context, gc gwclient.Client, refs []string) (map[string]string, error) {
	out := map[string]string{}
	p := toolchains.BuildPlatform
	for _, ref := range refs {
		_, dgst, _, err := gc.ResolveImageConfig(ctx, ref, sourceresolver.Opt{
			LogName:  "resolve toolchain base image " + ref,
			ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &p, ResolveMode: pb.AttrImageResolveModeDefault},
		})
		if err != nil {
			return nil, fmt.Errorf("resolving %s: %w", ref, err)
		}
		out[ref] = dgst.String()
	}
	return out, nil
}
