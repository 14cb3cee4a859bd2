package deployment_test

import (
	"slices"
	"testing"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// TestBulkConfirmPartialSuccess mixes every kind of failing task with good ones: the answer names
// each exactly, the database matches it row by row, and the audit log holds one success or one
// failure row per task.
func TestBulkConfirmPartialSuccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner, other := f.user(domain.RoleUser), f.user(domain.RoleUser)
	r1, r2 := f.region(false), f.region(false)
	m := f.model(owner, r1, r2)
	v := f.version(m, 0)
	regional := f.tasks(v, &r1, &r2)
	vGlobal := f.version(m, 0)
	global := f.tasks(vGlobal, nil)[0]
	vDone := f.version(m, 0)
	done := f.tasks(vDone, &r1, &r2)
	if _, err := f.svc.Confirm(f.ctx, owner, done[0].TaskID, confirmIn()); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if _, err := f.svc.Cancel(f.ctx, owner, done[1].TaskID, deployment.CancelInput{CancellationReason: "not needed"}); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	otherModel := f.model(other, r1)
	foreign := f.tasks(f.version(otherModel, 0), &r1)[0]
	inProgress := f.validation("IN_PROGRESS", r1)
	unapproved := f.tasks(f.version(f.model(owner, r1), inProgress), &r1)[0]
	missing := int32(999_999)

	ids := []int32{missing, unapproved.TaskID, regional[1].TaskID, foreign.TaskID, done[1].TaskID,
		global.TaskID, done[0].TaskID, regional[0].TaskID}
	res, err := f.svc.BulkConfirm(f.ctx, owner, ids, confirmIn(), nil)
	if err != nil {
		t.Fatalf("bulk confirm: %v", err)
	}
	got := res.Value
	wantOK := []int32{regional[0].TaskID, regional[1].TaskID, global.TaskID}
	slices.Sort(wantOK)
	if !slices.Equal(got.Succeeded, wantOK) || got.SucceededCount != 3 {
		t.Fatalf("succeeded = %v (%d), want %v", got.Succeeded, got.SucceededCount, wantOK)
	}
	wantFail := map[int32]domain.Code{
		missing: domain.CodeNotFound, unapproved.TaskID: domain.CodeValidationNotApproved,
		foreign.TaskID: domain.CodeNotFound, done[0].TaskID: domain.CodeInvalidStatus, done[1].TaskID: domain.CodeInvalidStatus,
	}
	if got.FailedCount != len(wantFail) || len(got.Failed) != len(wantFail) {
		t.Fatalf("failed = %+v, want %d", got.Failed, len(wantFail))
	}
	for i, fl := range got.Failed {
		if wantFail[fl.TaskID] != fl.Code || fl.Message == "" {
			t.Errorf("failure %+v, want code %s", fl, wantFail[fl.TaskID])
		}
		if i > 0 && got.Failed[i-1].TaskID >= fl.TaskID {
			t.Errorf("failures not in ascending task order: %+v", got.Failed)
		}
	}

	// The database says the same, row by row.
	for _, id := range wantOK {
		if s := f.taskStatus(id); s != deployment.StatusConfirmed {
			t.Errorf("task %d is %s, want CONFIRMED", id, s)
		}
	}
	for id, want := range map[int32]string{
		unapproved.TaskID: "PENDING", foreign.TaskID: "PENDING", done[0].TaskID: "CONFIRMED", done[1].TaskID: "CANCELLED",
	} {
		if s := f.taskStatus(id); s != want {
			t.Errorf("task %d is %s, want %s", id, s, want)
		}
	}
	// The audit log has exactly one row per task of the call the caller may act on (plus the
	// setup's confirm and cancel); the missing and the foreign task get none.
	audit := f.auditActions()
	wantAudit := map[int32][]string{
		regional[0].TaskID: {"DEPLOYMENT_CONFIRMED"}, regional[1].TaskID: {"DEPLOYMENT_CONFIRMED"},
		global.TaskID: {"DEPLOYMENT_CONFIRMED"}, unapproved.TaskID: {"DEPLOYMENT_CONFIRM_FAILED"},
		done[0].TaskID: {"DEPLOYMENT_CONFIRMED", "DEPLOYMENT_CONFIRM_FAILED"},
		done[1].TaskID: {"DEPLOYMENT_CANCELLED", "DEPLOYMENT_CONFIRM_FAILED"},
	}
	if len(audit) != len(wantAudit) {
		t.Errorf("audit rows for %d tasks, want %d: %v", len(audit), len(wantAudit), audit)
	}
	for id, want := range wantAudit {
		if !slices.Equal(audit[id], want) {
			t.Errorf("audit of task %d = %v, want %v", id, audit[id], want)
		}
	}
	// Metrics count the call and each outcome.
	if ok := f.outcomes("confirm", "ok"); ok != 3 {
		t.Errorf("ok outcomes = %v, want 3", ok)
	}
	if n := f.outcomes("confirm", "invalid_status"); n != 2 {
		t.Errorf("invalid_status outcomes = %v, want 2", n)
	}
	// A failure's audit row carries the code and message of the answer.
	var code, msg string
	err = f.db.Pool.QueryRow(f.ctx, `SELECT changes->>'code', changes->>'message' FROM audit_logs
		WHERE entity_id = $1 AND action = 'DEPLOYMENT_CONFIRM_FAILED'`, unapproved.TaskID).Scan(&code, &msg)
	if err != nil || code != "validation_not_approved" || msg == "" {
		t.Errorf("failure audit of task %d: code %q message %q err %v", unapproved.TaskID, code, msg, err)
	}
}

// TestBulkAdjustAndCancel runs the other two operations through the same loop.
func TestBulkAdjustAndCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner := f.user(domain.RoleUser)
	r1, r2 := f.region(false), f.region(false)
	tasks := f.tasks(f.version(f.model(owner, r1, r2), 0), &r1, &r2)
	a, b := tasks[0].TaskID, tasks[1].TaskID

	res, err := f.svc.BulkAdjust(f.ctx, owner, []int32{a, b, 424242},
		deployment.AdjustInput{PlannedProductionDate: date("2027-02-01"), AdjustmentReason: "freeze"}, nil)
	if err != nil || !slices.Equal(res.Value.Succeeded, []int32{a, b}) || res.Value.FailedCount != 1 {
		t.Fatalf("bulk adjust = %+v, %v", res.Value, err)
	}
	// ADJUSTED -> ADJUSTED is allowed.
	res, err = f.svc.BulkAdjust(f.ctx, owner, []int32{a},
		deployment.AdjustInput{PlannedProductionDate: date("2027-03-01"), AdjustmentReason: "again"}, nil)
	if err != nil || res.Value.SucceededCount != 1 {
		t.Fatalf("second adjust = %+v, %v", res.Value, err)
	}
	res, err = f.svc.BulkCancel(f.ctx, owner, []int32{a}, deployment.CancelInput{CancellationReason: "dropped"}, nil)
	if err != nil || res.Value.SucceededCount != 1 {
		t.Fatalf("bulk cancel = %+v, %v", res.Value, err)
	}
	res, err = f.svc.BulkAdjust(f.ctx, owner, []int32{a, b},
		deployment.AdjustInput{PlannedProductionDate: date("2027-04-01"), AdjustmentReason: "late"}, nil)
	if err != nil || !slices.Equal(res.Value.Succeeded, []int32{b}) || res.Value.Failed[0].Code != domain.CodeInvalidStatus {
		t.Fatalf("adjust of a cancelled task = %+v, %v", res.Value, err)
	}
	var planned string
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT planned_production_date::text FROM version_deployment_tasks WHERE task_id = $1`, b).Scan(&planned); err != nil || planned != "2027-04-01" {
		t.Fatalf("planned date of %d = %q, %v", b, planned, err)
	}
	if got := f.auditActions()[a]; !slices.Equal(got, []string{"DEPLOYMENT_ADJUSTED", "DEPLOYMENT_ADJUSTED", "DEPLOYMENT_CANCELLED", "DEPLOYMENT_ADJUST_FAILED"}) {
		t.Fatalf("audit of %d = %v", a, got)
	}
}

// TestBulkInputChecks refuses what the handler would also refuse.
func TestBulkInputChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	admin := f.admin()
	for name, ids := range map[string][]int32{"empty": {}, "duplicate": {1, 1}, "too many": make([]int32, 1001)} {
		if _, err := f.svc.BulkConfirm(f.ctx, admin, ids, confirmIn(), nil); domain.CodeOf(err) != domain.CodeInvalidRequest {
			t.Errorf("%s: err = %v, want invalid_request", name, err)
		}
	}
	if _, err := f.svc.BulkCancel(f.ctx, admin, []int32{1}, deployment.CancelInput{}, nil); domain.CodeOf(err) != domain.CodeInvalidRequest {
		t.Errorf("missing reason: err = %v", err)
	}
}
