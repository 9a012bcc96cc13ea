package llb

import (
	"encoding/json"
	"fmt"

	"github.com/containerd/platforms"
	"github.com/kiln-build/kiln/oci"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Image is a job's container image: the runtime base for the target's
// platform with the job's packages installed, and its configuration.
type Image struct {
	Root     llb.State
	Config   []byte
	Platform ocispecs.Platform
	// Base is the runtime base image; Installed names the packages put on it.
	Base      string
	Installed []string
}

// image builds the job's image when the recipe asks for one (formats.oci).
func (c *compiler) image(job *Job) (*Image, error) {
	opts, ok := c.r.Formats["oci"]
	if !ok {
		return nil, nil
	}
	raw, err := json.Marshal(opts)
	if err != nil {
		return nil, fmt.Errorf("formats.oci: %w", err)
	}
	o, err := oci.Decode(raw)
	if err != nil {
		return nil, err
	}
	plat, err := platforms.Parse(c.o.Target.Platform)
	if err != nil {
		return nil, fmt.Errorf("target %s: platform %q: %w", c.o.Target.Name, c.o.Target.Platform, err)
	}
	plat = platforms.Normalize(plat)
	base := o.Base
	if base == "" && c.o.Target.Kind == toolchains.KindImage {
		return nil, fmt.Errorf("formats.oci: target %s builds in a toolchain image, which is no runtime base: set formats.oci.base", c.o.Target.Name)
	}
	if base == "" {
		base = c.o.Target.Image
		if c.o.Toolchain.BaseImage != "" {
			base = c.o.Toolchain.BaseImage
		}
	}
	// The packages are unpacked by kiln's unpack, in the toolchain, into
	// the base mounted beside it: files only, as an offline install.
	pkgs, err := c.closure(job.ipks())
	if err != nil {
		return nil, err
	}
	mounts, run := unpack(c, pkgs, "/kiln/install", "/kiln/rootfs")
	runOpts := append(append(c.env(), mounts...), run, llb.Network(llb.NetModeNone),
		c.name("install %d package(s) into the %s image", len(pkgs), platforms.Format(plat)))
	root := c.tc.Run(runOpts...).AddMount("/kiln/rootfs",
		llb.Image(base, llb.Platform(plat), c.name("runtime base %s", base)))
	cfg, err := oci.Config(o, oci.Meta{Name: c.r.Name, Version: c.r.Version, Summary: c.r.Summary,
		License: c.r.License, Homepage: c.r.Homepage, Maintainer: c.r.Maintainer, Epoch: c.r.Epoch}, plat)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, p := range pkgs {
		files = append(files, p.File)
	}
	return &Image{Root: root, Config: cfg, Platform: plat, Base: base, Installed: files}, nil
}
