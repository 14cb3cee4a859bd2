package deployment_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// confirmsSharingAValidation: two bulk confirms of two models covered by one validation request
// both create that request's regional approvals, in opposite region order. A test trigger makes
// every task update take 300 ms, so each call has inserted its first approval before it reaches
// its second: unless something orders them, each then waits for the other's uncommitted approval
// row and PostgreSQL kills one task with 40P01 (db_error). (At 100 ms a busy machine could start
// the second call after the first had already passed both approvals, and the negative control
// missed the deadlock once the tasks' statements were pipelined.) tweak adjusts the service. It returns
// both calls' answers and the request's approval count.
func confirmsSharingAValidation(t *testing.T, tweak func(*deployment.Service)) ([]deployment.BulkResult, int) {
	t.Helper()
	f := newFixture(t, pgtx.Limits{StatementTimeout: 10 * time.Second})
	tweak(f.svc)
	eu, us := f.region(true), f.region(true)
	owner := f.user(domain.RoleUser)
	req := f.validation("IN_PROGRESS") // covers no region: both need a regional approval
	modelA, modelB := f.model(owner, eu, us), f.model(owner, eu, us)
	versionB := f.version(modelB, req)
	tasksA := f.tasks(f.version(modelA, req), &eu, &us)                 // ascending ids: EU, then US
	tasksB := append(f.tasks(versionB, &us), f.tasks(versionB, &eu)...) // ascending ids: US, then EU
	f.exec(`CREATE FUNCTION test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$`)
	f.exec(`CREATE TRIGGER test_slow BEFORE UPDATE ON version_deployment_tasks FOR EACH ROW EXECUTE FUNCTION test_slow()`)

	in := confirmIn()
	in.ValidationOverrideReason = "interim use approved by the model risk committee"
	calls := [][]int32{
		{tasksA[0].TaskID, tasksA[1].TaskID},
		{tasksB[0].TaskID, tasksB[1].TaskID},
	}
	results := make([]deployment.BulkResult, len(calls))
	errs := make([]error, len(calls))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, ids := range calls {
		wg.Go(func() {
			<-start
			res, err := f.svc.BulkConfirm(f.ctx, f.admin(), ids, in, nil)
			results[i], errs[i] = res.Value, err
		})
	}
	close(start)
	wg.Wait()
	for i := range calls {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
	}
	var approvals int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM validation_approvals WHERE request_id = $1`, req).Scan(&approvals); err != nil {
		t.Fatal(err)
	}
	return results, approvals
}

// TestConcurrentConfirmsSharingAValidationNeverDeadlock: locking the validation requests of the
// confirmed versions (in order, before any task) serialises the two calls: no task fails and each
// regional approval is created once.
func TestConcurrentConfirmsSharingAValidationNeverDeadlock(t *testing.T) {
	t.Parallel()
	results, approvals := confirmsSharingAValidation(t, func(*deployment.Service) {})
	for i, r := range results {
		if r.FailedCount != 0 {
			t.Errorf("call %d failed tasks: %+v", i, r.Failed)
		}
	}
	if approvals != 2 {
		t.Errorf("regional approvals = %d, want 2 (EU and US, once each)", approvals)
	}
}

// Negative control: without those locks one task dies in the deadlock (db_error, 40P01).
func TestConcurrentConfirmsSharingAValidationDeadlockWithoutLocks(t *testing.T) {
	t.Parallel()
	results, _ := confirmsSharingAValidation(t, deployment.DisableModelLocks)
	for _, r := range results {
		for _, fl := range r.Failed {
			if fl.Code == deployment.CodeDBError && strings.Contains(fl.Message, pgtx.DeadlockDetected) {
				return
			}
		}
	}
	t.Fatalf("no task died in a deadlock without the request locks: %+v", results)
}

// TestConfirmHoldsItsVersionsValidationLink: while a confirmation runs, the versions it confirms
// are locked, so a validation request created meanwhile cannot re-link them (the override
// decision was made against the link read under that lock). Another session trying to re-link
// the version times out on the row lock instead of slipping in.
func TestConfirmHoldsItsVersionsValidationLink(t *testing.T) {
	t.Parallel()
	if err := relinkDuringConfirm(t, func(*deployment.Service) {}); !pgtx.IsSQLState(err, pgtx.LockNotAvailable) {
		t.Fatalf("re-linking the version during its confirmation: err = %v, want a lock timeout (55P03)", err)
	}
}

// Negative control: without the version locks the re-link slips in during the confirmation.
func TestConfirmWithoutVersionLocksLetsTheLinkChange(t *testing.T) {
	t.Parallel()
	if err := relinkDuringConfirm(t, deployment.DisableModelLocks); err != nil {
		t.Fatalf("without the version locks the re-link should succeed: %v", err)
	}
}

// relinkDuringConfirm starts confirming a version's task (held inside the task by a sleeping
// trigger) and meanwhile, from another session with a 100 ms lock timeout, points the version at
// another validation request; it returns that UPDATE's error.
func relinkDuringConfirm(t *testing.T, tweak func(*deployment.Service)) error {
	t.Helper()
	f := newFixture(t, pgtx.Limits{StatementTimeout: 10 * time.Second})
	tweak(f.svc)
	r := f.region(false)
	owner := f.user(domain.RoleUser)
	req := f.validation("APPROVED")
	version := f.version(f.model(owner, r), req)
	task := f.tasks(version, &r)[0]
	f.sleepOnTask(task.TaskID, 700*time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.BulkConfirm(f.ctx, f.admin(), []int32{task.TaskID}, confirmIn(), nil)
		done <- err
	}()
	// Wait until the confirmation is inside the task (sleeping in the trigger).
	testdb.WaitForBackend(t, f.db.Pool, 5*time.Second, "wait_event = 'PgSleep'")
	other := f.validation("INTAKE")
	tx, err := f.db.Pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(f.ctx) }()
	if _, err := tx.Exec(f.ctx, "SET LOCAL lock_timeout = '100ms'"); err != nil {
		t.Fatal(err)
	}
	_, relinkErr := tx.Exec(f.ctx, `UPDATE model_versions SET validation_request_id = $1 WHERE version_id = $2`, other, version)
	_ = tx.Rollback(f.ctx) // the re-link is only a probe: release what it holds before the confirm commits
	if err := <-done; err != nil {
		t.Fatalf("confirm: %v", err)
	}
	return relinkErr
}
