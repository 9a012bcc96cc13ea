// Command importrootfs turns root filesystem directories (one per platform,
// e.g. from debootstrap) into one multi-platform image pushed to a registry.
// The project's set-up uses it to put a Debian base image into the local
// registry on machines that cannot reach a public one.
//
//	importrootfs --addr unix:///... --ref 127.0.0.1:5000/library/debian:bookworm \
//	    linux/amd64=/path/rootfs-amd64 [linux/arm64=/path/rootfs-arm64 ...]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/util/progress/progressui"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"
)

func main() {
	addr := flag.String("addr", "", "BuildKit daemon address")
	ref := flag.String("ref", "", "image reference to push")
	insecure := flag.Bool("insecure", true, "push over plain HTTP")
	flag.Parse()
	if *addr == "" || *ref == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: importrootfs --addr ADDR --ref REF PLATFORM=DIR...")
		os.Exit(2)
	}
	if err := run(context.Background(), *addr, *ref, *insecure, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "importrootfs:", err)
		os.Exit(1)
	}
}

type rootfs struct {
	platform ocispecs.Platform
	key      string // platform as used in result keys, e.g. linux/amd64
	local    string // session local name
	dir      string
}

func run(ctx context.Context, addr, ref string, insecure bool, args []string) error {
	var roots []rootfs
	mounts := map[string]fsutil.FS{}
	for i, a := range args {
		p, dir, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("argument %q: want PLATFORM=DIR", a)
		}
		plat, err := platforms.Parse(p)
		if err != nil {
			return fmt.Errorf("argument %q: %w", a, err)
		}
		plat = platforms.Normalize(plat)
		fs, err := fsutil.NewFS(dir)
		if err != nil {
			return fmt.Errorf("rootfs %s: %w", dir, err)
		}
		name := fmt.Sprintf("rootfs%d", i)
		mounts[name] = fs
		roots = append(roots, rootfs{platform: plat, key: platforms.Format(plat), local: name, dir: dir})
	}

	c, err := client.New(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()

	attrs := map[string]string{"name": ref, "push": "true", "oci-mediatypes": "true"}
	if insecure {
		attrs["registry.insecure"] = "true"
	}
	opt := client.SolveOpt{
		Exports:     []client.ExportEntry{{Type: client.ExporterImage, Attrs: attrs}},
		LocalMounts: mounts,
	}
	ch := make(chan *client.SolveStatus)
	eg, ctx := errgroup.WithContext(ctx)
	eg.Go(func() error {
		_, err := c.Build(ctx, opt, "", func(ctx context.Context, gc gateway.Client) (*gateway.Result, error) {
			return buildResult(ctx, gc, roots)
		}, ch)
		return err
	})
	eg.Go(func() error {
		d, err := progressui.NewDisplay(os.Stderr, progressui.AutoMode)
		if err != nil {
			return err
		}
		_, err = d.UpdateFrom(ctx, ch)
		return err
	})
	return eg.Wait()
}

func buildResult(ctx context.Context, gc gateway.Client, roots []rootfs) (*gateway.Result, error) {
	res := gateway.NewResult()
	var exp exptypes.Platforms
	for _, r := range roots {
		st := llb.Local(r.local, llb.WithCustomName("rootfs "+r.key+" from "+r.dir))
		def, err := st.Marshal(ctx, llb.Platform(r.platform))
		if err != nil {
			return nil, err
		}
		out, err := gc.Solve(ctx, gateway.SolveRequest{Definition: def.ToPB()})
		if err != nil {
			return nil, err
		}
		ref, err := out.SingleRef()
		if err != nil {
			return nil, err
		}
		cfg := ocispecs.Image{
			Platform: r.platform,
			Config: ocispecs.ImageConfig{
				Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
				Cmd: []string{"bash"},
			},
			RootFS: ocispecs.RootFS{Type: "layers"},
		}
		cfgJSON, err := json.Marshal(cfg)
		if err != nil {
			return nil, err
		}
		res.AddRef(r.key, ref)
		res.AddMeta(exptypes.ExporterImageConfigKey+"/"+r.key, cfgJSON)
		exp.Platforms = append(exp.Platforms, exptypes.Platform{ID: r.key, Platform: r.platform})
	}
	b, err := json.Marshal(exp)
	if err != nil {
		return nil, err
	}
	res.AddMeta(exptypes.ExporterPlatformsKey, b)
	return res, nil
}
