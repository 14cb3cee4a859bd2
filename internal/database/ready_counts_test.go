package database_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/testdb"
)

// readyFixture is one model running in regions eu and us, two versions covered by one TARGETED
// request: v1 GLOBAL, v2 REGIONAL in eu only. The request waits in PENDING_APPROVAL.
type readyFixture struct {
	user, eu, us, model, v1, v2, request int32
}

func newReadyFixture(t *testing.T, pool *pgxpool.Pool) readyFixture {
	t.Helper()
	var f readyFixture
	f.user = scalar(t, pool, `INSERT INTO users (email, full_name, role) VALUES ('a@bank.test', 'Admin', 'ADMIN') RETURNING user_id`)
	f.eu = scalar(t, pool, `INSERT INTO regions (code, name) VALUES ('EU', 'EU') RETURNING region_id`)
	f.us = scalar(t, pool, `INSERT INTO regions (code, name) VALUES ('US', 'US') RETURNING region_id`)
	f.model = scalar(t, pool, `INSERT INTO models (model_name, owner_id) VALUES ('Retail PD', $1) RETURNING model_id`, f.user)
	exec(t, pool, `INSERT INTO model_regions (model_id, region_id) VALUES ($1, $2), ($1, $3)`, f.model, f.eu, f.us)
	version := func(number, scope string) int32 {
		return scalar(t, pool, `INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by)
			VALUES ($1, $2, 'change', $3, $4) RETURNING version_id`, f.model, number, scope, f.user)
	}
	f.v1, f.v2 = version("1.0", "GLOBAL"), version("2.0", "REGIONAL")
	exec(t, pool, `INSERT INTO model_version_regions (version_id, region_id) VALUES ($1, $2)`, f.v2, f.eu)
	f.request = scalar(t, pool, `INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
		VALUES ($1, 'TARGETED', 'LOW', '2027-01-01') RETURNING request_id`, f.user)
	exec(t, pool, `INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, false)`, f.request, f.model)
	exec(t, pool, `UPDATE model_versions SET validation_request_id = $1 WHERE version_id IN ($2, $3)`, f.request, f.v1, f.v2)
	for _, s := range []string{"PLANNING", "IN_PROGRESS", "PENDING_APPROVAL"} {
		exec(t, pool, `UPDATE validation_requests SET status = $1 WHERE request_id = $2`, s, f.request)
	}
	return f
}

// readyCounts returns the model's maintained count and the view's.
func readyCounts(t *testing.T, pool *pgxpool.Pool, model int32) (kept, view int) {
	t.Helper()
	ctx := context.Background()
	if err := pool.QueryRow(ctx, `SELECT c.ready_rows, (SELECT count(*) FROM deployment_readiness r WHERE r.model_id = c.model_id)
		FROM model_ready_counts c WHERE c.model_id = $1`, model).Scan(&kept, &view); err != nil {
		t.Fatal(err)
	}
	return kept, view
}

// TestReadyCountsFollowTheView writes with raw SQL, bypassing the service and in autocommit, every
// kind of statement that changes which deployment_readiness rows a model has (migration
// 20261206002030): the approval (the request's status), a confirmed
// task inserted, a pending one confirmed, a region added to the model, a version's region
// removed, a version's scope changed, a version moved off its request, a confirmed task deleted.
// After each commit the model's model_ready_counts row equals its rows in the view, and so does
// every other model's. The control drops the task update's flush in this test's own database: a
// confirmation then leaves the count behind, so the checks above can fail.
func TestReadyCountsFollowTheView(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	f := newReadyFixture(t, d.Pool)
	want := func(step string, rows int) {
		t.Helper()
		kept, view := readyCounts(t, d.Pool, f.model)
		if view != rows {
			t.Fatalf("%s: the view has %d rows for the model, the test expects %d", step, view, rows)
		}
		if kept != view {
			t.Errorf("%s: model_ready_counts says %d, the view has %d", step, kept, view)
		}
		var stale int
		if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM models m
			LEFT JOIN model_ready_counts c ON c.model_id = m.model_id
			WHERE c.ready_rows IS DISTINCT FROM (SELECT count(*) FROM deployment_readiness r WHERE r.model_id = m.model_id)`).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Errorf("%s: %d models' counts differ from the view", step, stale)
		}
	}
	task := func(version int32, region *int32, status string) int32 {
		return scalar(t, d.Pool, `INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, planned_production_date,
				status, actual_production_date, confirmed_by_id, confirmed_at)
			VALUES ($1, $2, $3, $4, '2027-01-01', $5::deployment_task_status,
				CASE WHEN $5::text = 'CONFIRMED' THEN date '2027-01-01' END, CASE WHEN $5::text = 'CONFIRMED' THEN $4::int END,
				CASE WHEN $5::text = 'CONFIRMED' THEN now() END)
			RETURNING task_id`, version, f.model, region, f.user, status)
	}
	confirm := `UPDATE version_deployment_tasks SET status = 'CONFIRMED', actual_production_date = '2027-01-01',
		confirmed_by_id = $2, confirmed_at = now() WHERE task_id = $1`

	want("pending approval", 0)
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'APPROVED' WHERE request_id = $1`, f.request)
	want("approved", 3) // v1 in eu and us, v2 in eu: the request's status decides, not its history
	exec(t, d.Pool, `INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by)
		VALUES ($1, 'PENDING_APPROVAL', 'APPROVED', $2)`, f.request, f.user)
	want("approved, its history row written", 3)
	euTask := task(f.v1, &f.eu, "CONFIRMED")
	want("v1 confirmed in eu", 2)
	global := task(f.v2, nil, "PENDING")
	want("a pending global task of v2", 2)
	exec(t, d.Pool, confirm, global, f.user)
	want("v2 confirmed everywhere", 1)
	asia := scalar(t, d.Pool, `INSERT INTO regions (code, name) VALUES ('SG', 'Singapore') RETURNING region_id`)
	exec(t, d.Pool, `INSERT INTO model_regions (model_id, region_id) VALUES ($1, $2)`, f.model, asia)
	want("the model runs in a third region", 2)
	exec(t, d.Pool, `DELETE FROM version_deployment_tasks WHERE task_id = $1`, euTask)
	want("v1's eu confirmation deleted", 3)
	exec(t, d.Pool, `DELETE FROM version_deployment_tasks WHERE task_id = $1`, global)
	want("v2's global confirmation deleted", 4)
	exec(t, d.Pool, `DELETE FROM model_version_regions WHERE version_id = $1`, f.v2)
	want("v2 in no region", 3)
	exec(t, d.Pool, `UPDATE model_versions SET scope = 'GLOBAL' WHERE version_id = $1`, f.v2)
	want("v2 global", 6)
	exec(t, d.Pool, `UPDATE model_versions SET validation_request_id = NULL WHERE version_id = $1`, f.v1)
	want("v1 no longer covered", 3)

	// The control: without the flush of a task's update, a confirmation is not recounted.
	exec(t, d.Pool, `DROP TRIGGER version_deployment_tasks_update_ready_flush ON version_deployment_tasks`)
	exec(t, d.Pool, confirm, task(f.v2, nil, "PENDING"), f.user)
	if kept, view := readyCounts(t, d.Pool, f.model); kept == view {
		t.Errorf("without the flush the count followed the view (%d): the checks above could not fail", kept)
	}
}

// flushLock is the statement of model_ready_flush that locks the marked models' count rows.
var flushLock = regexp.MustCompile(`PERFORM 1\s+FROM model_ready_counts c\s+WHERE c\.model_id = ANY \(marked\)\s+ORDER BY c\.model_id\s+FOR UPDATE;`)

// dropFlushLock replaces model_ready_flush, in d only, by the migration's own function without its
// lock statement (read back with pg_get_functiondef, so the control follows the migration).
func dropFlushLock(t *testing.T, d *testdb.DB) {
	t.Helper()
	var def string
	if err := d.Pool.QueryRow(context.Background(), `SELECT pg_get_functiondef('model_ready_flush'::regproc)`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	unlocked := flushLock.ReplaceAllString(def, "")
	if unlocked == def {
		t.Fatalf("model_ready_flush has no lock statement to drop:\n%s", def)
	}
	exec(t, d.Pool, unlocked)
}

// TestReadyCountsUnderConcurrentWriters: two transactions change the same model's ready rows
// through different tables — one approves the request (status and history row), the other
// confirms v1's eu task — and each recounts before the other commits (SET CONSTRAINTS ALL
// IMMEDIATE runs the flush early, as a commit would). The second recount waits for the first
// transaction's lock on the count row and then counts with its writes: the count is the view's.
// The control replaces the flush, in this test's own database, by one without the lock: the
// second recount then counts without the first transaction's approval and leaves the count
// stale.
func TestReadyCountsUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		noLock bool
	}{{"locked", false}, {"control without the lock", true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := testdb.New(t, 4)
			ctx := context.Background()
			f := newReadyFixture(t, d.Pool)
			task := scalar(t, d.Pool, `INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, planned_production_date)
				VALUES ($1, $2, $3, $4, '2027-01-01') RETURNING task_id`, f.v1, f.model, f.eu, f.user)
			if c.noLock {
				dropFlushLock(t, d)
			}
			begin := func() pgx.Tx {
				tx, err := d.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = tx.Rollback(context.WithoutCancel(ctx)) })
				return tx
			}
			run := func(tx pgx.Tx, sql string, args ...any) {
				t.Helper()
				if _, err := tx.Exec(ctx, sql, args...); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			approve, deploy := begin(), begin()
			run(approve, `UPDATE validation_requests SET status = 'APPROVED' WHERE request_id = $1`, f.request)
			run(approve, `INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by)
				VALUES ($1, 'PENDING_APPROVAL', 'APPROVED', $2)`, f.request, f.user)
			run(approve, `SET CONSTRAINTS ALL IMMEDIATE`)
			run(deploy, `UPDATE version_deployment_tasks SET status = 'CONFIRMED', actual_production_date = '2027-01-01',
				confirmed_by_id = $2, confirmed_at = now() WHERE task_id = $1`, task, f.user)
			var deployPID int32
			if err := deploy.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&deployPID); err != nil {
				t.Fatal(err)
			}
			flushed := make(chan error, 1)
			go func() {
				_, err := deploy.Exec(ctx, `SET CONSTRAINTS ALL IMMEDIATE`)
				flushed <- err
			}()
			// The second recount waits for the first transaction's row lock either way (the
			// control's update of the count row waits too), so it cannot finish first: the first
			// commits only once the second is seen blocked on a lock.
			testdb.WaitForBackend(t, d.Pool, 10*time.Second, "pid = $1 AND wait_event_type = 'Lock'", deployPID)
			select {
			case err := <-flushed:
				t.Fatalf("the second recount did not wait for the first transaction: %v", err)
			default:
			}
			if err := approve.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-flushed; err != nil {
				t.Fatal(err)
			}
			if err := deploy.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			kept, view := readyCounts(t, d.Pool, f.model)
			if view != 2 { // v1 in us, v2 in eu
				t.Fatalf("the view has %d rows for the model, the test expects 2", view)
			}
			if c.noLock {
				if kept == view {
					t.Errorf("without the lock the count is the view's (%d): the test could not catch a stale count", kept)
				}
				return
			}
			if kept != view {
				t.Errorf("model_ready_counts says %d, the view has %d", kept, view)
			}
		})
	}
}
