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
	doneAction, failedAction audit.Action
	// lockModels makes the call lock the tasks' models and their versions' validation requests
	// after the tasks, and read the versions' validations under those locks (confirm only).
	lockModels bool
	// queue adds the operation's statements on a task already checked to exist, be live and be
	// the actor's to act on to p — statements whose arguments do not depend on each other's
	// answers, so they share one round trip — and returns what gives, once p has been sent, the
	// updated row and the audit changes. call holds what lockTasks read for the call.
	queue func(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, t lockedTask, call lockedCall) (applied, error)
}

// applied reads an operation's answers after its pipeline was sent.
type applied func() (gen.VersionDeploymentTask, map[string]any)

// prepare checks that op may run on the task (t nil: the id matched no task the actor may act
// on) and queues its statements into p; a refusal is a domain error and queues nothing.
func (op operation) prepare(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, taskID int32, t *lockedTask, call lockedCall) (applied, error) {
	if t == nil {
		return nil, call.refusal(taskID, op.name)
	}
	if !live(t.Status) {
		return nil, invalidStatus(taskID, string(t.Status))
	}
	return op.queue(ctx, p, actor, *t, call)
}

// run does op on one task in two pipelines: send carries the operation's statements, finish its
// audit row (and, as the caller's sending functions decide, the savepoint's RELEASE or the
// transaction's COMMIT). A task refused by the checks sends nothing.
func (op operation) run(ctx context.Context, actor domain.Actor, taskID int32, call lockedCall, send, finish func(p *pgtx.Pipeline) error) (gen.VersionDeploymentTask, error) {
	work := &pgtx.Pipeline{}
	result, err := op.prepare(ctx, work, actor, taskID, call.task(taskID), call)
	if err != nil {
		return gen.VersionDeploymentTask{}, err
	}
	if err := send(work); err != nil {
		return gen.VersionDeploymentTask{}, err
	}
	row, changes := result()
	done := &pgtx.Pipeline{}
	audit.Queue(ctx, done, audit.Entry{
		EntityType: audit.EntityDeploymentTask, EntityID: taskID, Action: op.doneAction,
		UserID: audit.By(actor.UserID), Changes: changes,
	})
	return row, finish(done)
}

// updated is the onError of a guarded task UPDATE: no row means the task was no longer live
// (cannot happen under the row lock, but the guard makes it safe without one).
func updated(taskID int32, what string) func(error) error {
	return func(err error) error {
		if pgtx.IsNoRows(err) {
			return invalidStatus(taskID, "no longer PENDING or ADJUSTED")
		}
		return fmt.Errorf("%s: %w", what, err)
	}
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
	in.problems(&c)
	return c.Err()
}

// problems adds what is wrong with the input to c.
func (in ConfirmInput) problems(c *domain.Check) {
	if in.ActualProductionDate.IsZero() {
		c.Add("actual_production_date", "is required")
	}
	c.Text("confirmation_notes", in.ConfirmationNotes, false)
	c.Text("validation_override_reason", in.ValidationOverrideReason, false)
}

// confirmOp confirms a task (docs/savepoints.md, "Confirming one task"): status, dates and notes;
// the override when the validation is not approved; the model's region rows; the version's actual
// production date once every region runs it; the regional approvals the deployment needs. The
// version's validation was read by lockTasks under the version and request locks, so it cannot
// change before the call commits.
func confirmOp(in ConfirmInput) operation {
	return operation{
		name: "confirm", doneAction: audit.ActionDeploymentConfirmed, failedAction: audit.ActionDeploymentConfirmFailed, lockModels: true,
		queue: in.queue,
	}
}

// queue is confirmOp's queue, in its steps: find the version's validation the call read under its
// locks; decide whether the confirmation overrides an unapproved validation (refused without a
// reason); queue the confirmation's statements into p; return the reader of their answers.
func (in ConfirmInput) queue(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, t lockedTask, call lockedCall) (applied, error) {
	v, ok := call.validations[t.VersionID]
	if !ok {
		return nil, fmt.Errorf("version %d of deployment task %d was not read with the call's locks", t.VersionID, t.TaskID)
	}
	reason, err := in.override(t, v)
	if err != nil {
		return nil, err
	}
	c := confirmation{in: in, override: reason != nil, reason: reason}
	c.queue(ctx, p, actor, t, v)
	return c.answer, nil
}

// override decides whether confirming t overrides its version's validation: there is one and it
// is not APPROVED. It returns the override's reason (nil: no override), or validation_not_approved
// when an override is needed and no validation_override_reason was given.
func (in ConfirmInput) override(t lockedTask, v gen.DeploymentVersionValidationsRow) (*string, error) {
	if v.ValidationRequestID == nil || (v.ValidationStatus != nil && *v.ValidationStatus == validationApproved) {
		return nil, nil
	}
	if in.ValidationOverrideReason == "" {
		return nil, domain.Errorf(domain.CodeValidationNotApproved,
			"validation request %d of version %d is %s, not APPROVED; give validation_override_reason to deploy before approval",
			*v.ValidationRequestID, t.VersionID, deref(v.ValidationStatus))
	}
	return optional(in.ValidationOverrideReason), nil
}

// confirmation is one task's confirmation: what was decided before its statements were queued,
// and where their answers land once the pipeline is sent.
type confirmation struct {
	in       ConfirmInput
	override bool
	reason   *string // the override's reason, nil without an override

	row             gen.VersionDeploymentTask
	versionDeployed int64 // rows the version's actual-date update changed: 1 once every region runs it
	created         []gen.ValidationApprovalsCreateForDeploymentRow
}

// queue adds, in this order, the task's update, its model's region rows, the version's actual
// production date and (with a validation) the regional approvals: statements whose arguments do
// not depend on each other's answers, so they share p's round trip.
func (c *confirmation) queue(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, t lockedTask, v gen.DeploymentVersionValidationsRow) {
	date := c.in.ActualProductionDate.Time
	pgtx.One(p, &c.row, func(q *gen.Queries) (gen.VersionDeploymentTask, error) {
		return q.DeploymentTaskConfirm(ctx, gen.DeploymentTaskConfirmParams{
			TaskID: t.TaskID, ActualProductionDate: &date, ConfirmationNotes: optional(c.in.ConfirmationNotes),
			ConfirmedByID: &actor.UserID, DeployedBeforeValidationApproved: c.override, ValidationOverrideReason: c.reason,
		})
	}, updated(t.TaskID, "confirm deployment task"))
	// The deployment date is the actual production date, at midnight UTC.
	deployedAt := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	p.Exec(func(q *gen.Queries) error {
		_, err := q.DeploymentModelRegionsDeploy(ctx, gen.DeploymentModelRegionsDeployParams{
			VersionID: &t.VersionID, DeployedAt: &deployedAt, ModelID: t.ModelID, RegionID: t.RegionID,
		})
		return err
	}, pgtx.Wrap("update model regions"))
	pgtx.ExecRows(p, &c.versionDeployed, func(q *gen.Queries) (int64, error) {
		return q.DeploymentVersionSetActualDate(ctx, gen.DeploymentVersionSetActualDateParams{
			ActualProductionDate: &date, VersionID: t.VersionID,
		})
	}, pgtx.Wrap("set version production date"))
	if v.ValidationRequestID != nil {
		pgtx.Many(p, &c.created, func(q *gen.Queries) ([]gen.ValidationApprovalsCreateForDeploymentRow, error) {
			return q.ValidationApprovalsCreateForDeployment(ctx, gen.ValidationApprovalsCreateForDeploymentParams{
				RequestID: *v.ValidationRequestID, ModelID: t.ModelID, RegionID: t.RegionID,
			})
		}, pgtx.Wrap("create regional approvals"))
	}
}

// answer is the confirmation's applied: the updated task and the audit changes, once the
// pipeline has been sent.
func (c *confirmation) answer() (gen.VersionDeploymentTask, map[string]any) {
	approvals := []int32{}
	for _, a := range c.created {
		approvals = append(approvals, *a.RegionID)
	}
	return c.row, map[string]any{
		"status": StatusConfirmed, "actual_production_date": c.in.ActualProductionDate,
		"deployed_before_validation_approved": c.override, "validation_override_reason": c.reason,
		"version_fully_deployed": c.versionDeployed > 0, "regional_approval_region_ids": approvals,
	}
}

// AdjustInput moves a task's planned production date.
type AdjustInput struct {
	PlannedProductionDate domain.Date
	AdjustmentReason      string
}

func (in AdjustInput) check() error {
	var c domain.Check
	in.problems(&c)
	return c.Err()
}

// problems adds what is wrong with the input to c.
func (in AdjustInput) problems(c *domain.Check) {
	if in.PlannedProductionDate.IsZero() {
		c.Add("planned_production_date", "is required")
	}
	c.Text("adjustment_reason", in.AdjustmentReason, true)
}

func adjustOp(in AdjustInput) operation {
	return operation{
		name: "adjust", doneAction: audit.ActionDeploymentAdjusted, failedAction: audit.ActionDeploymentAdjustFailed,
		queue: func(ctx context.Context, p *pgtx.Pipeline, _ domain.Actor, t lockedTask, _ lockedCall) (applied, error) {
			var row gen.VersionDeploymentTask
			pgtx.One(p, &row, func(q *gen.Queries) (gen.VersionDeploymentTask, error) {
				return q.DeploymentTaskAdjust(ctx, gen.DeploymentTaskAdjustParams{
					TaskID: t.TaskID, PlannedProductionDate: in.PlannedProductionDate.Time, AdjustmentReason: &in.AdjustmentReason,
				})
			}, updated(t.TaskID, "adjust deployment task"))
			return func() (gen.VersionDeploymentTask, map[string]any) {
				return row, map[string]any{
					"status": StatusAdjusted, "planned_production_date": in.PlannedProductionDate, "adjustment_reason": in.AdjustmentReason,
				}
			}, nil
		},
	}
}

// CancelInput cancels a task.
type CancelInput struct {
	CancellationReason string
}

func (in CancelInput) check() error {
	var c domain.Check
	in.problems(&c)
	return c.Err()
}

// problems adds what is wrong with the input to c.
func (in CancelInput) problems(c *domain.Check) {
	c.Text("cancellation_reason", in.CancellationReason, true)
}

func cancelOp(in CancelInput) operation {
	return operation{
		name: "cancel", doneAction: audit.ActionDeploymentCancelled, failedAction: audit.ActionDeploymentCancelFailed,
		queue: func(ctx context.Context, p *pgtx.Pipeline, _ domain.Actor, t lockedTask, _ lockedCall) (applied, error) {
			var row gen.VersionDeploymentTask
			pgtx.One(p, &row, func(q *gen.Queries) (gen.VersionDeploymentTask, error) {
				return q.DeploymentTaskCancel(ctx, gen.DeploymentTaskCancelParams{
					TaskID: t.TaskID, CancellationReason: &in.CancellationReason,
				})
			}, updated(t.TaskID, "cancel deployment task"))
			return func() (gen.VersionDeploymentTask, map[string]any) {
				return row, map[string]any{"status": StatusCancelled, "cancellation_reason": in.CancellationReason}
			}, nil
		},
	}
}

func deref(s *string) string {
	if s == nil {
		return "unknown"
	}
	return *s
}
