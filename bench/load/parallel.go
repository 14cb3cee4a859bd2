package load

import (
	"context"
	"sync"
	"sync/atomic"
)

// fixtureWorkers is how many fixture requests are in flight at once: enough to build 2,000
// models in a few seconds, few enough not to need a large server pool.
const fixtureWorkers = 8

// forEach runs fn(ctx, i) for i in [0, n) on up to workers goroutines and returns the first
// error; after an error the remaining indexes are skipped (the context passed to fn is
// cancelled). It is the fixture builder's only concurrency, kept here so the fixture files read
// as plain sequences of API calls.
func forEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}
