package policy

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// MaxSLADays bounds each phase's allowance (workflow_sla_days_range holds the same).
const MaxSLADays = 365

// workflowSLAEntityID names the workflow SLA's audit rows: the table has one row.
const workflowSLAEntityID = 1

// SLA is the workflow's service levels: the days each phase of a request is allowed.
type SLA struct {
	AssignmentDays int32     `json:"assignment_days"`
	BeginWorkDays  int32     `json:"begin_work_days"`
	ApprovalDays   int32     `json:"approval_days"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// SLAInput is the whole SLA as PUT replaces it, the figures as sent (see PolicyInput).
type SLAInput struct {
	AssignmentDays int64
	BeginWorkDays  int64
	ApprovalDays   int64
}

func (in SLAInput) check() error {
	var c domain.Check
	inRange(&c, "assignment_days", in.AssignmentDays, 1, MaxSLADays)
	inRange(&c, "begin_work_days", in.BeginWorkDays, 1, MaxSLADays)
	inRange(&c, "approval_days", in.ApprovalDays, 1, MaxSLADays)
	return c.Err()
}

func slaOf(r gen.WorkflowSLAGetRow) SLA {
	return SLA{AssignmentDays: r.AssignmentDays, BeginWorkDays: r.BeginWorkDays, ApprovalDays: r.ApprovalDays, UpdatedAt: r.UpdatedAt.UTC()}
}

// SLA returns the workflow SLA. Anyone authenticated may read it.
func (s *Service) SLA(ctx context.Context) (SLA, error) {
	row, err := gen.New(s.db.Pool).WorkflowSLAGet(ctx)
	if err != nil {
		return SLA{}, fmt.Errorf("read workflow SLA: %w", err)
	}
	return slaOf(row), nil
}

// UpdateSLA replaces the workflow SLA (ADMIN only) under its row's lock, audited with what each
// figure was and became.
func (s *Service) UpdateSLA(ctx context.Context, actor domain.Actor, in SLAInput) (SLA, error) {
	if !actor.IsAdmin() {
		return SLA{}, domain.Forbidden("only ADMIN users may change the workflow SLA")
	}
	if err := in.check(); err != nil {
		return SLA{}, err
	}
	return pgtx.WithTxV(ctx, s.db, func(tx pgx.Tx) (SLA, error) {
		q := gen.New(tx)
		cur, err := q.WorkflowSLALockForUpdate(ctx)
		if err != nil {
			return SLA{}, fmt.Errorf("lock workflow SLA: %w", err)
		}
		row, err := q.WorkflowSLAUpdate(ctx, gen.WorkflowSLAUpdateParams{
			AssignmentDays: int32(in.AssignmentDays), BeginWorkDays: int32(in.BeginWorkDays), ApprovalDays: int32(in.ApprovalDays),
			UpdatedBy: audit.By(actor.UserID),
		})
		if err != nil {
			return SLA{}, fmt.Errorf("update workflow SLA: %w", err)
		}
		out := slaOf(gen.WorkflowSLAGetRow(row))
		return out, audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityWorkflowSLA, EntityID: workflowSLAEntityID, Action: audit.ActionWorkflowSLAUpdated,
			UserID: audit.By(actor.UserID),
			Changes: map[string]any{
				"assignment_days": fromTo(cur.AssignmentDays, row.AssignmentDays),
				"begin_work_days": fromTo(cur.BeginWorkDays, row.BeginWorkDays),
				"approval_days":   fromTo(cur.ApprovalDays, row.ApprovalDays),
			},
		})
	})
}
