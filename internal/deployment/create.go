package deployment

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/idempotency"
	"mrmflow/internal/model"
	"mrmflow/internal/pgtx"
)

// Constraint names the service reacts to; they are the migration's and never change.
const (
	uniqueVersionRegion = "version_deployment_tasks_version_region_key"
	uniqueVersionGlobal = "version_deployment_tasks_version_global_key"
	// globalOrRegional is the trigger constraint refusing a version both kinds of task.
	globalOrRegional = "version_deployment_tasks_global_or_regional"
)

// MaxTargets bounds the targets of one create call (a model runs in a handful of regions).
const MaxTargets = 500

// Target is one deployment to plan: a region of the model, or nil RegionID for a global
// deployment covering every region the model runs in.
type Target struct {
	RegionID              *int32
	PlannedProductionDate domain.Date
	Notes                 string
}

// Created is the answer of CreateDeployments. RegionsRequiringApproval lists the codes of the
// regions covered that require regional approval and lie outside the linked validation's regions
// (all such regions when the version has no validation).
type Created struct {
	Tasks                    []Task   `json:"tasks"`
	RegionsRequiringApproval []string `json:"regions_requiring_approval"`
}

func checkTargets(targets []Target) error {
	var c domain.Check
	targetProblems(&c, targets)
	return c.Err()
}

// CheckTargetCount is the rule of how many targets one create lists: it adds the problem of a
// count outside 1 to MaxTargets to c and reports whether the count is within them. The service's
// check asks it first; the HTTP layer asks it too, before converting the targets from JSON, so
// that an oversized list is refused on its count alone, its items neither converted nor checked
// (the count is the one error to fix).
func CheckTargetCount(c *domain.Check, n int) bool {
	if n < 1 || n > MaxTargets {
		c.Add("targets", "must list 1 to %d targets", MaxTargets)
		return false
	}
	return true
}

// targetProblems adds what is wrong with the targets to c.
func targetProblems(c *domain.Check, targets []Target) {
	if !CheckTargetCount(c, len(targets)) {
		return
	}
	seen := make(map[int32]bool, len(targets))
	for i, t := range targets {
		field := fmt.Sprintf("targets[%d]", i)
		if t.PlannedProductionDate.IsZero() {
			c.Add(field+".planned_production_date", "is required")
		}
		c.Text(field+".notes", t.Notes, false)
		switch {
		case t.RegionID == nil && len(targets) > 1:
			c.Add(field+".region_id", "a global target (null) must be the only target")
		case t.RegionID != nil && seen[*t.RegionID]:
			c.Add(field+".region_id", "duplicates region %d", *t.RegionID)
		case t.RegionID != nil:
			seen[*t.RegionID] = true
		}
	}
}

// CreateDeployments plans the deployment of a version: one task per target region, or one global
// task. The model's owner, an active delegate or ADMIN may; tasks are assigned to the model owner.
func (s *Service) CreateDeployments(ctx context.Context, actor domain.Actor, versionID int32, targets []Target, key *idempotency.Key) (idempotency.Result[Created], error) {
	if err := checkTargets(targets); err != nil {
		return idempotency.Result[Created]{}, err
	}
	return s.create(ctx, actor, versionID, targets, nil, key)
}

// PlanInput is the body of a version's deployment plan: the targets and, with DeployNow, the
// confirmation of every task they create ("deploy now").
type PlanInput struct {
	Targets   []Target
	DeployNow bool
	// Confirm confirms the tasks; only with DeployNow (its actual_production_date is then required).
	Confirm ConfirmInput
}

func (in PlanInput) check() error {
	var c domain.Check
	targetProblems(&c, in.Targets)
	if in.DeployNow {
		in.Confirm.problems(&c)
		return c.Err()
	}
	for _, f := range []struct {
		name  string
		given bool
	}{
		{"actual_production_date", !in.Confirm.ActualProductionDate.IsZero()},
		{"confirmation_notes", in.Confirm.ConfirmationNotes != ""},
		{"validation_override_reason", in.Confirm.ValidationOverrideReason != ""},
	} {
		if f.given {
			c.Add(f.name, "is only taken with deploy_now: true")
		}
	}
	return c.Err()
}

// Plan is CreateDeployments, or with DeployNow the creation and confirmation of the tasks in the
// same transaction ("deploy now"): each task CreateDeployments would create, confirmed with
// in.Confirm by the confirmation's own code (confirmOp: the gate on an unapproved validation, the
// model's region rows, the version's actual production date, the DEPLOYMENT approvals, the audit
// rows). A refusal — validation_not_approved without validation_override_reason, say — creates
// nothing. The answer is a create's, with the tasks CONFIRMED.
func (s *Service) Plan(ctx context.Context, actor domain.Actor, versionID int32, in PlanInput, key *idempotency.Key) (idempotency.Result[Created], error) {
	if err := in.check(); err != nil {
		return idempotency.Result[Created]{}, err
	}
	var confirm *ConfirmInput
	if in.DeployNow {
		confirm = &in.Confirm
	}
	return s.create(ctx, actor, versionID, in.Targets, confirm, key)
}

// create is CreateDeployments, and DeployNow when confirm is not nil, in one transaction.
func (s *Service) create(ctx context.Context, actor domain.Actor, versionID int32, targets []Target, confirm *ConfirmInput, key *idempotency.Key) (idempotency.Result[Created], error) {
	res, err := idempotency.InTx(ctx, s.db, key, func(tx pgx.Tx) (Created, error) {
		if confirm == nil {
			return createTasks(ctx, gen.New(tx), actor, versionID, targets, nil)
		}
		return s.deployNow(ctx, tx, actor, versionID, targets, *confirm)
	})
	if err != nil && pgtx.PgError(err) != nil && ctx.Err() == nil {
		return res, lockError("create deployment tasks", err)
	}
	return res, err
}

// deployNow creates the tasks and confirms them, keeping the lock order of
// internal/pgtx/locks.go (docs/locks.md): a confirmation locks the model, then the version,
// then its validation request; creating a task locks the version (the one-kind trigger). So the
// model, version and request are locked first (confirmLocks), before the first insert — else the
// insert's version lock, taken before the model's, would meet a confirmation of the version's
// other task in the opposite order. Then lockTasks locks the new task rows (nobody else can see
// them yet) and reads the version's validation under those locks, and confirmOp confirms each
// task exactly as a single confirm does, without a savepoint: any failure rolls everything back.
func (s *Service) deployNow(ctx context.Context, tx pgx.Tx, actor domain.Actor, versionID int32, targets []Target, in ConfirmInput) (Created, error) {
	created, err := createTasks(ctx, gen.New(tx), actor, versionID, targets, func(modelID int32) error {
		p := &pgtx.Pipeline{}
		s.queueConfirmLocks(ctx, p, []int32{modelID}, []int32{versionID})
		return p.Send(ctx, tx)
	})
	if err != nil {
		return Created{}, err
	}
	ids := make([]int32, len(created.Tasks))
	for i, t := range created.Tasks {
		ids[i] = t.TaskID
	}
	call, err := s.lockTasks(ctx, tx, actor, ids, true)
	if err != nil {
		return Created{}, err
	}
	op := confirmOp(in)
	send := func(p *pgtx.Pipeline) error { return p.Send(ctx, tx) }
	for i, id := range ids {
		row, err := op.run(ctx, actor, id, call, send)
		if err != nil {
			return Created{}, err
		}
		created.Tasks[i] = taskFromRow(row)
	}
	return created, nil
}

// createTasks creates the tasks of targets for the version. lock, when not nil, is called with
// the version's model once the caller is known to be allowed, before the first insert (deploy
// now takes the confirmation's locks there); the version's validation is read again after it.
func createTasks(ctx context.Context, q *gen.Queries, actor domain.Actor, versionID int32, targets []Target, lock func(modelID int32) error) (Created, error) {
	v, err := q.DeploymentVersionValidation(ctx, versionID)
	if pgtx.IsNoRows(err) {
		return Created{}, domain.NotFound("version %d does not exist", versionID)
	}
	if err != nil {
		return Created{}, fmt.Errorf("read version: %w", err)
	}
	access, err := model.AccessOf(ctx, q, actor, v.ModelID)
	if err != nil {
		return Created{}, err
	}
	if !access.CanActForOwner(actor) {
		return Created{}, domain.Forbidden("only the model's owner, its delegates and ADMIN users may plan deployments")
	}
	if err := requireModelRegions(ctx, q, v.ModelID, targets); err != nil {
		return Created{}, err
	}
	if lock != nil {
		if err := lock(v.ModelID); err != nil {
			return Created{}, err
		}
		// Read under the version's lock: the link cannot change before the commit.
		if v, err = q.DeploymentVersionValidation(ctx, versionID); err != nil {
			return Created{}, fmt.Errorf("read version: %w", err)
		}
	}
	// Inserted in region order (a global target is alone) so concurrent creators meet the unique
	// index in the same order.
	sorted := slices.Clone(targets)
	slices.SortFunc(sorted, func(a, b Target) int { return cmp.Compare(deref32(a.RegionID), deref32(b.RegionID)) })
	out := Created{Tasks: make([]Task, 0, len(sorted)), RegionsRequiringApproval: []string{}}
	for _, t := range sorted {
		row, err := q.DeploymentTaskCreate(ctx, gen.DeploymentTaskCreateParams{
			VersionID: versionID, ModelID: v.ModelID, RegionID: t.RegionID, AssignedToID: access.OwnerID,
			PlannedProductionDate: t.PlannedProductionDate.Time, Notes: optional(t.Notes),
		})
		switch {
		case pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, uniqueVersionRegion):
			return Created{}, domain.Errorf(domain.CodeConflict, "version %d already has a deployment task for region %d", versionID, *t.RegionID)
		case pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, uniqueVersionGlobal):
			return Created{}, domain.Errorf(domain.CodeConflict, "version %d already has a global deployment task", versionID)
		case pgtx.IsConstraintViolation(err, pgtx.CheckViolation, globalOrRegional):
			return Created{}, domain.Errorf(domain.CodeConflict,
				"version %d already has deployment tasks of the other kind: a version is deployed by one global task or by regional tasks, not both", versionID)
		case err != nil:
			return Created{}, fmt.Errorf("create deployment task: %w", err)
		}
		task := taskFromRow(row)
		out.Tasks = append(out.Tasks, task)
		regions, err := q.DeploymentRegionsRequiringApproval(ctx, gen.DeploymentRegionsRequiringApprovalParams{
			ModelID: v.ModelID, RegionID: t.RegionID, RequestID: v.ValidationRequestID,
		})
		if err != nil {
			return Created{}, fmt.Errorf("find regions requiring approval: %w", err)
		}
		for _, r := range regions {
			if !slices.Contains(out.RegionsRequiringApproval, r.Code) {
				out.RegionsRequiringApproval = append(out.RegionsRequiringApproval, r.Code)
			}
		}
		err = audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityDeploymentTask, EntityID: task.TaskID, Action: audit.ActionDeploymentCreated, UserID: audit.By(actor.UserID),
			Changes: map[string]any{
				"version_id": versionID, "model_id": v.ModelID, "region_id": t.RegionID,
				"planned_production_date": t.PlannedProductionDate, "assigned_to_id": access.OwnerID, "notes": t.Notes,
			},
		})
		if err != nil {
			return Created{}, err
		}
	}
	return out, nil
}

// requireModelRegions checks that every regional target is a region the model runs in.
func requireModelRegions(ctx context.Context, q *gen.Queries, modelID int32, targets []Target) error {
	runs, err := model.RunsIn(ctx, q, modelID)
	if err != nil {
		return err
	}
	var c domain.Check
	for i, t := range targets {
		if t.RegionID != nil && !runs[*t.RegionID] {
			c.Add(fmt.Sprintf("targets[%d].region_id", i), "model %d does not run in region %d", modelID, *t.RegionID)
		}
	}
	return c.Err()
}

func deref32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
