package deployment_test

import (
	"strings"
	"testing"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// modelRegionVersions returns region_id -> deployed version_id (0 = none) of a model.
func (f *fixture) modelRegionVersions(modelID int32) map[int32]int32 {
	f.t.Helper()
	rows, err := f.db.Pool.Query(f.ctx, `SELECT region_id, coalesce(version_id, 0) FROM model_regions WHERE model_id = $1`, modelID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int32]int32{}
	for rows.Next() {
		var r, v int32
		if err := rows.Scan(&r, &v); err != nil {
			f.t.Fatal(err)
		}
		out[r] = v
	}
	return out
}

func (f *fixture) versionActualDate(versionID int32) string {
	f.t.Helper()
	var d *string
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT actual_production_date::text FROM model_versions WHERE version_id = $1`, versionID).Scan(&d); err != nil {
		f.t.Fatal(err)
	}
	if d == nil {
		return ""
	}
	return *d
}

// approvals counts the DEPLOYMENT approvals of a request by region (v1 called them REGIONAL).
func (f *fixture) approvals(requestID int32) map[int32]int {
	f.t.Helper()
	rows, err := f.db.Pool.Query(f.ctx, `SELECT region_id FROM validation_approvals WHERE request_id = $1 AND approval_type = 'DEPLOYMENT'`, requestID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int32]int{}
	for rows.Next() {
		var r int32
		if err := rows.Scan(&r); err != nil {
			f.t.Fatal(err)
		}
		out[r]++
	}
	return out
}

// TestConfirmSideEffects: regional confirmations update their region rows, the version gets its
// actual production date only when every region runs it, a regional approval is created once for
// a region that needs one outside the validation's regions; a global confirmation updates every
// region row.
func TestConfirmSideEffects(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner := f.user(domain.RoleUser)
	needsApproval, covered, plain := f.region(true), f.region(true), f.region(false)
	m := f.model(owner, needsApproval, covered, plain)
	approved := f.validation("APPROVED", covered)

	v1 := f.version(m, approved)
	created, err := f.svc.CreateDeployments(f.ctx, owner, v1, []deployment.Target{
		{RegionID: &needsApproval, PlannedProductionDate: date("2026-12-01")},
		{RegionID: &covered, PlannedProductionDate: date("2026-12-01")},
		{RegionID: &plain, PlannedProductionDate: date("2026-12-01")},
	}, nil)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if rra := created.Value.RegionsRequiringApproval; len(rra) != 1 {
		t.Fatalf("regions requiring approval = %v, want only the uncovered one", rra)
	}
	tasks := created.Value.Tasks
	for i, task := range tasks[:2] {
		got, err := f.svc.Confirm(f.ctx, owner, task.TaskID, confirmIn())
		if err != nil {
			t.Fatalf("confirm %d: %v", i, err)
		}
		if got.Status != deployment.StatusConfirmed || got.ConfirmedByID == nil || *got.ConfirmedByID != owner.UserID ||
			got.ActualProductionDate == nil || got.ConfirmedAt == nil || got.DeployedBeforeValidationApproved {
			t.Fatalf("confirmed task = %+v", got)
		}
		if d := f.versionActualDate(v1); d != "" {
			t.Fatalf("version dated %s with %d of 3 regions deployed", d, i+1)
		}
	}
	if rv := f.modelRegionVersions(m); rv[needsApproval] != v1 || rv[covered] != v1 || rv[plain] != 0 {
		t.Fatalf("model regions = %v", rv)
	}
	if _, err := f.svc.Confirm(f.ctx, owner, tasks[2].TaskID, confirmIn()); err != nil {
		t.Fatalf("confirm last: %v", err)
	}
	if d := f.versionActualDate(v1); d != "2026-12-05" {
		t.Fatalf("version actual date = %q once every region runs it", d)
	}
	if a := f.approvals(approved); len(a) != 1 || a[needsApproval] != 1 {
		t.Fatalf("approvals = %v, want one for region %d", a, needsApproval)
	}
	// A global task of a second version under the same validation: every region row moves, and
	// the regional approval is not created twice.
	v2 := f.version(m, approved)
	global := f.tasks(v2, nil)[0]
	if _, err := f.svc.Confirm(f.ctx, owner, global.TaskID, deployment.ConfirmInput{ActualProductionDate: date("2027-01-10")}); err != nil {
		t.Fatalf("confirm global: %v", err)
	}
	for r, v := range f.modelRegionVersions(m) {
		if v != v2 {
			t.Errorf("region %d runs version %d, want %d", r, v, v2)
		}
	}
	if d := f.versionActualDate(v2); d != "2027-01-10" {
		t.Errorf("global version actual date = %q", d)
	}
	if a := f.approvals(approved); len(a) != 1 || a[needsApproval] != 1 {
		t.Errorf("approvals after a second confirmation = %v", a)
	}
	// Confirming again is invalid_status.
	if _, err := f.svc.Confirm(f.ctx, owner, global.TaskID, confirmIn()); domain.CodeOf(err) != domain.CodeInvalidStatus {
		t.Errorf("second confirm: %v", err)
	}
}

// TestConfirmValidationOverride: a version whose validation is not APPROVED needs an override
// reason; with one the task records the flag and the reason.
func TestConfirmValidationOverride(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner := f.user(domain.RoleUser)
	r := f.region(false)
	task := f.tasks(f.version(f.model(owner, r), f.validation("IN_PROGRESS", r)), &r)[0]

	_, err := f.svc.Confirm(f.ctx, owner, task.TaskID, confirmIn())
	if domain.CodeOf(err) != domain.CodeValidationNotApproved {
		t.Fatalf("confirm without override: %v", err)
	}
	in := confirmIn()
	in.ValidationOverrideReason = "regulator deadline"
	got, err := f.svc.Confirm(f.ctx, owner, task.TaskID, in)
	if err != nil {
		t.Fatalf("confirm with override: %v", err)
	}
	if !got.DeployedBeforeValidationApproved || got.ValidationOverrideReason == nil || *got.ValidationOverrideReason != "regulator deadline" {
		t.Fatalf("task = %+v", got)
	}
	read, err := f.svc.Get(f.ctx, owner, task.TaskID)
	if err != nil || !read.DeployedBeforeValidationApproved || *read.ValidationOverrideReason != "regulator deadline" {
		t.Fatalf("stored task = %+v, %v", read, err)
	}
}

// TestSingleOperationPermissions: ADMIN, the assignee and an active delegate may act; others may not.
func TestSingleOperationPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner, delegate, stranger := f.user(domain.RoleUser), f.user(domain.RoleUser), f.user(domain.RoleValidator)
	r1, r2 := f.region(false), f.region(false)
	m := f.model(owner, r1, r2)
	f.exec(`INSERT INTO model_delegates (model_id, user_id, granted_by) VALUES ($1, $2, $3)`, m, delegate.UserID, owner.UserID)
	tasks := f.tasks(f.version(m, 0), &r1, &r2)
	adj := deployment.AdjustInput{PlannedProductionDate: date("2027-05-01"), AdjustmentReason: "x"}
	if _, err := f.svc.Adjust(f.ctx, stranger, tasks[0].TaskID, adj); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("stranger: %v", err)
	}
	if _, err := f.svc.Adjust(f.ctx, delegate, tasks[0].TaskID, adj); err != nil {
		t.Fatalf("delegate: %v", err)
	}
	if _, err := f.svc.Cancel(f.ctx, f.admin(), tasks[1].TaskID, deployment.CancelInput{CancellationReason: "y"}); err != nil {
		t.Fatalf("admin: %v", err)
	}
	if _, err := f.svc.Adjust(f.ctx, owner, 777_777, adj); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("missing: %v", err)
	}
	// Listing is scoped: the delegate sees the model's tasks, a plain user with none sees nothing.
	items, _, err := f.svc.List(f.ctx, delegate, deployment.Filter{}, domain.KeyPage{Limit: 10})
	if err != nil || len(items) != 2 {
		t.Fatalf("delegate list = %d, %v", len(items), err)
	}
	nobody := f.user(domain.RoleUser)
	items, _, err = f.svc.List(f.ctx, nobody, deployment.Filter{}, domain.KeyPage{Limit: 10})
	if err != nil || len(items) != 0 {
		t.Fatalf("unrelated user list = %d, %v", len(items), err)
	}
	if _, err := f.svc.Get(f.ctx, nobody, tasks[0].TaskID); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("unrelated user get: %v", err)
	}
}

// TestTaskStateMachineInDatabase: the trigger refuses invalid transitions even from raw SQL, and
// the unique indexes allow one task per (version, region) and one global task per version.
func TestTaskStateMachineInDatabase(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner := f.user(domain.RoleUser)
	r := f.region(false)
	v := f.version(f.model(owner, r), 0)
	task := f.tasks(v, &r)[0]
	update := func(sql string) error {
		_, err := f.db.Pool.Exec(f.ctx, sql, task.TaskID)
		return err
	}
	if err := update(`UPDATE version_deployment_tasks SET status = 'ADJUSTED' WHERE task_id = $1`); err != nil {
		t.Fatalf("PENDING -> ADJUSTED: %v", err)
	}
	if err := update(`UPDATE version_deployment_tasks SET status = 'PENDING' WHERE task_id = $1`); !pgtx.IsConstraintViolation(err, pgtx.CheckViolation, "version_deployment_tasks_status_transition") {
		t.Fatalf("ADJUSTED -> PENDING: %v", err)
	}
	if err := update(`UPDATE version_deployment_tasks SET status = 'CANCELLED', cancellation_reason = 'x' WHERE task_id = $1`); err != nil {
		t.Fatalf("ADJUSTED -> CANCELLED: %v", err)
	}
	if err := update(`UPDATE version_deployment_tasks SET status = 'ADJUSTED' WHERE task_id = $1`); !pgtx.IsConstraintViolation(err, pgtx.CheckViolation, "version_deployment_tasks_status_transition") {
		t.Fatalf("CANCELLED -> ADJUSTED: %v", err)
	}
	_, err := f.svc.CreateDeployments(f.ctx, owner, v, []deployment.Target{{RegionID: &r, PlannedProductionDate: date("2027-01-01")}}, nil)
	if domain.CodeOf(err) != domain.CodeConflict {
		t.Fatalf("second task for the region: %v", err)
	}
	// One global task per version (on a version without regional tasks: mixing the two kinds is
	// refused on its own, see TestVersionIsDeployedGloballyOrRegionallyNotBoth).
	globalV := f.version(f.model(owner, r), 0)
	f.tasks(globalV, nil)
	_, err = f.svc.CreateDeployments(f.ctx, owner, globalV, []deployment.Target{{PlannedProductionDate: date("2027-01-01")}}, nil)
	if domain.CodeOf(err) != domain.CodeConflict || !strings.Contains(err.Error(), "already has a global deployment task") {
		t.Fatalf("second global task: %v", err)
	}
	_, err = f.svc.CreateDeployments(f.ctx, owner, v, []deployment.Target{{RegionID: ptr(f.region(false)), PlannedProductionDate: date("2027-01-01")}}, nil)
	if domain.CodeOf(err) != domain.CodeInvalidRequest {
		t.Fatalf("region outside the model: %v", err)
	}
}

// TestVersionIsDeployedGloballyOrRegionallyNotBoth: once a version has regional tasks a global
// task is a conflict, and the other way round — through the service (409) and in raw SQL (the
// trigger's check_violation), so confirming cannot deploy a version twice.
func TestVersionIsDeployedGloballyOrRegionallyNotBoth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner := f.user(domain.RoleUser)
	eu, us := f.region(false), f.region(false)
	regional := f.version(f.model(owner, eu, us), 0)
	f.tasks(regional, &eu)
	_, err := f.svc.CreateDeployments(f.ctx, f.admin(), regional, []deployment.Target{{PlannedProductionDate: date("2026-12-01")}}, nil)
	if domain.CodeOf(err) != domain.CodeConflict {
		t.Fatalf("global after regional: err = %v, want conflict", err)
	}
	global := f.version(f.model(owner, eu, us), 0)
	f.tasks(global, nil)
	_, err = f.svc.CreateDeployments(f.ctx, f.admin(), global, []deployment.Target{{RegionID: &us, PlannedProductionDate: date("2026-12-01")}}, nil)
	if domain.CodeOf(err) != domain.CodeConflict {
		t.Fatalf("regional after global: err = %v, want conflict", err)
	}
	_, err = f.db.Pool.Exec(f.ctx, `INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, planned_production_date)
		SELECT version_id, model_id, NULL, $2, '2026-12-01' FROM model_versions WHERE version_id = $1`, regional, owner.UserID)
	if !pgtx.IsConstraintViolation(err, pgtx.CheckViolation, "version_deployment_tasks_global_or_regional") {
		t.Fatalf("raw global insert: err = %v, want the trigger's check violation", err)
	}
}
