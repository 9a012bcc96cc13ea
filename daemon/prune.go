package daemon

import (
	"context"
	"errors"
	"fmt"

	"github.com/moby/buildkit/client"
)

// PruneOptions say how much of the managed daemon's build cache to keep.
// With none set, Prune removes all of it that no build uses.
type PruneOptions struct {
	// KeepStorage keeps the most recently used cache up to this many bytes.
	KeepStorage int64
	// MinFree removes cache until this many bytes of the daemon's disk are
	// available to it (the filesystem's reserved blocks not counted).
	MinFree int64
	// All also removes what BuildKit keeps for itself (base image layers,
	// internal records), not just build results.
	All bool
}

// PruneResult is what a prune removed.
type PruneResult struct {
	Records int
	Bytes   int64
}

// Prune frees the managed daemon's build cache, least recently used first,
// as far as opts allow. It does not start a daemon: with none running there
// is nothing it could prune safely.
func (m *Managed) Prune(ctx context.Context, opts PruneOptions) (PruneResult, error) {
	st, err := m.Status(ctx)
	if err != nil {
		return PruneResult{}, err
	}
	if !st.Running {
		return PruneResult{}, errors.New("the managed buildkitd is not running (kiln daemon start)")
	}
	c, err := client.New(ctx, st.Addr)
	if err != nil {
		return PruneResult{}, err
	}
	defer c.Close()

	minFree := opts.MinFree
	if minFree > 0 {
		// BuildKit counts reserved blocks as free (see gcFor).
		minFree += max(reservedBytes(st.Root), 0)
	}
	pruneOpts := []client.PruneOption{client.WithKeepOpt(0, 0, opts.KeepStorage, minFree)}
	if opts.All {
		pruneOpts = append(pruneOpts, client.PruneAll)
	}
	ch := make(chan client.UsageInfo)
	done := make(chan PruneResult)
	go func() {
		var r PruneResult
		for u := range ch {
			r.Records++
			r.Bytes += u.Size
		}
		done <- r
	}()
	err = c.Prune(ctx, ch, pruneOpts...)
	close(ch)
	r := <-done
	if err != nil {
		return r, fmt.Errorf("pruning the build cache of %s: %w", st.Addr, err)
	}
	return r, nil
}
