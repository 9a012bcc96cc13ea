package schema

import (
	"errors"
	"runtime"
	"sync"
)

// LoadAll loads every path (see Load) in parallel, keeping their order.
// It reports the problems of all paths at once.
func LoadAll(paths []string) ([]*Recipe, error) {
	rs := make([]*Recipe, len(paths))
	errs := make([]error, len(paths))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rs[i], errs[i] = Load(p)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return rs, nil
}
