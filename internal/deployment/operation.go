package deployment

import (
	"context"
	"fmt"
	"time"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// operation is one kind of work on a task — confirm, adjust or cancel — described once and run
// by both the single endpoints and the shared bulk savepoint loop.
type operation struct {
	// name labels metrics ("confirm", "adjust", "cancel").
	name string
	// doneAction and failedAction are the audit actions of a success and of a bulk failure.
	doneAction, failedAction string
	// lockModels makes the call lock the tasks' models and their versions' validation requests
	// after the tasks (confirm only).
	lockModels bool
	// apply does the operation's own statements on a task already checked to exist, be live and
	// be the actor's to act on; it returns the updated row and the audit changes.
	apply func(ctx context.Context, q *gen.Queries, actor domain.Actor, t lockedTask) (gen.VersionDeploymentTask, map[string]any, error)
}

// run does op on one locked task (t nil: the id matched no task) with q bound to the task's
// savepoint (bulk) or to the transaction (single): the checks, the update and the audit row.
func (op operation) run(ctx context.Context, q *gen.Queries, actor domain.Actor, taskID int32, t *lockedTask) (Task, error) {
	if t == nil {
		return Task{}, domain.NotFound("deployment task %d does not exist", taskID)
	}
	if !mayAct(actor, *t) {
		return Task{}, domain.Forbidden("only ADMIN users, the assignee and active delegates of the model may %s deployment task %d", op.name, taskID)
	}
	if !live(t.Status) {
		return Task{}, invalidStatus(taskID, string(t.Status))
	}
	row, changes, err := op.apply(ctx, q, actor, *t)
	if pgtx.IsNoRows(err) {
		// The guarded UPDATE found the task no longer live (cannot happen under the row lock,
		// but the guard makes it safe without one).
		return Task{}, invalidStatus(taskID, "no longer PENDING or ADJUSTED")
	}
	if err != nil {
		return Task{}, err
	}
	err = audit.Record(ctx, q, audit.Entry{
		EntityType: audit.EntityDeploymentTask, EntityID: taskID, Action: op.doneAction,
		UserID: audit.By(actor.UserID), Changes: changes,
	})
	if err != nil {
		return Task{}, err
	}
	return taskFromRow(row), nil
}

func invalidStatus(taskID int32, status string) error {
	return domain.Errorf(domain.CodeInvalidStatus,
		"deployment task %d is %s; only PENDING or ADJUSTED tasks can be changed", taskID, status)
}

// ConfirmInput confirms a deployment. ValidationOverrideReason is required when the version's
// validation is not APPROVED.
type ConfirmInput struct {
	ActualProductionDate     domain.Date
	ConfirmationNotes        string
	ValidationOverrideReason string
}

func (in ConfirmInput) check() error {
	var c domain.Check
	if in.ActualProductionDate.IsZero() {
		c.Add("actual_production_date", "is required")
	}
	c.Text("confirmation_notes", in.ConfirmationNotes, false)
	c.Text("validation_override_reason", in.ValidationOverrideReason, false)
	return c.Err()
}

// confirmOp confirms a task (DESIGN.md, REL-02 rule 3): status, dates and notes; the override
// when the validation is not approved; the model's region rows; the version's actual production
// date once every region runs it; the regional approvals the deployment needs.
func confirmOp(in ConfirmInput) operation {
	// A call locks its versions and their validation requests before any task (lockTasks), so
	// what a version's validation is cannot change during the call: it is read once per version,
	// not once per task. An operation value serves one call, sequentially.
	validations := map[int32]gen.DeploymentVersionValidationRow{}
	return operation{
		name: "confirm", doneAction: "DEPLOYMENT_CONFIRMED", failedAction: "DEPLOYMENT_CONFIRM_FAILED", lockModels: true,
		apply: func(ctx context.Context, q *gen.Queries, actor domain.Actor, t lockedTask) (gen.VersionDeploymentTask, map[string]any, error) {
			v, known := validations[t.VersionID]
			if !known {
				var err error
				if v, err = q.DeploymentVersionValidation(ctx, t.VersionID); err != nil {
					return gen.VersionDeploymentTask{}, nil, fmt.Errorf("read version validation: %w", err)
				}
				validations[t.VersionID] = v
			}
			override := v.ValidationRequestID != nil && (v.ValidationStatus == nil || *v.ValidationStatus != validationApproved)
			if override && in.ValidationOverrideReason == "" {
				return gen.VersionDeploymentTask{}, nil, domain.Errorf(domain.CodeValidationNotApproved,
					"validation request %d of version %d is %s, not APPROVED; give validation_override_reason to deploy before approval",
					*v.ValidationRequestID, t.VersionID, deref(v.ValidationStatus))
			}
			var reason *string
			if override {
				reason = optional(in.ValidationOverrideReason)
			}
			date := in.ActualProductionDate.Time
			row, err := q.DeploymentTaskConfirm(ctx, gen.DeploymentTaskConfirmParams{
				TaskID: t.TaskID, ActualProductionDate: &date, ConfirmationNotes: optional(in.ConfirmationNotes),
				ConfirmedByID: &actor.UserID, DeployedBeforeValidationApproved: override, ValidationOverrideReason: reason,
			})
			if err != nil {
				return row, nil, wrapUnlessNoRows("confirm deployment task", err)
			}
			// The deployment date is the actual production date, at midnight UTC.
			deployedAt := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
			_, err = q.DeploymentModelRegionsDeploy(ctx, gen.DeploymentModelRegionsDeployParams{
				VersionID: &t.VersionID, DeployedAt: &deployedAt, ModelID: t.ModelID, RegionID: t.RegionID,
			})
			if err != nil {
				return row, nil, fmt.Errorf("update model regions: %w", err)
			}
			versionDeployed, err := q.DeploymentVersionSetActualDate(ctx, gen.DeploymentVersionSetActualDateParams{
				ActualProductionDate: &date, VersionID: t.VersionID,
			})
			if err != nil {
				return row, nil, fmt.Errorf("set version production date: %w", err)
			}
			approvals := []int32{}
			if v.ValidationRequestID != nil {
				created, err := q.ValidationApprovalsCreateRegional(ctx, gen.ValidationApprovalsCreateRegionalParams{
					RequestID: *v.ValidationRequestID, ModelID: t.ModelID, RegionID: t.RegionID,
				})
				if err != nil {
					return row, nil, fmt.Errorf("create regional approvals: %w", err)
				}
				for _, a := range created {
					approvals = append(approvals, *a.RegionID)
				}
			}
			return row, map[string]any{
				"status": StatusConfirmed, "actual_production_date": in.ActualProductionDate,
				"deployed_before_validation_approved": override, "validation_override_reason": reason,
				"version_fully_deployed": versionDeployed > 0, "regional_approval_region_ids": approvals,
			}, nil
		},
	}
}

// AdjustInput moves a task's planned production date.
type AdjustInput struct {
	PlannedProductionDate domain.Date
	AdjustmentReason      string
}

func (in AdjustInput) check() error {
	var c domain.Check
	if in.PlannedProductionDate.IsZero() {
		c.Add("planned_production_date", "is required")
	}
	c.Text("adjustment_reason", in.AdjustmentReason, true)
	return c.Err()
}

func adjustOp(in AdjustInput) operation {
	return operation{
		name: "adjust", doneAction: "DEPLOYMENT_ADJUSTED", failedAction: "DEPLOYMENT_ADJUST_FAILED",
		apply: func(ctx context.Context, q *gen.Queries, _ domain.Actor, t lockedTask) (gen.VersionDeploymentTask, map[string]any, error) {
			row, err := q.DeploymentTaskAdjust(ctx, gen.DeploymentTaskAdjustParams{
				TaskID: t.TaskID, PlannedProductionDate: in.PlannedProductionDate.Time, AdjustmentReason: &in.AdjustmentReason,
			})
			return row, map[string]any{
				"status": StatusAdjusted, "planned_production_date": in.PlannedProductionDate, "adjustment_reason": in.AdjustmentReason,
			}, wrapUnlessNoRows("adjust deployment task", err)
		},
	}
}

// CancelInput cancels a task.
type CancelInput struct {
	CancellationReason string
}

func (in CancelInput) check() error {
	var c domain.Check
	c.Text("cancellation_reason", in.CancellationReason, true)
	return c.Err()
}

func cancelOp(in CancelInput) operation {
	return operation{
		name: "cancel", doneAction: "DEPLOYMENT_CANCELLED", failedAction: "DEPLOYMENT_CANCEL_FAILED",
		apply: func(ctx context.Context, q *gen.Queries, _ domain.Actor, t lockedTask) (gen.VersionDeploymentTask, map[string]any, error) {
			row, err := q.DeploymentTaskCancel(ctx, gen.DeploymentTaskCancelParams{
				TaskID: t.TaskID, CancellationReason: &in.CancellationReason,
			})
			return row, map[string]any{
				"status": StatusCancelled, "cancellation_reason": in.CancellationReason,
			}, wrapUnlessNoRows("cancel deployment task", err)
		},
	}
}

// wrapUnlessNoRows adds context to err but keeps pgx.ErrNoRows recognisable for run.
func wrapUnlessNoRows(what string, err error) error {
	if err == nil || pgtx.IsNoRows(err) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

func deref(s *string) string {
	if s == nil {
		return "unknown"
	}
	return *s
}
