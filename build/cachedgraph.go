package build

import (
	"context"
	"errors"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/build/graphcache"
	"github.com/kiln-build/kiln/gitignore"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/provenance"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/sirupsen/logrus"
	"golang.org/x/sync/errgroup"
)

// A build's graph is a pure function of the recipe and target files, the
// configuration, the host's fetch settings, the recipe directories'
// .gitignore files and the kiln binary. The graph cache keys it by the
// first two and this binary, and keeps the others in the entry, checked
// again on a hit; so an unchanged repository's graph is read back instead
// of loaded, planned and compiled (issue 16: a feed of 2,500 recipes).
// KILN_GRAPH_CACHE=off disables it.

// graphCache is the cache and the key of one build's inputs.
type graphCache struct {
	dir  graphcache.Cache
	base graphcache.Key // the key without the pins (see key)
	// excludes are the .gitignore patterns load read, for the entry.
	excludes map[string][]string
	// checked is the last entry found to stand (see stale).
	checked *graphEntry
}

// graphEntry is what a cached graph stands on beyond its key, and what a
// build needs of its plan when it has none (see Build.Plan). An entry
// may come without its graph: a build stores one under the key of its
// unpinned graph, which it never marshals, for the next run to know the
// images to pin without planning (Pin).
type graphEntry struct {
	Locals map[string]string `json:"locals"`
	// Excludes are each recipe directory's patterns from its .gitignore
	// files, which depend on the directory's files: read again on a hit.
	Excludes map[string][]string `json:"excludes"`
	// LocalFiles are the files the recipes name (true: a directory),
	// which loading checks are there.
	LocalFiles map[string]bool `json:"local_files"`
	// Kinds are the recipes' generators; Fetch the host settings they
	// resolved to (hostFetch), asked again on a hit.
	Kinds []string         `json:"kinds"`
	Fetch toolchains.Fetch `json:"fetch"`
	// Images are the base images Pin resolves, IDs the jobs in build
	// order and Jobs what the provenance says of each.
	Images []string         `json:"images"`
	IDs    []string         `json:"ids"`
	Jobs   []provenance.Job `json:"jobs"`
	// Groups are the jobs host: dependencies link (plan.Groups), which
	// several daemons share out.
	Groups [][]string `json:"groups"`
	// Notes are what planning told the user, told again.
	Notes []string `json:"notes,omitempty"`
}

// openGraphCache keys cfg's inputs; nil when the cache is off, or cfg
// is not cacheable (a container image's export needs its plan) or its
// files cannot be read (loading reports why).
func openGraphCache(cfg Config) *graphCache {
	if os.Getenv("KILN_GRAPH_CACHE") == "off" || cfg.Image != nil || cfg.Toolchain.Images != nil {
		return nil
	}
	dir, salt, err := kilnCache("graphs")
	if err != nil {
		return nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil
	}
	k := graphcache.NewKey(salt)
	k.Add("cwd", []byte(wd))
	var sign *graphSigning
	if cfg.Sign != nil {
		sign = &graphSigning{Cert: cfg.Sign.Cert, BaseURL: cfg.Sign.BaseURL}
	}
	err = k.AddJSON("config", keyedConfig{Paths: cfg.Paths, Targets: cfg.Targets, BaseImage: cfg.Toolchain.BaseImage,
		AptMirror: cfg.Toolchain.AptMirror, Fetch: cfg.Toolchain.Fetch, Set: cfg.Set, Variant: cfg.Variant,
		NoCache: cfg.NoCache, Sign: sign})
	if err != nil || addFiles(k, cfg.Paths) != nil {
		return nil
	}
	return &graphCache{dir: graphcache.Cache{Dir: dir}, base: *k}
}

// keyedConfig is what of Config the graph depends on (Pins are added by
// key; the signing key is a secret, never in the graph).
type keyedConfig struct {
	Paths, Targets []string
	BaseImage      string
	AptMirror      string
	Fetch          toolchains.Fetch
	Set            map[string]string
	Variant        *int
	NoCache        bool
	Sign           *graphSigning
}

type graphSigning struct {
	Cert    []byte
	BaseURL string
}

// addFiles adds the target and recipe files paths stand for, as loading
// finds them.
func addFiles(k *graphcache.Key, paths []string) error {
	read := map[string][]byte{}
	srcs, recipePaths, files, err := findSources(paths, false, read)
	if err != nil {
		return err
	}
	for _, s := range srcs {
		k.Add("targets "+s.File, s.Data)
	}
	k.Add("recipe paths", []byte(strings.Join(recipePaths, "\x00")))
	for _, f := range files {
		data, ok := read[f]
		if !ok {
			if data, err = os.ReadFile(f); err != nil {
				return err
			}
		}
		k.Add("recipe "+f, data)
	}
	return nil
}

// key is the base key with the base images' pins.
func (c *graphCache) key(pins *toolchains.Pins) string {
	k := c.pinned(pins)
	return k.String()
}

func (c *graphCache) pinned(pins *toolchains.Pins) graphcache.Key {
	k := c.base
	_ = k.AddJSON("pins", pins.All()) // a map of strings always encodes
	return k
}

// fromCache takes the graph from the cache when it holds one for b's
// inputs that still stands.
func (b *Build) fromCache() bool {
	c := b.cache
	if c == nil {
		return false
	}
	var e graphEntry
	raw, ok := c.dir.Get(c.key(b.cfg.Toolchain.Pins), &e)
	if !ok {
		return false
	}
	// The pinned graph's entry usually records what the unpinned one's,
	// checked a moment ago, did.
	if c.checked == nil || !e.sameInputs(c.checked) {
		if why := e.stale(b.cfg.Toolchain.Fetch); why != "" {
			logrus.Debugf("graph cache: %s", why)
			return false
		}
		c.checked = &e
	}
	b.def, b.raw, b.cached, b.Locals = nil, raw, &e, e.Locals
	b.graph, b.compiled = bkllb.State{}, false
	if raw != nil {
		logrus.Debugf("graph cache: the graph of %d jobs read back", len(e.IDs))
	}
	return true
}

// sameInputs: e and o record the same inputs beyond the key.
func (e *graphEntry) sameInputs(o *graphEntry) bool {
	return e.Fetch == o.Fetch && slices.Equal(e.Kinds, o.Kinds) && maps.Equal(e.LocalFiles, o.LocalFiles) &&
		maps.EqualFunc(e.Excludes, o.Excludes, slices.Equal[[]string])
}

// stale tells why the graph no longer stands ("" when it does).
func (e *graphEntry) stale(given toolchains.Fetch) string {
	kinds := map[string]bool{}
	for _, k := range e.Kinds {
		kinds[k] = true
	}
	if hostFetch(kinds, given) != e.Fetch {
		return "the host's fetch settings changed"
	}
	for p, dir := range e.LocalFiles {
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() != dir || !(dir || fi.Mode().IsRegular()) {
			return p + " changed"
		}
	}
	// One walk per recipe directory: side by side, as they wait on the
	// kernel more than on a core.
	var g errgroup.Group
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	for dir, pats := range e.Excludes {
		g.Go(func() error {
			if now, err := gitignore.Patterns(dir); err != nil || !slices.Equal(now, pats) {
				return errors.New("the files of " + dir + " changed")
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err.Error()
	}
	return ""
}

// storeGraph keeps b's freshly marshalled graph for the next run, or
// with raw nil only the entry.
func (b *Build) storeGraph(raw []byte) {
	if b.cache == nil || b.opts == nil || b.plan == nil {
		return
	}
	p, o := b.plan, b.opts
	e := graphEntry{Locals: b.Locals, Excludes: b.cache.excludes, LocalFiles: map[string]bool{},
		Fetch: o.Toolchain.Fetch, Images: unpinnedImages(p, o.Toolchain), IDs: p.IDs, Groups: p.Groups(), Notes: p.Notes}
	for _, r := range o.Recipes {
		for _, f := range schema.LocalPaths(r) {
			fi, err := os.Stat(f)
			if err != nil {
				return // loading checked it: it went since
			}
			e.LocalFiles[f] = fi.IsDir()
		}
	}
	e.Kinds = slices.Sorted(maps.Keys(generatorKinds(o.Recipes)))
	jobs, err := jobsOf(p)
	if err != nil {
		return
	}
	e.Jobs = jobs
	b.cache.dir.Put(b.cache.key(o.Toolchain.Pins), &e, raw)
}

// jobsOf is what the provenance says of each job of p.
func jobsOf(p *plan.Plan) ([]provenance.Job, error) {
	var out []provenance.Job
	for _, j := range p.Jobs {
		dg, err := llb.RecipeDigest(j.Recipe)
		if err != nil {
			return nil, err
		}
		out = append(out, provenance.Job{Recipe: j.Recipe.Name, Target: j.Target.Name, Variant: j.Variant, Digest: dg})
	}
	return out, nil
}

// planFact is what the graph cache's entry says (cached), or, for a build
// compiled here, what its plan gives (planned).
func planFact[T any](ctx context.Context, b *Build, cached func(*graphEntry) T, planned func(*plan.Plan) (T, error)) (T, error) {
	if b.cached != nil {
		return cached(b.cached), nil
	}
	p, err := b.Plan(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return planned(p)
}

// jobIDs are the jobs in build order.
func (b *Build) jobIDs(ctx context.Context) ([]string, error) {
	return planFact(ctx, b, func(e *graphEntry) []string { return e.IDs }, func(p *plan.Plan) ([]string, error) { return p.IDs, nil })
}

// jobGroups are the jobs by group (plan.Groups).
func (b *Build) jobGroups(ctx context.Context) ([][]string, error) {
	return planFact(ctx, b, func(e *graphEntry) [][]string { return e.Groups }, func(p *plan.Plan) ([][]string, error) { return p.Groups(), nil })
}

// provenanceJobs are what the provenance says of the jobs.
func (b *Build) provenanceJobs(ctx context.Context) ([]provenance.Job, error) {
	return planFact(ctx, b, func(e *graphEntry) []provenance.Job { return e.Jobs }, jobsOf)
}

// unpinned are the base images Pin resolves.
func (b *Build) unpinned(ctx context.Context) ([]string, error) {
	return planFact(ctx, b, func(e *graphEntry) []string { return e.Images }, func(p *plan.Plan) ([]string, error) {
		b.storeGraph(nil) // the next run pins without planning
		return unpinnedImages(p, b.opts.Toolchain), nil
	})
}
