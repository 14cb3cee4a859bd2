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
	if len(targets) < 1 || len(targets) > MaxTargets {
		c.Add("targets", "must list 1 to %d targets", MaxTargets)
		return c.Err()
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
	return c.Err()
}

// CreateDeployments plans the deployment of a version: one task per target region, or one global
// task. The model's owner, an active delegate or ADMIN may; tasks are assigned to the model owner.
func (s *Service) CreateDeployments(ctx context.Context, actor domain.Actor, versionID int32, targets []Target, key *idempotency.Key) (idempotency.Result[Created], error) {
	if err := checkTargets(targets); err != nil {
		return idempotency.Result[Created]{}, err
	}
	res, err := idempotency.InTx(ctx, s.pool, s.limits, key, func(tx pgx.Tx) (Created, error) {
		return createTasks(ctx, gen.New(tx), actor, versionID, targets)
	})
	if err != nil && pgtx.PgError(err) != nil && ctx.Err() == nil {
		return res, lockError("create deployment tasks", err)
	}
	return res, err
}

func createTasks(ctx context.Context, q *gen.Queries, actor domain.Actor, versionID int32, targets []Target) (Created, error) {
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
			EntityType: audit.EntityDeploymentTask, EntityID: task.TaskID, Action: "DEPLOYMENT_CREATED", UserID: audit.By(actor.UserID),
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
