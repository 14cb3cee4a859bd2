package deployment_test

import (
	"context"
	"testing"
	"time"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// TestBulkLeavesOthersTasksAlone: a USER's bulk call names 1,000 ids — another owner's tasks,
// one of them held locked by another transaction, and ids of no task. None is locked (the call
// does not wait for the held row), none gets an audit row, and every one is reported not_found,
// exactly like the missing ids. The USER's own task in the same call is confirmed as usual.
func TestBulkLeavesOthersTasksAlone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{LockTimeout: 200 * time.Millisecond})
	owner, other := f.user(domain.RoleUser), f.user(domain.RoleUser)
	r1, r2 := f.region(false), f.region(false)
	own := f.tasks(f.version(f.model(owner, r1), 0), &r1)[0]
	foreign := f.tasks(f.version(f.model(other, r1, r2), 0), &r1, &r2)

	// Another transaction holds the first foreign task locked for the whole call.
	holder, err := f.db.Pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(context.Background()) }()
	if _, err := holder.Exec(f.ctx, `SELECT 1 FROM version_deployment_tasks WHERE task_id = $1 FOR UPDATE`, foreign[0].TaskID); err != nil {
		t.Fatal(err)
	}

	ids := []int32{own.TaskID, foreign[0].TaskID, foreign[1].TaskID}
	for id := int32(1_000_000); len(ids) < deployment.MaxBulkTasks; id++ {
		ids = append(ids, id)
	}
	auditBefore := f.count(`SELECT count(*) FROM audit_logs`)
	res, err := f.svc.BulkConfirm(f.ctx, owner, ids, confirmIn(), nil)
	if err != nil {
		t.Fatalf("bulk confirm waited for or failed on another owner's task: %v", err)
	}
	if got := res.Value; got.SucceededCount != 1 || got.Succeeded[0] != own.TaskID || got.FailedCount != len(ids)-1 {
		t.Fatalf("succeeded %v, %d failed; want only task %d to succeed", got.Succeeded, got.FailedCount, own.TaskID)
	}
	for _, fl := range res.Value.Failed {
		if fl.Code != domain.CodeNotFound {
			t.Fatalf("task %d failed with %s, want not_found", fl.TaskID, fl.Code)
		}
	}
	if n := f.count(`SELECT count(*) FROM audit_logs`) - auditBefore; n != 1 {
		t.Errorf("the call wrote %d audit rows, want 1 (the USER's own confirmation)", n)
	}

	// The single endpoints answer the same: not_found, without waiting for the held lock.
	if _, err := f.svc.Cancel(f.ctx, owner, foreign[0].TaskID, deployment.CancelInput{CancellationReason: "x"}); domain.CodeOf(err) != domain.CodeNotFound {
		t.Errorf("single cancel of another owner's task: %v, want not_found", err)
	}
	if _, err := f.svc.Get(f.ctx, owner, foreign[1].TaskID); domain.CodeOf(err) != domain.CodeNotFound {
		t.Errorf("get of another owner's task: %v, want not_found", err)
	}
}

// TestBulkByValidatorIsForbiddenUnlocked: a VALIDATOR sees every task but acts on none of them:
// existing tasks are forbidden (not locked: the held one does not make the call wait) and
// missing ids not_found, with no audit rows.
func TestBulkByValidatorIsForbiddenUnlocked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{LockTimeout: 200 * time.Millisecond})
	owner, validator := f.user(domain.RoleUser), f.user(domain.RoleValidator)
	r1 := f.region(false)
	task := f.tasks(f.version(f.model(owner, r1), 0), &r1)[0]
	holder, err := f.db.Pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(context.Background()) }()
	if _, err := holder.Exec(f.ctx, `SELECT 1 FROM version_deployment_tasks WHERE task_id = $1 FOR UPDATE`, task.TaskID); err != nil {
		t.Fatal(err)
	}
	auditBefore := f.count(`SELECT count(*) FROM audit_logs`)
	res, err := f.svc.BulkCancel(f.ctx, validator, []int32{task.TaskID, 999_999}, deployment.CancelInput{CancellationReason: "x"}, nil)
	if err != nil {
		t.Fatalf("bulk cancel: %v", err)
	}
	want := map[int32]domain.Code{task.TaskID: domain.CodeForbidden, 999_999: domain.CodeNotFound}
	if len(res.Value.Failed) != 2 {
		t.Fatalf("failed = %+v", res.Value.Failed)
	}
	for _, fl := range res.Value.Failed {
		if want[fl.TaskID] != fl.Code {
			t.Errorf("task %d: %s, want %s", fl.TaskID, fl.Code, want[fl.TaskID])
		}
	}
	if n := f.count(`SELECT count(*) FROM audit_logs`) - auditBefore; n != 0 {
		t.Errorf("the call wrote %d audit rows, want none", n)
	}
}
