package build

import (
	"context"
	"fmt"
	"sync"

	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/feeds"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/solve"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"golang.org/x/sync/errgroup"
)

// IndexReader reads the indexes of feeds on a daemon, by feeds.Key.
type IndexReader func(ctx context.Context, fs []schema.Feed) (map[string][]byte, error)

// Feeds are the feeds the recipes' repositories list, each once.
func Feeds(rs []*schema.Recipe) []schema.Feed {
	var out []schema.Feed
	seen := map[string]bool{}
	for _, r := range rs {
		for _, f := range r.Feeds {
			if k := feeds.Key(f.URL, f.SHA256); !seen[k] {
				seen[k] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// ReadIndexes is the solve that comes before planning a build whose
// repositories list feeds: the daemon fetches each index (the llb.HTTP
// source pinned by the repository's sha256 that the graph mounts too, so
// it is fetched once) and kiln reads it through the gateway. The plan
// then chooses each feed package and has the daemon fetch it pinned by
// the sha256 its index gives. The CLI runs it in-process (OnDaemon), the
// gateway frontend on its own client: kiln never reaches a feed itself.
func ReadIndexes(ctx context.Context, c gwclient.Client, fs []schema.Feed) (map[string][]byte, error) {
	out := map[string][]byte{}
	var mu sync.Mutex
	eg, ctx := errgroup.WithContext(ctx)
	for _, f := range fs {
		eg.Go(func() error {
			st, file := llb.FeedIndexState(f)
			def, err := st.Marshal(ctx)
			if err != nil {
				return err
			}
			res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
			if err != nil {
				return fmt.Errorf("feed %s: %w", f.URL, err)
			}
			ref, err := res.SingleRef()
			if err != nil {
				return fmt.Errorf("feed %s: %w", f.URL, err)
			}
			data, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: file})
			if err != nil {
				return fmt.Errorf("feed %s: reading the index: %w", f.URL, err)
			}
			mu.Lock()
			out[feeds.Key(f.URL, f.SHA256)] = data
			mu.Unlock()
			return nil
		})
	}
	return out, eg.Wait()
}

// OnDaemon reads indexes on the first of the daemons find gives (called
// only when the build has feeds), with the progress display of a build.
func OnDaemon(find func() ([]daemon.Remote, error), progress string) IndexReader {
	return func(ctx context.Context, fs []schema.Feed) (map[string][]byte, error) {
		ds, err := find()
		if err != nil {
			return nil, err
		}
		if len(ds) == 0 {
			return nil, fmt.Errorf("no daemon to read the feeds' indexes on")
		}
		var out map[string][]byte
		_, err = solve.Run(ctx, solve.Request{Progress: progress, Nodes: []solve.Node{{Daemon: ds[0],
			Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
				var err error
				out, err = ReadIndexes(ctx, c, fs)
				return gwclient.NewResult(), err
			}}}})
		if err != nil {
			return nil, fmt.Errorf("reading the feeds' indexes on %s: %w", ds[0].Addr, err)
		}
		return out, nil
	}
}
