package deployment_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// pendingTasks makes n regional tasks of one model, owned by a new user, and returns both.
func (f *fixture) pendingTasks(n int) (domain.Actor, []int32) {
	f.t.Helper()
	owner := f.user(domain.RoleUser)
	regions := make([]int32, n)
	targets := make([]*int32, n)
	for i := range regions {
		regions[i] = f.region(false)
		targets[i] = &regions[i]
	}
	tasks := f.tasks(f.version(f.model(owner, regions...), 0), targets...)
	ids := make([]int32, n)
	for i, t := range tasks {
		ids[i] = t.TaskID
	}
	slices.Sort(ids)
	return owner, ids
}

// TestBulkConfirmDatabaseErrorInOneTask: a trigger raising for one task rolls back only that
// task's savepoint; the others commit, the answer says db_error with the SQLSTATE only, and the
// next call on the same pool succeeds.
func TestBulkConfirmDatabaseErrorInOneTask(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner, ids := f.pendingTasks(5)
	chosen := ids[2]
	f.failOnTask(chosen)

	res, err := f.svc.BulkConfirm(f.ctx, owner, ids, confirmIn(), nil)
	if err != nil {
		t.Fatalf("bulk confirm: %v", err)
	}
	want := slices.DeleteFunc(slices.Clone(ids), func(id int32) bool { return id == chosen })
	if !slices.Equal(res.Value.Succeeded, want) {
		t.Fatalf("succeeded = %v, want %v", res.Value.Succeeded, want)
	}
	if len(res.Value.Failed) != 1 || res.Value.Failed[0] != (deployment.Failure{
		TaskID: chosen, Code: deployment.CodeDBError, Message: "database error (SQLSTATE P0001)",
	}) {
		t.Fatalf("failed = %+v", res.Value.Failed)
	}
	for _, id := range ids {
		want := deployment.StatusConfirmed
		if id == chosen {
			want = deployment.StatusPending
		}
		if s := f.taskStatus(id); s != want {
			t.Errorf("task %d is %s, want %s", id, s, want)
		}
	}
	if got := f.auditActions()[chosen]; !slices.Equal(got, []string{"DEPLOYMENT_CONFIRM_FAILED"}) {
		t.Errorf("audit of the failed task = %v", got)
	}
	// The pool is healthy: the next call on it works.
	f.exec(`DROP TRIGGER test_fail_task ON version_deployment_tasks`)
	res, err = f.svc.BulkConfirm(f.ctx, owner, []int32{chosen}, confirmIn(), nil)
	if err != nil || res.Value.SucceededCount != 1 {
		t.Fatalf("next call = %+v, %v", res.Value, err)
	}
}

// TestBulkConfirmStatementTimeoutInOneTask: a statement running past the call's SET LOCAL
// statement_timeout fails its task alone (57014, recovered by the savepoint rollback).
func TestBulkConfirmStatementTimeoutInOneTask(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{StatementTimeout: 200 * time.Millisecond})
	owner, ids := f.pendingTasks(3)
	chosen := ids[0]
	f.sleepOnTask(chosen, 2*time.Second)

	res, err := f.svc.BulkConfirm(f.ctx, owner, ids, confirmIn(), nil)
	if err != nil {
		t.Fatalf("bulk confirm: %v", err)
	}
	if !slices.Equal(res.Value.Succeeded, ids[1:]) || len(res.Value.Failed) != 1 ||
		res.Value.Failed[0].Message != "database error (SQLSTATE 57014)" {
		t.Fatalf("answer = %+v", res.Value)
	}
	if s := f.taskStatus(chosen); s != deployment.StatusPending {
		t.Fatalf("timed-out task is %s", s)
	}
}

// TestBulkCallsKeepPoolHealthy makes 50 bulk calls in a row, each with a database error, a
// missing id, a forbidden task and good tasks: no call fails as a whole (no 25P02 ever leaks),
// and every connection is back in the pool afterwards.
func TestBulkCallsKeepPoolHealthy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	const calls = 50
	owner, ids := f.pendingTasks(calls * 2)
	_, foreign := f.pendingTasks(1)
	poison := ids[0]
	f.failOnTask(poison)
	for i := range calls {
		batch := []int32{poison, foreign[0], 888_888, ids[1+i], ids[calls+i]}
		if i == calls-1 {
			batch = batch[:4]
		}
		res, err := f.svc.BulkAdjust(f.ctx, owner, batch,
			deployment.AdjustInput{PlannedProductionDate: date("2027-01-01"), AdjustmentReason: "slip"}, nil)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if res.Value.FailedCount != 3 || res.Value.SucceededCount != len(batch)-3 {
			t.Fatalf("call %d: %+v", i, res.Value)
		}
	}
	if n := f.db.Pool.Stat().AcquiredConns(); n != 0 {
		t.Fatalf("%d connections still acquired", n)
	}
	var adjusted int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM version_deployment_tasks WHERE status = 'ADJUSTED'`).Scan(&adjusted); err != nil || adjusted != 2*calls-2 {
		t.Fatalf("adjusted = %d, %v", adjusted, err)
	}
}

// TestBulkConfirmConnectionKilled: the server terminates the call's connection while one task
// sleeps. The call fails as a whole (no fake per-task failures) as unavailable (503: the database
// went away, the client may retry), nothing of it commits, and the next call succeeds.
func TestBulkConfirmConnectionKilled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{StatementTimeout: 30 * time.Second})
	owner, ids := f.pendingTasks(4)
	f.sleepOnTask(ids[2], 20*time.Second)
	killer := f.secondPool()

	done := make(chan error, 1)
	go func() {
		_, err := f.svc.BulkConfirm(f.ctx, owner, ids, confirmIn(), nil)
		done <- err
	}()
	ctx, cancel := context.WithTimeout(f.ctx, 15*time.Second)
	defer cancel()
	sleeping := testdb.WaitForBackend(t, killer, 10*time.Second, "wait_event = 'PgSleep'")
	var killed bool
	if err := killer.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, sleeping).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate backend %d: %t, %v", sleeping, killed, err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the call succeeded although its connection was killed")
		}
		if domain.CodeOf(err) != domain.CodeUnavailable || !pgtx.IsSQLState(err, pgtx.AdminShutdown) {
			t.Fatalf("err = %v, want unavailable (503) caused by 57P01", err)
		}
	case <-ctx.Done():
		t.Fatal("the call did not return after its connection was killed")
	}
	for _, id := range ids {
		if s := f.taskStatus(id); s != deployment.StatusPending {
			t.Errorf("task %d is %s after the killed call", id, s)
		}
	}
	if a := f.auditActions(); len(a) != 0 {
		t.Errorf("audit rows of the killed call: %v", a)
	}
	f.exec(`DROP TRIGGER test_sleep_task ON version_deployment_tasks`)
	res, err := f.svc.BulkConfirm(f.ctx, owner, ids, confirmIn(), nil)
	if err != nil || res.Value.SucceededCount != len(ids) {
		t.Fatalf("next call = %+v, %v", res.Value, err)
	}
}

// TestBulkWithoutSavepointsLosesBatch is the negative control: with savepoints disabled the same
// injected failure aborts the transaction, so the call fails and none of the good tasks commit.
// It proves the savepoint tests above can fail.
func TestBulkWithoutSavepointsLosesBatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	deployment.DisableSavepoints(f.svc)
	owner, ids := f.pendingTasks(4)
	f.failOnTask(ids[1])

	res, err := f.svc.BulkConfirm(f.ctx, owner, ids, confirmIn(), nil)
	if err == nil {
		t.Fatalf("without savepoints the batch survived: %+v", res.Value)
	}
	t.Logf("without savepoints: %v", err)
	for _, id := range ids {
		if s := f.taskStatus(id); s != deployment.StatusPending {
			t.Errorf("task %d is %s; the failed batch must have committed nothing", id, s)
		}
	}
}
