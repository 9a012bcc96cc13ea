package build

import (
	"context"
	"sync"

	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/build/graphcache"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/sirupsen/logrus"
)

// shareGraphs are the graphs of a build's shares (several daemons, or one
// daemon given a graph too large for one request). They are kept in the
// graph cache as one entry, under the build's key and the shares, so an
// unchanged feed's build sends its first request without planning.
type shareGraphs struct {
	b      *Build
	shares [][]string
	key    string   // "": no cache
	raw    [][]byte // the graphs the cache gave, marshalled
	mu     sync.Mutex
	once   sync.Once
	made   [][]byte // the graphs compiled, marshalled to keep
	left   int      // shares still to compile before they are kept
	// compiled are the shares' graphs compiled in order, in the
	// background, when the cache had none: a node waits for its own,
	// and all get kept even if the daemon starts the shares one by one.
	compiled []compiledShare
}

type compiledShare struct {
	done chan struct{}
	def  *bkllb.Definition
	err  error
}

type sharesHeader struct {
	Sizes []int `json:"sizes"`
}

// shareGraphs finds the graphs of shares in the cache; those it does not
// find are compiled by definition.
func (b *Build) shareGraphs(shares [][]string) *shareGraphs {
	g := &shareGraphs{b: b, shares: shares, made: make([][]byte, len(shares))}
	for _, s := range shares {
		if len(s) > 0 {
			g.left++
		}
	}
	if b.cache == nil {
		return g
	}
	k := b.cache.pinned(b.cfg.Toolchain.Pins)
	if k.AddJSON("shares", shares) != nil {
		return g
	}
	g.key = k.String()
	var h sharesHeader
	body, ok := b.cache.dir.Get(g.key, &h)
	if !ok || len(h.Sizes) != len(shares) {
		return g
	}
	raw := make([][]byte, len(shares))
	for i, n := range h.Sizes {
		if n < 0 || n > len(body) {
			return g
		}
		raw[i], body = body[:n], body[n:]
	}
	if len(body) == 0 {
		g.raw = raw
		logrus.Debugf("graph cache: the graphs of %d shares read back", len(shares))
	}
	return g
}

// definition is share i's graph: from the cache, or compiled (planning
// the build first if its graph came from the cache).
func (g *shareGraphs) definition(ctx context.Context, i int) (*bkllb.Definition, error) {
	if g.raw != nil {
		def, err := graphcache.Decode(g.raw[i])
		if err == nil {
			return def, nil
		}
		logrus.Warnf("%v: compiling the graph of share %d", err, i)
		return g.compile(ctx, i)
	}
	g.once.Do(func() { g.compileAll(context.WithoutCancel(ctx)) })
	c := &g.compiled[i]
	select {
	case <-c.done:
		return c.def, c.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// compileAll compiles every share's graph in order, in the background.
func (g *shareGraphs) compileAll(ctx context.Context) {
	g.compiled = make([]compiledShare, len(g.shares))
	for i := range g.compiled {
		g.compiled[i].done = make(chan struct{})
	}
	go func() {
		for i := range g.shares {
			c := &g.compiled[i]
			if len(g.shares[i]) > 0 {
				c.def, c.err = g.compile(ctx, i)
			}
			close(c.done)
		}
	}()
}

// compile compiles share i's graph (planning the build first if its
// graph came from the cache) and keeps it.
func (g *shareGraphs) compile(ctx context.Context, i int) (*bkllb.Definition, error) {
	p, err := g.b.Plan(ctx)
	if err != nil {
		return nil, err
	}
	sp, err := p.Only(g.shares[i])
	if err != nil {
		return nil, err
	}
	st, err := graph.Build(sp, graph.Request{})
	if err != nil {
		return nil, err
	}
	def, err := graph.Marshal(ctx, st, g.b.cfg.NoCache)
	if err != nil {
		return nil, err
	}
	g.keep(i, def)
	return def, nil
}

// keep holds share i's graph until every share's is compiled, then keeps
// them all in the cache.
func (g *shareGraphs) keep(i int, def *bkllb.Definition) {
	if g.key == "" || g.raw != nil {
		return
	}
	data, err := def.ToPB().MarshalVT()
	if err != nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.made[i] != nil {
		return
	}
	g.made[i] = data
	if g.left--; g.left > 0 {
		return
	}
	h := sharesHeader{Sizes: make([]int, len(g.made))}
	var body []byte
	for i, d := range g.made {
		h.Sizes[i] = len(d)
		body = append(body, d...)
	}
	g.b.cache.dir.Put(g.key, &h, body)
}
