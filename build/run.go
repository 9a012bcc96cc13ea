package build

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/cache"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/pack/ipk/feed"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/provenance"
	"github.com/kiln-build/kiln/solve"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/sirupsen/logrus"
)

// Target is where a build runs and what it writes.
type Target struct {
	// Daemons build the jobs; with several, each gets a share.
	Daemons []daemon.Remote
	Cache   cache.Options
	// OutDir receives the package files.
	OutDir string
	// Progress is a BuildKit display mode: auto, tty, plain, rawjson, quiet.
	Progress string
	// Prune removes, from a feed directory OutDir already holds, the
	// older versions of the packages built; without it they stay.
	Prune bool
}

// Result is what a build wrote.
type Result struct {
	// Summary counts the steps (per daemon in Nodes) and lists the files.
	*solve.Summary
	// Image describes the container image written or pushed ("" = none).
	Image string
}

// Run builds b on t's daemons and writes the files into t.OutDir: all of
// them or, when anything fails, none. A build that failed while solving
// returns its error with a Result holding the steps' runs (no files).
func (b *Build) Run(ctx context.Context, t Target) (*Result, error) {
	if len(t.Daemons) == 0 {
		return nil, fmt.Errorf("no daemon to build on")
	}
	if b.cfg.Sign != nil && t.Daemons[0].PlainTCP() {
		return nil, fmt.Errorf("--sign: daemon %s is plain TCP: the developer key would cross the network unencrypted; give it --tlscacert (TLS), or sign on a unix:// daemon", t.Daemons[0].Addr)
	}
	if err := checkStatic(); err != nil {
		return nil, err
	}
	phase := phases()
	versions := daemonVersions(ctx, t.Daemons)
	if err := b.Pin(ctx, t.Daemons[0]); err != nil {
		return nil, fmt.Errorf("resolving the toolchains' base images: %w", err)
	}
	phase("pinned the base images")
	nodes, err := b.spread(ctx, t)
	if err != nil {
		return nil, err
	}
	steps, err := b.stepKindsLater(ctx)
	if err != nil {
		return nil, err
	}
	phase("graph ready")
	sum, err := solve.Run(ctx, solve.Request{
		Nodes:      nodes,
		Locals:     b.Locals,
		OutDir:     t.OutDir,
		Progress:   t.Progress,
		StepsLater: steps,
	})
	if err != nil {
		if sum != nil {
			// What ran before the failure, for a build report.
			return &Result{Summary: sum}, err
		}
		return nil, err
	}
	phase("solved and exported")
	res := &Result{Summary: sum}
	// The graph indexed only what it built (and each daemon only its
	// share): a directory that was a feed already, or got packages from
	// several daemons, is indexed whole.
	removed, err := feed.Update(sum.Files, t.Prune)
	for _, f := range removed {
		logrus.Infof("removed %s: an older version of a package built", f)
	}
	if err != nil {
		return nil, fmt.Errorf("feed index: %w", err)
	}
	if len(nodes) > 1 {
		sum.Files = slices.Compact(sum.Files)
		if b.cfg.Sign != nil {
			if err := b.signCollected(ctx, t, res); err != nil {
				return nil, err
			}
		}
	}
	// The image first: the provenance names it (its tarball, the digest
	// it was pushed as) among what the build made.
	var images []provenance.Artifact
	if b.image != nil {
		if res.Image, images, err = b.image.run(ctx, b, t); err != nil {
			return nil, err
		}
	}
	phase("feed index, image")
	if err := b.writeProvenance(ctx, t, res, images, versions); err != nil {
		return nil, err
	}
	phase("provenance")
	return res, nil
}

// phases logs (--debug) how long each phase of a build took, for finding
// where a build's own time goes.
func phases() func(done string) {
	last := time.Now()
	return func(done string) {
		now := time.Now()
		logrus.Debugf("%s in %v", done, now.Sub(last).Round(time.Millisecond))
		last = now
	}
}

func (b *Build) secrets() map[string][]byte {
	out := b.fetchSecrets()
	if b.cfg.Sign != nil {
		out[graph.SigningKeySecret] = b.cfg.Sign.Key
	}
	return out
}

// fetchSecrets are what every daemon's fetch steps may need (the host's
// CA certificates), never the signing key.
func (b *Build) fetchSecrets() map[string][]byte {
	out := map[string][]byte{}
	if ca := hostCACertificates(); ca != nil {
		out[llb.CASecret] = ca
	}
	return out
}

// spread gives each daemon its share of the jobs: groups of jobs linked by
// host: dependencies stay together, so nothing is built twice. A daemon
// left without work is still contacted, so a dead one is reported. One
// daemon gets the whole graph in one request, unless it is too large for
// one (see chunks).
func (b *Build) spread(ctx context.Context, t Target) ([]solve.Node, error) {
	ds := t.Daemons
	if len(ds) == 1 {
		size, err := b.definitionSize(ctx)
		if err != nil {
			return nil, err
		}
		ids, err := b.jobIDs(ctx)
		if err != nil {
			return nil, err
		}
		chunks := chunks(size, ids)
		if len(chunks) == 1 {
			def, err := b.Definition(ctx)
			if err != nil {
				return nil, err
			}
			s := Solve{Imports: t.Cache.GatewayImports()}
			return []solve.Node{{Daemon: ds[0], Cache: t.Cache, Secrets: b.secrets(), Definition: def, Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
				return s.def(ctx, c, def)
			}}}, nil
		}
		logrus.Infof("the build graph (%d jobs, %d MiB) is larger than one request to a daemon may be: solving it as %d requests to %s, which share their common steps",
			len(ids), size>>20, len(chunks), ds[0].Addr)
		same := make([]daemon.Remote, len(chunks))
		for i := range same {
			same[i] = ds[0]
		}
		return b.shareNodes(ctx, t, same, chunks)
	}
	groups, err := b.jobGroups(ctx)
	if err != nil {
		return nil, err
	}
	return b.shareNodes(ctx, t, ds, plan.Spread(groups, len(ds)))
}

// definitionSize is the size of the graph marshalled (what one request
// would carry).
func (b *Build) definitionSize(ctx context.Context) (int, error) {
	if b.raw != nil {
		return len(b.raw), nil
	}
	def, err := b.Definition(ctx)
	if err != nil {
		return 0, err
	}
	return def.ToPB().SizeVT(), nil
}

// maxRequest bounds the definition one solve request carries: BuildKit's
// gRPC messages stop at 16 MiB, and a share also carries the jobs its
// jobs depend on. KILN_MAX_REQUEST (bytes) lowers it.
var maxRequest = func() int {
	if n, err := strconv.Atoi(os.Getenv("KILN_MAX_REQUEST")); err == nil && n > 0 && n < 6<<20 {
		return n
	}
	return 6 << 20
}()

// chunks splits the jobs, in build order, into as many consecutive shares
// as keep each request under maxRequest: one for any usual build, several
// for a feed of thousands of recipes. The daemon runs a step that several
// requests share once.
func chunks(size int, ids []string) [][]string {
	n := (size + maxRequest - 1) / maxRequest
	if n <= 1 || len(ids) < 2 {
		return [][]string{ids}
	}
	n = min(n, len(ids))
	out := make([][]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, ids[i*len(ids)/n:(i+1)*len(ids)/n])
	}
	return out
}

// shareNodes makes one solve node per share, on ds[i]; several nodes
// export their cache each to its own reference (cache.Options.ForDaemon).
// Each share's graph comes from the graph cache, or is compiled on its
// node when it starts and kept for the next run (shares.go).
func (b *Build) shareNodes(ctx context.Context, t Target, ds []daemon.Remote, shares [][]string) ([]solve.Node, error) {
	ids, err := b.jobIDs(ctx)
	if err != nil {
		return nil, err
	}
	graphs := b.shareGraphs(shares)
	nodes := make([]solve.Node, len(ds))
	for i, share := range shares {
		nodes[i] = solve.Node{Daemon: ds[i], Cache: t.Cache.ForDaemon(i, len(ds)), Secrets: b.fetchSecrets()}
		if len(share) == 0 {
			logrus.Infof("daemon %s: nothing to build (%d jobs for %d daemons)", ds[i].Addr, len(ids), len(ds))
			continue
		}
		s := Solve{Imports: nodes[i].Cache.GatewayImports()}
		// Signing needs every payload of a package: it runs once they
		// are collected (signCollected), not on each daemon.
		nodes[i].Build = func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			def, err := graphs.definition(ctx, i)
			if err != nil {
				return nil, err
			}
			return s.def(ctx, c, def)
		}
		logrus.Infof("daemon %s builds %s", ds[i].Addr, describeShare(share))
		if len(t.Cache.Exports) > 0 {
			logrus.Infof("daemon %s exports its cache to %s", ds[i].Addr, cache.Describe(nodes[i].Cache.Exports))
		}
	}
	return nodes, nil
}

// describeShare names a share's jobs, or how many when they are many.
func describeShare(share []string) string {
	if len(share) > 8 {
		return fmt.Sprintf("%d jobs (%s ... %s)", len(share), share[0], share[len(share)-1])
	}
	return strings.Join(share, ", ")
}

// signCollected signs, on the first daemon, the metainfo of payloads that
// several daemons built and the build collected into t.OutDir.
func (b *Build) signCollected(ctx context.Context, t Target, res *Result) error {
	p, err := b.Plan(ctx)
	if err != nil {
		return err
	}
	st, err := graph.Collected(p, b.signing())
	if err != nil {
		return err
	}
	locals := maps.Clone(b.Locals)
	locals[graph.CollectedLocal] = t.OutDir
	s := Solve{Imports: t.Cache.GatewayImports()}
	sum, err := solve.Run(ctx, solve.Request{
		Nodes: []solve.Node{{Daemon: t.Daemons[0], Secrets: b.secrets(), Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			return s.state(ctx, c, st)
		}}},
		Locals:   locals,
		OutDir:   t.OutDir,
		Progress: t.Progress,
	})
	if err != nil {
		return fmt.Errorf("signing syspkg metainfo on %s: %w", t.Daemons[0].Addr, err)
	}
	for _, f := range sum.Files {
		if strings.HasSuffix(f, ".json") {
			res.Files = append(res.Files, f)
		}
	}
	return nil
}

// Report is what a build says once done: a line per daemon when several
// built, the total, and the container image.
func (r *Result) Report() []string {
	var out []string
	for _, n := range r.Nodes {
		out = append(out, fmt.Sprintf("daemon %s: %d packages, %s", n.Daemon, CountPackages(n.Files), n))
	}
	out = append(out, fmt.Sprintf("%d packages, %s", CountPackages(r.Files), r.Summary))
	if r.Image != "" {
		out = append(out, "image "+r.Image)
	}
	return out
}
