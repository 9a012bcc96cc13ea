package build

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/provenance"
	"github.com/kiln-build/kiln/solve"
	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
)

// writeProvenance writes the build's provenance statement into t.OutDir
// (its subjects: res's files and the container image's artifacts) and,
// when signing, has the first daemon sign it (the key stays a BuildKit
// secret).
func (b *Build) writeProvenance(ctx context.Context, t Target, res *Result, images []provenance.Artifact, versions func() (string, error)) error {
	var rel []string
	for _, f := range res.Files {
		r, err := filepath.Rel(t.OutDir, f)
		if err != nil {
			return err
		}
		rel = append(rel, filepath.ToSlash(r))
	}
	docs, err := provenance.ReadSBOMs(t.OutDir, rel)
	if err != nil {
		return fmt.Errorf("provenance: %w", err)
	}
	refs := docs.ImageRefs()
	kiln, _ := Version()
	in := provenance.Build{Targets: splitList(b.cfg.Targets), Options: b.cfg.Set, BaseImage: b.cfg.Toolchain.BaseImage, Kiln: kiln,
		Artifacts: images}
	if len(refs) > 0 {
		if in.Images, err = resolveRefs(ctx, t.Daemons[0], refs); err != nil {
			return fmt.Errorf("provenance: daemon %s: %w", t.Daemons[0].Addr, err)
		}
	}
	if in.BuildKit, err = versions(); err != nil {
		return err
	}
	if in.Jobs, err = b.provenanceJobs(ctx); err != nil {
		return err
	}
	st, err := provenance.Statement(in, t.OutDir, rel, docs)
	if err != nil {
		return fmt.Errorf("provenance: %w", err)
	}
	data, err := provenance.Marshal(st)
	if err != nil {
		return err
	}
	name := filepath.Join(t.OutDir, provenance.File)
	if err := atomicfile.WriteIfChanged(name, data, 0o644); err != nil {
		return fmt.Errorf("provenance: %w", err)
	}
	res.Files = append(res.Files, name)
	if b.cfg.Sign != nil {
		return b.signProvenance(ctx, t, data, res)
	}
	return nil
}

// daemonVersions asks every daemon for its BuildKit version (the
// provenance names them) while the build runs; the function returned
// waits for the answers and joins the versions.
func daemonVersions(ctx context.Context, ds []daemon.Remote) func() (string, error) {
	vs := make([]string, len(ds))
	errs := make([]error, len(ds))
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vs[i], errs[i] = daemonVersion(ctx, d)
		}()
	}
	return func() (string, error) {
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				return "", fmt.Errorf("provenance: daemon %s: %w", ds[i].Addr, err)
			}
		}
		slices.Sort(vs)
		return strings.Join(slices.Compact(vs), ","), nil
	}
}

func daemonVersion(ctx context.Context, d daemon.Remote) (string, error) {
	c, _, err := d.Connect(ctx)
	if err != nil {
		return "", err
	}
	defer c.Close()
	info, err := c.Info(ctx)
	if err != nil {
		return "", err
	}
	return info.BuildkitVersion.Version, nil
}

// resolveRefs asks d for the digests of the images the SBOMs name without
// one.
func resolveRefs(ctx context.Context, d daemon.Remote, refs []string) (map[string]string, error) {
	c, _, err := d.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var images map[string]string
	_, err = c.Build(ctx, client.SolveOpt{}, "kiln", func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
		images, err = ResolveImages(ctx, gc, refs)
		return gwclient.NewResult(), err
	}, nil)
	return images, err
}

// signProvenance has the first daemon sign statement into t.OutDir.
func (b *Build) signProvenance(ctx context.Context, t Target, statement []byte, res *Result) error {
	st := graph.SignProvenance(statement, &b.cfg.Sign.Signing, b.packer)
	s := Solve{Imports: t.Cache.GatewayImports()}
	sum, err := solve.Run(ctx, solve.Request{
		Nodes: []solve.Node{{Daemon: t.Daemons[0], Secrets: b.secrets(), Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			return s.state(ctx, c, st)
		}}},
		Locals:   b.Locals,
		OutDir:   t.OutDir,
		Progress: t.Progress,
	})
	if err != nil {
		return fmt.Errorf("signing the provenance on %s: %w", t.Daemons[0].Addr, err)
	}
	res.Files = append(res.Files, sum.Files...)
	return nil
}
