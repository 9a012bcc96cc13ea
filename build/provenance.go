package build

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

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
func (b *Build) writeProvenance(ctx context.Context, t Target, res *Result, images []provenance.Artifact) error {
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
	var versions []string
	for i, d := range t.Daemons {
		v, images, err := daemonFacts(ctx, d, refs, i == 0)
		if err != nil {
			return fmt.Errorf("provenance: daemon %s: %w", d.Addr, err)
		}
		versions = append(versions, v)
		if images != nil {
			in.Images = images
		}
	}
	slices.Sort(versions)
	in.BuildKit = strings.Join(slices.Compact(versions), ",")
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
	if err := atomicfile.Write(name, data, 0o644); err != nil {
		return fmt.Errorf("provenance: %w", err)
	}
	res.Files = append(res.Files, name)
	if b.cfg.Sign != nil {
		return b.signProvenance(ctx, t, data, res)
	}
	return nil
}

// daemonFacts asks a daemon for its BuildKit version and, when resolve is
// set, for the digests the image references refs resolve to there.
func daemonFacts(ctx context.Context, d daemon.Remote, refs []string, resolve bool) (string, map[string]string, error) {
	c, _, err := d.Connect(ctx)
	if err != nil {
		return "", nil, err
	}
	defer c.Close()
	info, err := c.Info(ctx)
	if err != nil {
		return "", nil, err
	}
	if !resolve || len(refs) == 0 {
		return info.BuildkitVersion.Version, nil, nil
	}
	var images map[string]string
	_, err = c.Build(ctx, client.SolveOpt{}, "kiln", func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
		images, err = ResolveImages(ctx, gc, refs)
		return gwclient.NewResult(), err
	}, nil)
	return info.BuildkitVersion.Version, images, err
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
