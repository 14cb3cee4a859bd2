package deployment_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
)

// TestConcurrentOverlappingBulkConfirms: 8 callers on two pools (as two replicas would) start
// together on random overlapping subsets of 300 tasks. Every task is confirmed exactly once and
// appears in exactly one succeeded list; the others see invalid_status; nobody deadlocks (40P01)
// or fails.
func TestConcurrentOverlappingBulkConfirms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, deployment.Options{})
	const callers, total, models = 8, 300, 10
	admin := f.admin()
	var all []int32
	for range models {
		owner := f.user(domain.RoleUser)
		regions := make([]int32, 3)
		for i := range regions {
			regions[i] = f.region(false)
		}
		m := f.model(owner, regions...)
		for range total / models / len(regions) {
			for _, task := range f.tasks(f.version(m, 0), &regions[0], &regions[1], &regions[2]) {
				all = append(all, task.TaskID)
			}
		}
	}
	pools := []*pgxpool.Pool{f.db.Pool, f.secondPool()}
	subsets := make([][]int32, callers)
	covered := map[int32]bool{}
	for i := range subsets {
		for _, id := range all {
			// Each caller takes about 40% of the tasks; the last one takes the rest, so every task
			// is asked for at least once.
			if rand.IntN(10) < 4 || (i == callers-1 && !covered[id]) {
				subsets[i] = append(subsets[i], id)
				covered[id] = true
			}
		}
		rand.Shuffle(len(subsets[i]), func(a, b int) { subsets[i][a], subsets[i][b] = subsets[i][b], subsets[i][a] })
	}

	results := make([]deployment.BulkResult, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		svc := deployment.NewService(pools[i%2], metrics.New(), deployment.Options{})
		wg.Go(func() {
			<-start
			res, err := svc.BulkConfirm(context.Background(), admin, subsets[i], confirmIn(), nil)
			results[i], errs[i] = res.Value, err
		})
	}
	close(start)
	wg.Wait()

	confirmedBy := map[int32]int{}
	for i, err := range errs {
		if err != nil {
			if pgtx.IsSQLState(err, pgtx.DeadlockDetected) {
				t.Errorf("caller %d deadlocked: %v", i, err)
			} else {
				t.Errorf("caller %d failed: %v", i, err)
			}
			continue
		}
		for _, id := range results[i].Succeeded {
			confirmedBy[id]++
		}
		for _, fl := range results[i].Failed {
			if fl.Code != domain.CodeInvalidStatus {
				t.Errorf("caller %d: unexpected failure %+v", i, fl)
			}
		}
		if results[i].SucceededCount+results[i].FailedCount != len(subsets[i]) {
			t.Errorf("caller %d answered %d+%d for %d tasks", i, results[i].SucceededCount, results[i].FailedCount, len(subsets[i]))
		}
	}
	for _, id := range all {
		if confirmedBy[id] != 1 {
			t.Errorf("task %d is in %d succeeded lists, want 1", id, confirmedBy[id])
		}
	}
	var confirmed, audits int
	err := f.db.Pool.QueryRow(f.ctx, `SELECT
		(SELECT count(*) FROM version_deployment_tasks WHERE status = 'CONFIRMED'),
		(SELECT count(*) FROM audit_logs WHERE action = 'DEPLOYMENT_CONFIRMED')`).Scan(&confirmed, &audits)
	if err != nil || confirmed != total || audits != total {
		t.Fatalf("confirmed %d, confirm audit rows %d, want %d each (%v)", confirmed, audits, total, err)
	}
}

// TestConcurrentConfirmsOfLastRegions: three callers each confirm one region of the same version
// at once. The model lock makes each "every region runs it" check see the others' commits, so
// the version always ends with its actual production date (without the lock, each could miss
// the other two under READ COMMITTED).
func TestConcurrentConfirmsOfLastRegions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, deployment.Options{})
	owner := f.user(domain.RoleUser)
	for round := range 10 {
		r := []int32{f.region(false), f.region(false), f.region(false)}
		v := f.version(f.model(owner, r...), 0)
		tasks := f.tasks(v, &r[0], &r[1], &r[2])
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, len(tasks))
		for i, task := range tasks {
			wg.Go(func() {
				<-start
				_, errs[i] = f.svc.BulkConfirm(context.Background(), owner, []int32{task.TaskID}, confirmIn(), nil)
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		var actual *string
		if err := f.db.Pool.QueryRow(f.ctx, `SELECT actual_production_date::text FROM model_versions WHERE version_id = $1`, v).Scan(&actual); err != nil {
			t.Fatal(err)
		}
		if actual == nil || *actual != "2026-12-05" {
			t.Fatalf("round %d: version %d actual production date = %v after all regions confirmed", round, v, actual)
		}
	}
}
