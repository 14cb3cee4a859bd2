package validation

import (
	"context"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// queueRoundChange queues what a status change from -> to does to the request's approval round:
// entering PENDING_APPROVAL creates the required approvals; leaving it other than for APPROVED
// (a step back, a hold, a cancellation) voids those still pending, so the next PENDING_APPROVAL
// starts a fresh round. The caller holds the request's row lock.
func queueRoundChange(ctx context.Context, p *pgtx.Pipeline, requestID int32, from, to string) {
	switch {
	case to == StatusPendingApproval:
		p.Exec(func(q *gen.Queries) error {
			_, err := q.ValidationApprovalsCreateRequired(ctx, requestID)
			return err
		}, pgtx.Wrap("create required approvals"))
	case from == StatusPendingApproval && to != StatusApproved:
		queueVoidRound(ctx, p, requestID)
	}
}

// queueVoidRound voids the round's approvals still pending.
func queueVoidRound(ctx context.Context, p *pgtx.Pipeline, requestID int32) {
	p.Exec(func(q *gen.Queries) error {
		_, err := q.ValidationApprovalsVoidPending(ctx, requestID)
		return err
	}, pgtx.Wrap("void pending approvals"))
}

// queueStatusMove queues a request's move from -> to with its history and audit rows, and what the
// move does to the approval round. The caller has locked the request row and judged the move.
func queueStatusMove(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, requestID int32, from, to string, reason *string) error {
	p.Exec(func(q *gen.Queries) error {
		return q.ValidationRequestSetStatus(ctx, gen.ValidationRequestSetStatusParams{RequestID: requestID, Status: to})
	}, func(err error) error {
		if pgtx.IsConstraintViolation(err, pgtx.CheckViolation, statusTransition) {
			return invalidTransition(requestID, from, to)
		}
		return pgtx.Wrap("set validation status")(err)
	})
	queueRoundChange(ctx, p, requestID, from, to)
	p.Exec(func(q *gen.Queries) error {
		return q.ValidationStatusHistoryAdd(ctx, gen.ValidationStatusHistoryAddParams{
			RequestID: requestID, FromStatus: &from, ToStatus: to, Reason: reason, ChangedBy: actor.UserID,
		})
	}, pgtx.Wrap("record status history"))
	return audit.Queue(ctx, p, audit.Entry{
		EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: "VALIDATION_STATUS_CHANGED",
		UserID:  audit.By(actor.UserID),
		Changes: map[string]any{"from_status": from, "to_status": to, "reason": reason},
	})
}
