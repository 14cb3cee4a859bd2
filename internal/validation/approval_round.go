package validation

import (
	"context"

	"mrmflow/gen"
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
		p.Exec(func(q *gen.Queries) error {
			_, err := q.ValidationApprovalsVoidPending(ctx, requestID)
			return err
		}, pgtx.Wrap("void pending approvals"))
	}
}
