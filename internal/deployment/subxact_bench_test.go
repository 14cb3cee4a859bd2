package deployment_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mrmflow/internal/deployment"
	"mrmflow/internal/pgtx"
)

// BenchmarkSubtransactionOverflow measures the trap of docs/savepoints.md, "Many subtransactions".
// One savepoint per task means a 1,000-task call runs 1,000 subtransactions, past the 64 PostgreSQL
// caches per backend, and concurrent snapshots then consult pg_subtrans. While 1,000 tasks are
// confirmed it runs a concurrent read-and-write load (readers counting the rows the bulk call is
// changing, writers committing small updates elsewhere) and reports that load's throughput and
// reader p99, for three ways of running the same 1,000 tasks:
//
//   - savepoints:    one call, one savepoint per task (what the service does);
//
//   - chunks-of-50:  twenty calls of 50 tasks (each under the 64-subtransaction cache);
//
//   - no-savepoints: one call with savepoints disabled (the unsafe baseline).
//
//     TEST_DATABASE_URL=... go test ./internal/deployment -run '^$' -bench SubtransactionOverflow -benchtime 1x
func BenchmarkSubtransactionOverflow(b *testing.B) {
	modes := []struct {
		name         string
		batch        int
		noSavepoints bool
	}{
		{"savepoints", 1000, false},
		{"chunks-of-50", 50, false},
		{"no-savepoints", 1000, true},
	}
	for _, mode := range modes {
		b.Run(mode.name, func(b *testing.B) {
			f := newFixture(b, pgtx.Limits{StatementTimeout: time.Minute})
			if mode.noSavepoints {
				deployment.DisableSavepoints(f.svc)
			}
			admin := f.admin()
			regionID := f.region(false)
			// 1 ms per task keeps the writer's transaction open long enough to load it.
			f.exec(`CREATE FUNCTION test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$`)
			f.exec(`CREATE TRIGGER test_slow BEFORE UPDATE ON version_deployment_tasks FOR EACH ROW EXECUTE FUNCTION test_slow()`)
			load := f.secondPool()
			var (
				busy      time.Duration
				loadCount atomic.Int64
				readLat   []time.Duration
			)
			for b.Loop() {
				b.StopTimer()
				_, a := f.pendingTasks(500)
				_, more := f.pendingTasks(500)
				ids := append(a, more...)
				b.StartTimer()
				ctx, stop := context.WithCancel(f.ctx)
				var wg sync.WaitGroup
				var mu sync.Mutex
				for range 2 { // readers
					wg.Go(func() {
						for ctx.Err() == nil {
							start := time.Now()
							var n int
							if err := load.QueryRow(ctx, `SELECT count(*) FROM version_deployment_tasks WHERE status = 'CONFIRMED'`).Scan(&n); err != nil {
								return
							}
							mu.Lock()
							readLat = append(readLat, time.Since(start))
							mu.Unlock()
							loadCount.Add(1)
						}
					})
				}
				wg.Go(func() { // a writer committing small transactions elsewhere
					for ctx.Err() == nil {
						if _, err := load.Exec(ctx, `UPDATE regions SET name = name WHERE region_id = $1`, regionID); err != nil {
							return
						}
						loadCount.Add(1)
					}
				})
				start := time.Now()
				for i := 0; i < len(ids); i += mode.batch {
					if _, err := f.svc.BulkConfirm(f.ctx, admin, ids[i:min(i+mode.batch, len(ids))], confirmIn(), nil); err != nil {
						b.Fatal(err)
					}
				}
				busy += time.Since(start)
				stop()
				wg.Wait()
			}
			if len(readLat) == 0 {
				b.Fatal("no reader samples")
			}
			slices.Sort(readLat)
			b.ReportMetric(float64(1000*b.N)/busy.Seconds(), "tasks/s")
			b.ReportMetric(float64(loadCount.Load())/busy.Seconds(), "load-ops/s")
			b.ReportMetric(float64(readLat[len(readLat)*99/100].Microseconds()), "reader-p99-µs")
		})
	}
}
