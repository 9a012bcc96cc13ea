// Package build owns one kiln build from recipes to files: it loads the
// recipes and plans them once, assembles the whole graph (build/graph),
// solves it on one or several BuildKit daemons and exports the packages,
// the feed index, signed metainfo and container images. The CLI parses
// flags and prints; the gateway frontend maps BuildKit's options and calls
// the same plan, graph and solve functions (SolvePackages, SolveImage).
package build

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/build/graphcache"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/provenance"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/solve"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/sirupsen/logrus"
)

// Config is what a user asks of a build on the host.
type Config struct {
	// Paths are recipe files, recipe directories or repositories ("."
	// when empty).
	Paths []string
	// Targets to build; empty or "all" means each recipe's own targets.
	Targets []string
	// Toolchain settings; an empty AptMirror means the host's.
	Toolchain toolchains.Options
	// Set gives recipe options: each recipe declaring any of them builds
	// one variant with them, instead of its variants.
	Set map[string]string
	// Variant, when not nil, picks one variant (0-based) of each recipe.
	Variant *int
	// Sign, when set, writes each syspkg package's signed metainfo.
	Sign *Signing
	// Image, when set, also builds the container image (formats.oci).
	Image *Image
	// NoCache runs every step again instead of answering from the
	// daemon's cache, as a daemon with an empty cache would (kiln verify).
	NoCache bool
	// Indexes reads the indexes of the feeds the repositories list, on a
	// daemon, before planning (OnDaemon); nil fails a build with feeds.
	Indexes IndexReader
}

// Signing is graph.Signing plus the developer key, which reaches the
// daemons only as the BuildKit secret graph.SigningKeySecret.
type Signing struct {
	graph.Signing
	Key []byte
}

// Build is a planned build, ready to run on daemons.
type Build struct {
	// graph is the whole graph as one daemon solves it; def is it
	// marshalled (Definition), once asked for: a build pins its images
	// and assembles again before it solves, and a build spread over
	// several daemons marshals only each one's share.
	graph bkllb.State
	def   *bkllb.Definition
	// raw is the graph marshalled, as the graph cache gave it: decoded
	// only when needed (kiln llb writes it as it is).
	raw []byte
	// compiled: graph is assembled (a graph cache entry may have come
	// without its graph).
	compiled bool
	// Locals maps the graph's session locals to host directories.
	Locals map[string]string
	cfg    Config
	// cache holds compiled graphs (nil: off); cached is what came with
	// the graph from it, when it did (see cachedgraph.go).
	cache  *graphCache
	cached *graphEntry
	// plan and opts: a build prepared from the cache plans only when
	// something asks (Plan), loading the recipes then.
	planMu    sync.Mutex
	plan      *plan.Plan
	opts      *plan.Options // what plan was (or will be) planned from
	packer    llb.Packer
	packerDir string
	stepsOnce sync.Once
	steps     map[string]string
	stepsErr  error
	image     *imageExport
}

// Prepare loads the recipes and plans the build, before any daemon is
// contacted, so bad input fails fast. When the graph cache holds the graph
// of these very inputs, the recipes are neither loaded nor planned: the
// graph comes from there, and the plan waits until asked for.
func Prepare(ctx context.Context, cfg Config) (*Build, error) {
	if cfg.Toolchain.AptMirror == "" {
		cfg.Toolchain.AptMirror = HostAptMirror()
	}
	pk, pkDir, err := packer()
	if err != nil {
		return nil, err
	}
	b := &Build{cfg: cfg, packer: pk, packerDir: pkDir, cache: openGraphCache(cfg)}
	if b.fromCache() {
		for _, n := range b.cached.Notes {
			logrus.Info(n) // as planning said it
		}
		return b, nil
	}
	if b.Locals, err = b.load(ctx); err != nil {
		return nil, err
	}
	p, err := b.Plan(ctx)
	if err != nil {
		return nil, err
	}
	if err := b.assemble(ctx, p); err != nil {
		return nil, err
	}
	return b, nil
}

// load reads the recipes, their directories' .gitignore files, the host's
// fetch settings and the feeds' indexes into b.opts, and returns the
// session locals.
func (b *Build) load(ctx context.Context) (map[string]string, error) {
	rs, set, err := LoadRecipes(b.cfg.Paths)
	if err != nil {
		return nil, err
	}
	ctxFn, locals, excludes, err := contexts(rs)
	if err != nil {
		return nil, err
	}
	locals[packerLocal] = b.packerDir
	tc := b.cfg.Toolchain
	tc.Fetch = hostFetch(generatorKinds(rs), tc.Fetch)
	var indexes map[string][]byte
	if fs := Feeds(rs); len(fs) > 0 {
		if b.cfg.Indexes == nil {
			return nil, fmt.Errorf("feed %s: planning a build with feeds reads their indexes on a daemon, and this command has none", fs[0].URL)
		}
		if indexes, err = b.cfg.Indexes(ctx, fs); err != nil {
			return nil, err
		}
	}
	b.opts = &plan.Options{
		Indexes:    indexes,
		Recipes:    rs,
		Targets:    splitList(b.cfg.Targets),
		Toolchains: set,
		Toolchain:  tc,
		Context:    ctxFn,
		Packer:     b.packer,
		Set:        b.cfg.Set,
		Variant:    b.cfg.Variant,
	}
	if b.cache != nil {
		b.cache.excludes = excludes
	}
	return locals, nil
}

// Plan is the build's plan, made when first asked for by a build whose
// graph came from the cache (safe to call from several goroutines).
func (b *Build) Plan(ctx context.Context) (*plan.Plan, error) {
	b.planMu.Lock()
	defer b.planMu.Unlock()
	if b.plan != nil {
		return b.plan, nil
	}
	if b.opts == nil {
		if _, err := b.load(ctx); err != nil {
			return nil, err
		}
	}
	p, err := plan.New(*b.opts)
	if err != nil {
		return nil, err
	}
	b.plan = p
	return p, nil
}

// assemble builds the whole graph of p: once when prepared, again when
// the base images are pinned (Pin).
func (b *Build) assemble(ctx context.Context, p *plan.Plan) error {
	var err error
	b.image, b.cached = nil, nil
	if b.cfg.Image != nil {
		if b.image, err = newImageExport(p, b.cfg.Image); err != nil {
			return err
		}
	}
	b.def, b.raw = nil, nil
	b.graph, err = graph.Build(p, graph.Request{Sign: b.signing()})
	b.compiled = err == nil
	return err
}

// Definition is the whole graph as one daemon solves it (what `kiln llb`
// prints), marshalled the first time it is asked for, or read from the
// graph cache, which keeps it for the next run.
func (b *Build) Definition(ctx context.Context) (*bkllb.Definition, error) {
	if b.def != nil {
		return b.def, nil
	}
	if b.raw != nil {
		def, err := graphcache.Decode(b.raw)
		if err == nil {
			b.def = def
			return def, nil
		}
		// Only a damaged cache entry gets here: compile instead.
		logrus.Warnf("%v: compiling the graph", err)
	}
	if !b.compiled {
		p, err := b.Plan(ctx)
		if err != nil {
			return nil, err
		}
		if err := b.assemble(ctx, p); err != nil {
			return nil, err
		}
	}
	def, err := graph.Marshal(ctx, b.graph, b.cfg.NoCache)
	if err != nil {
		return nil, err
	}
	b.def = def
	if b.cache != nil {
		// Marshalled once: kept, and what kiln llb writes.
		if raw, err := def.ToPB().MarshalVT(); err == nil {
			b.raw = raw
			b.storeGraph(raw)
		}
	}
	return def, nil
}

// WriteDefinition writes the graph as Definition marshals it (what
// `kiln llb` prints): the bytes the graph cache gave or keeps as they are.
func (b *Build) WriteDefinition(ctx context.Context, w io.Writer) error {
	if b.raw == nil {
		if _, err := b.Definition(ctx); err != nil {
			return err
		}
	}
	if b.raw != nil {
		_, err := w.Write(b.raw)
		return err
	}
	return bkllb.WriteTo(b.def, w)
}

// stepKinds are the graph's step kinds by name, for the summary; only a
// solve needs them (not kiln llb), so they are read from the definition
// then.
func (b *Build) stepKinds(ctx context.Context) (map[string]string, error) {
	b.stepsOnce.Do(func() {
		def, err := b.Definition(ctx)
		if err != nil {
			b.stepsErr = err
			return
		}
		b.steps, b.stepsErr = solve.StepKinds(def)
	})
	return b.steps, b.stepsErr
}

// stepKindsLater works the step kinds out once the solve is done when the
// graph is at hand (marshalled, or read back: a feed's graph takes a
// moment to decode, and the first steps should not wait for it), else
// before it.
func (b *Build) stepKindsLater(ctx context.Context) (func() map[string]string, error) {
	if b.def == nil && b.raw == nil {
		steps, err := b.stepKinds(ctx)
		if err != nil {
			return nil, err
		}
		return func() map[string]string { return steps }, nil
	}
	return func() map[string]string {
		steps, err := b.stepKinds(ctx)
		if err != nil {
			logrus.Warnf("the summary cannot tell steps apart: %v", err)
		}
		return steps
	}, nil
}

func (b *Build) signing() *graph.Signing {
	if b.cfg.Sign == nil {
		return nil
	}
	return &b.cfg.Sign.Signing
}

// splitList splits comma-separated flag values.
func splitList(v []string) []string {
	var out []string
	for _, x := range v {
		for _, p := range strings.Split(x, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// ParseOptions reads recipe options given as NAME=VALUE (kiln build --opt).
func ParseOptions(kvs []string) (map[string]string, error) {
	set := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--opt %q: want NAME=VALUE", kv)
		}
		set[k] = v
	}
	return set, nil
}

// ParseVariant reads a variant number (0-based) given as setting; "" is
// every variant (nil).
func ParseVariant(setting, v string) (*int, error) {
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%s=%s: want a variant number (0-based)", setting, v)
	}
	return &n, nil
}

// CountPackages counts package files among files, leaving out feed
// indexes, SBOMs and the provenance.
func CountPackages(files []string) int {
	n := 0
	for _, f := range files {
		if base := filepath.Base(f); !graph.IsIndex(f) && !strings.HasSuffix(f, sbom.Ext) &&
			base != provenance.File && base != provenance.SignedFile {
			n++
		}
	}
	return n
}

// BuildctlCommand is the buildctl command line that builds Def with the
// session locals it reads (for `kiln llb | buildctl build ...`).
func (b *Build) BuildctlCommand() string {
	cmd := "buildctl build"
	for _, n := range slices.Sorted(maps.Keys(b.Locals)) {
		cmd += fmt.Sprintf(" --local %s=%s", n, b.Locals[n])
	}
	return cmd
}
