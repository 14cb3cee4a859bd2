package deployment_test

import (
	"context"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mrmflow/internal/deployment"
)

// TestMeasureSubtransactionOverflow measures DESIGN.md's "Many savepoints" trap. One savepoint
// per task means a 1,000-task call runs 1,000 subtransactions, past the 64 PostgreSQL caches per
// backend, and concurrent snapshots then consult pg_subtrans. While 1,000 tasks are confirmed it
// runs a concurrent read-and-write load (readers counting the rows the bulk call is changing,
// writers committing small updates elsewhere) and reports that load's throughput and reader
// latency, for three ways of running the same 1,000 tasks:
//
//   - savepoints:    one call, one savepoint per task (what the service does);
//   - chunks-of-50:  twenty calls of 50 tasks (each under the 64-subtransaction cache);
//   - no-savepoints: one call with savepoints disabled (the unsafe baseline).
//
// It is a measurement, not a check (it asserts nothing and is skipped unless MRMFLOW_MEASURE=1):
//
//	MRMFLOW_MEASURE=1 TEST_DATABASE_URL=... go test ./internal/deployment -run MeasureSubtransaction -v
func TestMeasureSubtransactionOverflow(t *testing.T) {
	if os.Getenv("MRMFLOW_MEASURE") == "" {
		t.Skip("a measurement; set MRMFLOW_MEASURE=1 to run it")
	}
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
		f := newFixture(t, deployment.Options{StatementTimeout: time.Minute})
		if mode.noSavepoints {
			deployment.DisableSavepoints(f.svc)
		}
		_, a := f.pendingTasks(500)
		_, b := f.pendingTasks(500)
		ids := append(a, b...)
		admin := f.admin()
		regionID := f.region(false)
		// 1 ms per task keeps the writer's transaction open long enough to load it.
		f.exec(`CREATE FUNCTION test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$`)
		f.exec(`CREATE TRIGGER test_slow BEFORE UPDATE ON version_deployment_tasks FOR EACH ROW EXECUTE FUNCTION test_slow()`)
		load := f.secondPool()
		ctx, stop := context.WithCancel(f.ctx)
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			readLat   []time.Duration
			loadCount atomic.Int64
		)
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
				t.Fatal(err)
			}
		}
		total := time.Since(start)
		stop()
		wg.Wait()
		slices.Sort(readLat)
		if len(readLat) == 0 {
			t.Fatal("no reader samples")
		}
		t.Logf("%-13s 1000 tasks in %6v (%4.0f tasks/s); concurrent load %5.0f ops/s; reader p50 %v p99 %v",
			mode.name, total.Round(time.Millisecond), 1000/total.Seconds(), float64(loadCount.Load())/total.Seconds(),
			readLat[len(readLat)/2].Round(time.Microsecond), readLat[len(readLat)*99/100].Round(time.Microsecond))
	}
}
