package deployment_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// deployNow plans and confirms targets of versionID in one call, as actor.
func (f *fixture) deployNow(actor domain.Actor, versionID int32, in deployment.ConfirmInput, regionIDs ...*int32) (deployment.Created, error) {
	targets := make([]deployment.Target, len(regionIDs))
	for i, r := range regionIDs {
		targets[i] = deployment.Target{RegionID: r, PlannedProductionDate: date("2026-12-01")}
	}
	res, err := f.svc.Plan(context.Background(), actor, versionID, deployment.PlanInput{Targets: targets, DeployNow: true, Confirm: in}, nil)
	return res.Value, err
}

// countRows counts what sql selects.
func (f *fixture) countRows(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestDeployNowConfirmsByTheConfirmationsRules: deploy now creates the tasks CONFIRMED, updates
// the model's region rows, dates the version once every region runs it, creates the DEPLOYMENT
// approval of the region outside the validation's regions, and writes DEPLOYMENT_CREATED and
// DEPLOYMENT_CONFIRMED for each task.
func TestDeployNowConfirmsByTheConfirmationsRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner := f.user(domain.RoleUser)
	needsApproval, covered, plain := f.region(true), f.region(true), f.region(false)
	m := f.model(owner, needsApproval, covered, plain)
	approved := f.validation("APPROVED", covered)
	v := f.version(m, approved)

	created, err := f.deployNow(owner, v, confirmIn(), &needsApproval, &covered)
	if err != nil {
		t.Fatalf("deploy now: %v", err)
	}
	if len(created.Tasks) != 2 || len(created.RegionsRequiringApproval) != 1 {
		t.Fatalf("created = %+v", created)
	}
	for _, task := range created.Tasks {
		if task.Status != deployment.StatusConfirmed || task.ActualProductionDate == nil || task.ActualProductionDate.Format(domain.DateLayout) != "2026-12-05" ||
			task.ConfirmedByID == nil || *task.ConfirmedByID != owner.UserID || task.DeployedBeforeValidationApproved {
			t.Fatalf("task = %+v", task)
		}
		if f.taskStatus(task.TaskID) != deployment.StatusConfirmed {
			t.Fatalf("task %d not CONFIRMED in the database", task.TaskID)
		}
		var actions []string
		rows, err := f.db.Pool.Query(f.ctx, `SELECT action FROM audit_logs WHERE entity_type = 'deployment_task' AND entity_id = $1 ORDER BY audit_id`, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, a)
		}
		rows.Close()
		if len(actions) != 2 || actions[0] != "DEPLOYMENT_CREATED" || actions[1] != "DEPLOYMENT_CONFIRMED" {
			t.Fatalf("audit of task %d = %v", task.TaskID, actions)
		}
	}
	if rv := f.modelRegionVersions(m); rv[needsApproval] != v || rv[covered] != v || rv[plain] != 0 {
		t.Fatalf("model regions = %v", rv)
	}
	if d := f.versionActualDate(v); d != "" {
		t.Fatalf("version dated %s with 2 of 3 regions deployed", d)
	}
	if a := f.approvals(approved); len(a) != 1 || a[needsApproval] != 1 {
		t.Fatalf("approvals = %v, want one for region %d", a, needsApproval)
	}
	// The last region, deployed now: the version gets its actual production date.
	if _, err := f.deployNow(owner, v, confirmIn(), &plain); err != nil {
		t.Fatalf("deploy now of the last region: %v", err)
	}
	if d := f.versionActualDate(v); d != "2026-12-05" {
		t.Fatalf("version actual date = %q once every region runs it", d)
	}
}

// TestDeployNowRefusedWritesNothing: a version whose validation is not APPROVED is refused
// validation_not_approved without an override reason, and nothing is written (no task, no audit
// row, no region row); with the reason it deploys, flagged as deployed before approval. Without
// deploy_now the confirmation's fields are refused, and a stranger may not deploy.
func TestDeployNowRefusedWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	owner, stranger := f.user(domain.RoleUser), f.user(domain.RoleUser)
	r := f.region(true)
	m := f.model(owner, r)
	inProgress := f.validation("IN_PROGRESS")
	v := f.version(m, inProgress)
	audits := f.countRows(`SELECT count(*) FROM audit_logs`)

	_, err := f.deployNow(owner, v, confirmIn(), &r)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeValidationNotApproved {
		t.Fatalf("err = %v, want validation_not_approved", err)
	}
	if n := f.countRows(`SELECT count(*) FROM version_deployment_tasks WHERE version_id = $1`, v); n != 0 {
		t.Fatalf("%d tasks written by a refused deploy now", n)
	}
	if n := f.countRows(`SELECT count(*) FROM audit_logs`); n != audits {
		t.Fatalf("%d audit rows written by a refused deploy now", n-audits)
	}
	if rv := f.modelRegionVersions(m); rv[r] != 0 {
		t.Fatalf("model regions = %v after a refusal", rv)
	}
	if _, err := f.deployNow(stranger, v, deployment.ConfirmInput{ActualProductionDate: date("2026-12-05"), ValidationOverrideReason: "urgent"}, &r); !errors.As(err, &de) || de.Code != domain.CodeForbidden {
		t.Fatalf("stranger: err = %v, want forbidden", err)
	}

	in := confirmIn()
	in.ValidationOverrideReason = "regulatory deadline"
	created, err := f.deployNow(owner, v, in, &r)
	if err != nil {
		t.Fatalf("deploy now with an override: %v", err)
	}
	if task := created.Tasks[0]; !task.DeployedBeforeValidationApproved || task.ValidationOverrideReason == nil {
		t.Fatalf("task = %+v", task)
	}

	_, err = f.svc.Plan(f.ctx, owner, v, deployment.PlanInput{
		Targets: []deployment.Target{{RegionID: &r, PlannedProductionDate: date("2026-12-01")}}, Confirm: confirmIn(),
	}, nil)
	if !errors.As(err, &de) || de.Code != domain.CodeInvalidRequest {
		t.Fatalf("actual_production_date without deploy_now: err = %v", err)
	}
	_, err = f.svc.Plan(f.ctx, owner, v, deployment.PlanInput{
		Targets: []deployment.Target{{RegionID: &r, PlannedProductionDate: date("2026-12-01")}}, DeployNow: true,
	}, nil)
	if !errors.As(err, &de) || de.Code != domain.CodeInvalidRequest {
		t.Fatalf("deploy_now without actual_production_date: err = %v", err)
	}
}

// deployNowRaces runs rounds of three calls at once on a version of a model running in two
// regions (the first requiring approval, outside the validation's regions), whose second region
// already has a PENDING task: a deploy now of the first region, a bulk confirm of the second
// region's task, and a second deploy now of the first region. It fails the test on any error but
// the losing deploy now's conflict, and returns how many rounds ended inconsistent: not exactly
// one CONFIRMED task per (version, region), model regions not both on the version, the version
// without its actual production date, or not exactly one DEPLOYMENT approval.
func deployNowRaces(t *testing.T, f *fixture, rounds int) (broken int) {
	t.Helper()
	owner := f.user(domain.RoleUser)
	for round := range rounds {
		a, b := f.region(true), f.region(false)
		m := f.model(owner, a, b)
		approved := f.validation("APPROVED")
		v := f.version(m, approved)
		other := f.tasks(v, &b)[0]

		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 3)
		wg.Go(func() {
			<-start
			_, errs[0] = f.deployNow(owner, v, confirmIn(), &a)
		})
		wg.Go(func() {
			<-start
			var res deployment.BulkResult
			r, err := f.svc.BulkConfirm(context.Background(), owner, []int32{other.TaskID}, confirmIn(), nil)
			res = r.Value
			if err == nil && res.SucceededCount != 1 {
				err = errors.New("bulk confirm failed its task")
			}
			errs[1] = err
		})
		wg.Go(func() {
			<-start
			_, errs[2] = f.deployNow(owner, v, confirmIn(), &a)
		})
		close(start)
		wg.Wait()
		if errs[1] != nil {
			t.Fatalf("round %d: bulk confirm: %v", round, errs[1])
		}
		conflicts := 0
		for _, err := range []error{errs[0], errs[2]} {
			var de *domain.Error
			switch {
			case err == nil:
			case errors.As(err, &de) && de.Code == domain.CodeConflict:
				conflicts++
			default:
				t.Fatalf("round %d: deploy now: %v", round, err)
			}
		}
		if conflicts != 1 {
			t.Fatalf("round %d: %d deploy-now calls lost, want exactly 1", round, conflicts)
		}
		confirmed := f.countRows(`SELECT count(*) FROM version_deployment_tasks WHERE version_id = $1 AND status = 'CONFIRMED' AND region_id = $2`, v, a)
		rv := f.modelRegionVersions(m)
		if confirmed != 1 || rv[a] != v || rv[b] != v || f.versionActualDate(v) != "2026-12-05" || len(f.approvals(approved)) != 1 || f.approvals(approved)[a] != 1 {
			broken++
		}
	}
	return broken
}

// TestDeployNowRacingConfirms: deploy now takes the confirmation's model, version and request
// locks before it inserts, so it serialises with a bulk confirm of the version's other task and
// with a second deploy now of the same region: no deadlock, one task per (version, region), and
// the version always gets its date (the "every region runs it" check sees the other's commit).
func TestDeployNowRacingConfirms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	if broken := deployNowRaces(t, f, 10); broken != 0 {
		t.Fatalf("%d of 10 rounds ended inconsistent", broken)
	}
}

// Negative control: without the model locks (DisableModelLocks takes them away from deploy now
// as from confirm) the deploy now and the bulk confirm each check "every region runs it" before
// the other commits, and some version ends without its actual production date.
func TestDeployNowRacingConfirmsWithoutModelLocks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, pgtx.Limits{})
	deployment.DisableModelLocks(f.svc)
	// On a loaded machine (the whole suite running) 30 rounds sometimes all interleave harmlessly:
	// the control runs again, up to five times, until a round is left inconsistent.
	for attempt := 1; ; attempt++ {
		if broken := deployNowRaces(t, f, 30); broken > 0 {
			t.Logf("attempt %d without the model locks: %d inconsistent rounds", attempt, broken)
			return
		}
		if attempt == 5 {
			t.Fatal("every round consistent without the model locks: the test could not catch the race")
		}
	}
}
