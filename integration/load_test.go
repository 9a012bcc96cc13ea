package integration

import (
	"sync"
	"testing"
)

// TestConcurrentBuilds: several kiln processes building overlapping sets
// of recipes on the one managed daemon at once all succeed, and each
// package is byte-identical to the serial build's.
func TestConcurrentBuilds(t *testing.T) {
	requireIntegration(t)
	_, want := sharedCache(t)
	sets := [][]string{examples, examples, {examples[0]}, {examples[1]}, examples, {examples[1], examples[0]}}
	outs := make([]string, len(sets))
	results := make([]result, len(sets))
	var wg sync.WaitGroup
	for i, set := range sets {
		outs[i] = t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = kiln(t, nil, append([]string{"build", "--target", "all", "-o", outs[i], "--progress", "plain"}, set...)...)
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			t.Errorf("build %d of %v: %v\n%s", i, sets[i], r.err, tail(r.stderr, 15))
			continue
		}
		sameBytes(t, want, outs[i])
	}
}
