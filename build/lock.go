package build

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/lock"
	"github.com/kiln-build/kiln/solve"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
)

// ResolvePins resolves commit and sha256 pins on the daemon: BuildKit
// looks up a git ref's commit and downloads a url to hash it, so kiln
// itself never reaches the network (and a remote daemon resolves what it
// would fetch). Digest pins are left to Digests.
func ResolvePins(ctx context.Context, d daemon.Remote, progress string, pins []*lock.Pin) error {
	var mu sync.Mutex
	build := func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
		for _, p := range pins {
			var st bkllb.State
			switch p.Kind {
			case lock.Commit:
				ref := p.Ref
				if ref == "" {
					ref = "HEAD"
				}
				st = bkllb.Git(p.Git, ref)
			case lock.SHA256:
				st = bkllb.HTTP(p.URL)
			default:
				continue
			}
			op, err := sourceOp(ctx, st)
			if err != nil {
				return nil, err
			}
			res, err := c.ResolveSourceMetadata(ctx, op, sourceresolver.Opt{LogName: "resolve " + p.Field})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Field, err)
			}
			mu.Lock()
			switch {
			case p.Kind == lock.Commit && res.Git != nil:
				p.Value = res.Git.CommitChecksum
				if p.Value == "" {
					p.Value = res.Git.Checksum
				}
			case p.Kind == lock.SHA256 && res.HTTP != nil:
				p.Value = res.HTTP.Digest.Encoded()
			}
			mu.Unlock()
			if p.Value == "" {
				return nil, fmt.Errorf("%s: the daemon resolved no %s", p.Field, p.Kind)
			}
		}
		return gwclient.NewResult(), nil
	}
	_, err := solve.Run(ctx, solve.Request{Nodes: []solve.Node{{Daemon: d, Build: build}}, Progress: progress})
	return err
}

// sourceOp is the source op of a one-source state.
func sourceOp(ctx context.Context, st bkllb.State) (*pb.SourceOp, error) {
	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, err
		}
		if s := op.GetSource(); s != nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("no source op")
}

// Digests runs the fetch steps of b's fixed-output sources that have no
// digest, on the first daemon, and returns each one's tree digest by its
// recipe's file and the source's field path in the recipe (see
// llb.DigestReport).
func (b *Build) Digests(ctx context.Context, t Target) (map[DigestOf]string, error) {
	var states []bkllb.State
	files := map[string]DigestOf{} // report file -> the source
	p, err := b.Plan(ctx)
	if err != nil {
		return nil, err
	}
	for _, j := range p.Jobs {
		for _, r := range j.DigestReports {
			name := path.Join(j.Recipe.Name, r.Field)
			if _, dup := files[name]; dup {
				continue // the same source for another target
			}
			files[name] = DigestOf{File: j.Recipe.File, Recipe: j.Recipe.Name, Field: r.Field}
			states = append(states, bkllb.Scratch().File(bkllb.Copy(r.State, "/digest", "/"+name, &bkllb.CopyInfo{CreateDestPath: true}),
				bkllb.WithCustomName(j.Recipe.Name+" "+r.Field+": report digest")))
		}
	}
	out := map[DigestOf]string{}
	if len(states) == 0 {
		return out, nil
	}
	st := states[0]
	if len(states) > 1 {
		st = bkllb.Merge(states, bkllb.WithCustomName(fmt.Sprintf("collect %d digests", len(states))))
	}
	def, err := graph.Marshal(ctx, st, false)
	if err != nil {
		return nil, err
	}
	steps, err := solve.StepKinds(def)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kiln-lock-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	s := Solve{Imports: t.Cache.GatewayImports()}
	_, err = solve.Run(ctx, solve.Request{
		Nodes: []solve.Node{{Daemon: t.Daemons[0], Cache: t.Cache, Secrets: b.fetchSecrets(), Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			return s.def(ctx, c, def)
		}}},
		Locals: b.Locals, OutDir: dir, Progress: t.Progress, Steps: steps,
	})
	if err != nil {
		return nil, err
	}
	for name, of := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return nil, fmt.Errorf("digest of %s %s %s: %w", of.File, of.Recipe, of.Field, err)
		}
		out[of] = strings.TrimSpace(string(data))
	}
	return out, nil
}

// DigestOf names a fixed-output source: its recipe's file and name (a
// repository file has several) and its path in the recipe ("sources.1").
type DigestOf struct{ File, Recipe, Field string }
