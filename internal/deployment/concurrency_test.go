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

// overlappingConfirms runs 8 callers on two pools (as two replicas would), started together on
// random overlapping subsets (in random order) of 300 tasks; tweak adjusts each caller's service.
// It returns every task id and each caller's answer and error.
func overlappingConfirms(t *testing.T, f *fixture, tweak func(*deployment.Service)) (all []int32, subsets [][]int32, results []deployment.BulkResult, errs []error) {
	t.Helper()
	const callers, total, models = 8, 300, 10
	admin := f.admin()
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
	subsets = make([][]int32, callers)
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

	results = make([]deployment.BulkResult, callers)
	errs = make([]error, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		svc := deployment.NewService(pools[i%2], pgtx.Limits{}, metrics.New())
		tweak(svc)
		wg.Go(func() {
			<-start
			res, err := svc.BulkConfirm(context.Background(), admin, subsets[i], confirmIn(), nil)
			results[i], errs[i] = res.Value, err
		})
	}
	close(start)
	wg.Wait()
	return all, subsets, results, errs
}

// TestConcurrentOverlappingBulkConfirms: with tasks locked in ascending id order, the 8
// overlapping callers confirm every task exactly once, each task appears in exactly one
// succeeded list, the others see invalid_status, and nobody deadlocks (40P01) or fails.
func TestConcurrentOverlappingBulkConfirms(t *testing.T) {
	t.Parallel()
	overlappingBulkConfirmsHold(t, newFixture(t, pgtx.Limits{}))
}

// overlappingBulkConfirmsHold runs the overlapping callers on f and checks that every task was
// confirmed exactly once, by one caller, with no deadlock and no other failure.
func overlappingBulkConfirmsHold(t *testing.T, f *fixture) {
	t.Helper()
	all, subsets, results, errs := overlappingConfirms(t, f, func(*deployment.Service) {})
	total := len(all)

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

// Negative control: the same callers locking their tasks in the order they were given (shuffled)
// instead of ascending order wait for each other in a cycle, and PostgreSQL aborts one with 40P01.
func TestConcurrentOverlappingBulkConfirmsInCallerOrderDeadlock(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		f := newFixture(t, pgtx.Limits{})
		_, _, _, errs := overlappingConfirms(t, f, deployment.LockInCallerOrder)
		for _, err := range errs {
			if pgtx.IsSQLState(err, pgtx.DeadlockDetected) {
				t.Logf("round %d: deadlock, as expected without the lock order", round)
				return
			}
		}
	}
	t.Fatal("no deadlock in 3 rounds without the lock order: the overlapping-calls test could not catch one")
}

// confirmLastRegions runs rounds of three callers each confirming one region of the same
// version at once, and returns how many rounds ended with the version lacking its actual
// production date although every region runs it.
func confirmLastRegions(t *testing.T, f *fixture, rounds int) (missed int) {
	t.Helper()
	owner := f.user(domain.RoleUser)
	for round := range rounds {
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
			missed++
		}
	}
	return missed
}

// TestConcurrentConfirmsOfLastRegions: the model lock makes each "every region runs it" check
// see the other confirmations' commits, so the version always ends with its actual production
// date.
func TestConcurrentConfirmsOfLastRegions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	if missed := confirmLastRegions(t, f, 10); missed != 0 {
		t.Fatalf("%d of 10 versions lack their actual production date after all regions confirmed", missed)
	}
}

// Negative control: without the model lock each confirmation's check can miss the other two
// (READ COMMITTED shows only committed rows), and some version ends without its date.
func TestConcurrentConfirmsOfLastRegionsWithoutModelLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	deployment.DisableModelLocks(f.svc)
	if missed := confirmLastRegions(t, f, 30); missed == 0 {
		t.Fatal("every version got its date without the model lock: the test could not catch the race")
	}
}
