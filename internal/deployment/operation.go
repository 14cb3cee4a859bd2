package deployment

import (
	"context"
	"encoding/json"
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
	// failedAction is the audit action of a bulk failure; a success's audit row is written by
	// the operation's own statement (sql/deployment_tasks.sql).
	failedAction audit.Action
	// lockModels makes the call lock the tasks' models and their versions' validation requests
	// after the tasks, and read the versions' validations under those locks (confirm only).
	lockModels bool
	// queue adds the operation's one statement on a task already checked to exist, be live and
	// be the actor's to act on to p — the change and its audit row, written together or not at
	// all — and returns what gives, once p has been sent, the updated row. call holds what
	// lockTasks read for the call.
	queue func(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, t lockedTask, call lockedCall) (applied, error)
}

// applied reads an operation's answer after its pipeline was sent: the updated row, or
// invalid_status when the statement found the task no longer live and wrote nothing (cannot
// happen under the row lock, but the guard makes it safe without one). No row is not an error of
// the statement, so a pipeline carrying several tasks runs on past it (bulk.go).
type applied func() (gen.VersionDeploymentTask, error)

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

// run does op on one task in one pipeline, which send sends (with, as the caller decides, the
// savepoint's SAVEPOINT and RELEASE or the transaction's COMMIT around it). A task refused by the
// checks sends nothing.
func (op operation) run(ctx context.Context, actor domain.Actor, taskID int32, call lockedCall, send func(p *pgtx.Pipeline) error) (gen.VersionDeploymentTask, error) {
	work := &pgtx.Pipeline{}
	result, err := op.prepare(ctx, work, actor, taskID, call.task(taskID), call)
	if err != nil {
		return gen.VersionDeploymentTask{}, err
	}
	if err := send(work); err != nil {
		return gen.VersionDeploymentTask{}, err
	}
	return result()
}

// changes encodes an audit row's changes for an operation's statement.
func changes(action audit.Action, v map[string]any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit %s: encode changes: %w", action, err)
	}
	return b, nil
}

// updatedRow is an operation's answer from its guarded statement: the row it updated, or
// invalid_status when it found none.
func updatedRow(taskID int32, found bool, row gen.VersionDeploymentTask) (gen.VersionDeploymentTask, error) {
	if !found {
		return gen.VersionDeploymentTask{}, invalidStatus(taskID, "no longer PENDING or ADJUSTED")
	}
	return row, nil
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
		name: "confirm", failedAction: audit.ActionDeploymentConfirmFailed, lockModels: true,
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
	if err := c.queue(ctx, p, actor, t, v); err != nil {
		return nil, err
	}
	return func() (gen.VersionDeploymentTask, error) {
		return updatedRow(t.TaskID, c.found, gen.VersionDeploymentTask(c.row))
	}, nil
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

// confirmation is one task's confirmation: what was decided before its statement was queued,
// and where its answer lands once the pipeline is sent.
type confirmation struct {
	in       ConfirmInput
	override bool
	reason   *string // the override's reason, nil without an override

	row   gen.DeploymentTaskConfirmRow
	found bool // false when the task was no longer live
}

// queue adds the confirmation's one statement (DeploymentTaskConfirm) to p: the task's update,
// its model's region rows, the version's actual production date, the regional approvals (with a
// validation) and the audit row, whose changes the statement completes with what only it knows
// (version_fully_deployed, regional_approval_region_ids).
func (c *confirmation) queue(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, t lockedTask, v gen.DeploymentVersionValidationsRow) error {
	date := c.in.ActualProductionDate.Time
	audited, err := changes(audit.ActionDeploymentConfirmed, map[string]any{
		"status": StatusConfirmed, "actual_production_date": c.in.ActualProductionDate,
		"deployed_before_validation_approved": c.override, "validation_override_reason": c.reason,
	})
	if err != nil {
		return err
	}
	// The deployment date is the actual production date, at midnight UTC.
	deployedAt := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	pgtx.OneOrNone(p, &c.row, &c.found, func(q *gen.Queries) (gen.DeploymentTaskConfirmRow, error) {
		return q.DeploymentTaskConfirm(ctx, gen.DeploymentTaskConfirmParams{
			TaskID: t.TaskID, ActualProductionDate: &date, ConfirmationNotes: optional(c.in.ConfirmationNotes),
			ConfirmedByID: &actor.UserID, DeployedBeforeValidationApproved: c.override, ValidationOverrideReason: c.reason,
			DeployedAt: &deployedAt, ValidationRequestID: v.ValidationRequestID, Changes: audited,
			AuditAction: string(audit.ActionDeploymentConfirmed),
		})
	}, pgtx.Wrap("confirm deployment task"))
	return nil
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
		name: "adjust", failedAction: audit.ActionDeploymentAdjustFailed,
		queue: func(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, t lockedTask, _ lockedCall) (applied, error) {
			audited, err := changes(audit.ActionDeploymentAdjusted, map[string]any{
				"status": StatusAdjusted, "planned_production_date": in.PlannedProductionDate, "adjustment_reason": in.AdjustmentReason,
			})
			if err != nil {
				return nil, err
			}
			var row gen.DeploymentTaskAdjustRow
			var found bool
			pgtx.OneOrNone(p, &row, &found, func(q *gen.Queries) (gen.DeploymentTaskAdjustRow, error) {
				return q.DeploymentTaskAdjust(ctx, gen.DeploymentTaskAdjustParams{
					TaskID: t.TaskID, PlannedProductionDate: in.PlannedProductionDate.Time, AdjustmentReason: &in.AdjustmentReason,
					UserID: audit.By(actor.UserID), Changes: audited, AuditAction: string(audit.ActionDeploymentAdjusted),
				})
			}, pgtx.Wrap("adjust deployment task"))
			return func() (gen.VersionDeploymentTask, error) {
				return updatedRow(t.TaskID, found, gen.VersionDeploymentTask(row))
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
		name: "cancel", failedAction: audit.ActionDeploymentCancelFailed,
		queue: func(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, t lockedTask, _ lockedCall) (applied, error) {
			audited, err := changes(audit.ActionDeploymentCancelled, map[string]any{"status": StatusCancelled, "cancellation_reason": in.CancellationReason})
			if err != nil {
				return nil, err
			}
			var row gen.DeploymentTaskCancelRow
			var found bool
			pgtx.OneOrNone(p, &row, &found, func(q *gen.Queries) (gen.DeploymentTaskCancelRow, error) {
				return q.DeploymentTaskCancel(ctx, gen.DeploymentTaskCancelParams{
					TaskID: t.TaskID, CancellationReason: &in.CancellationReason, UserID: audit.By(actor.UserID), Changes: audited,
					AuditAction: string(audit.ActionDeploymentCancelled),
				})
			}, pgtx.Wrap("cancel deployment task"))
			return func() (gen.VersionDeploymentTask, error) {
				return updatedRow(t.TaskID, found, gen.VersionDeploymentTask(row))
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
