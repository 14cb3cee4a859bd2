package validation

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// ChangeStatus moves a request to status along the allowed transitions and records why. The
// request row is locked FOR UPDATE, so concurrent changes are judged one after the other, and the
// status gates (gate.go) are judged under that lock against the request's assignments and outcome.
// Cancelling a request frees its models: the link rows' blocks_model follows the request through
// the foreign key's ON UPDATE CASCADE in the same statement. APPROVED is never set here (its gate
// refuses it): only the last approval of the round approves a request (Decide, which takes the
// models' validation locks an INITIAL creation checks under). No change here needs a model lock:
// none makes a request block a model it did not block before (closed statuses are terminal).
// Entering PENDING_APPROVAL creates the round of approvals; leaving it voids what is pending.
// VALIDATOR and ADMIN may change statuses.
func (s *Service) ChangeStatus(ctx context.Context, actor domain.Actor, requestID int32, status, reason string) (Request, error) {
	if !canWrite(actor) {
		return Request{}, domain.Forbidden("only VALIDATOR and ADMIN users may change the status of validation requests")
	}
	var c domain.Check
	if _, known := transitions[status]; !known {
		c.Add("status", "must be one of %v", sortedKeysOf(transitions))
	}
	c.Text("reason", reason, false)
	if err := c.Err(); err != nil {
		return Request{}, err
	}
	if err := checkReason(status, reason); err != nil {
		return Request{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Request, error) {
		return s.changeStatus(ctx, tx, actor, requestID, status, reason, true)
	})
}

// Resume returns an ON_HOLD request to the status it had when it was put on hold (read from its
// history under the row lock), through the same gates as a change by hand, except that a request
// held in REVISION returns there. VALIDATOR and ADMIN may resume.
func (s *Service) Resume(ctx context.Context, actor domain.Actor, requestID int32, reason string) (Request, error) {
	if !canWrite(actor) {
		return Request{}, domain.Forbidden("only VALIDATOR and ADMIN users may resume validation requests")
	}
	var c domain.Check
	c.Text("reason", reason, false)
	if err := c.Err(); err != nil {
		return Request{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Request, error) {
		return s.changeStatus(ctx, tx, actor, requestID, "", reason, false)
	})
}

// changeStatus is ChangeStatus's work in two round trips: lock the request row and read its gate
// state; then, judged in Go, the
// update, its history and audit rows, the reads of the answer and the COMMIT, pipelined. It is the
// whole transaction. byHand is false for a resume, whose status ("" here) is the one the request
// had before its hold.
func (s *Service) changeStatus(ctx context.Context, tx pgx.Tx, actor domain.Actor, requestID int32, status, reason string, byHand bool) (Request, error) {
	lock := &pgtx.Pipeline{}
	var cur gen.ValidationRequestLockForUpdateRow
	s.queueRequestLock(ctx, lock, requestID, &cur)
	var gate gen.ValidationRequestGateStateRow
	queueGateState(ctx, lock, requestID, &gate)
	if err := lock.Send(ctx, tx); err != nil {
		return Request{}, err
	}
	if !byHand {
		if cur.Status != StatusOnHold || gate.HeldFrom == "" {
			return Request{}, domain.Errorf(domain.CodeInvalidStatus, "validation request %d is %s, not ON_HOLD", requestID, cur.Status)
		}
		status = gate.HeldFrom
	}
	if !slices.Contains(transitions[cur.Status], status) {
		return Request{}, invalidTransition(requestID, cur.Status, status)
	}
	if err := checkGates(actor, requestID, cur.Status, status, reason, gate, byHand); err != nil {
		return Request{}, err
	}

	change := &pgtx.Pipeline{}
	queueStatusChange(ctx, change, actor, requestID, cur.Status, status, reason)
	var shown shownRequest
	shown.queue(ctx, change, requestID)
	if err := change.SendAndCommit(ctx, tx); err != nil {
		return Request{}, err
	}
	return shown.request(), nil
}

// queueRequestLock queues ValidationRequestLockForUpdate of requestID into p: every change of a
// request's status, assignments, outcome, models or fields takes this lock first (after the model
// locks when it needs them), so they are judged one after the other. A missing request fails the
// pipeline with not_found.
func (s *Service) queueRequestLock(ctx context.Context, p *pgtx.Pipeline, requestID int32, dst *gen.ValidationRequestLockForUpdateRow) {
	pgtx.One(p, dst, func(q *gen.Queries) (gen.ValidationRequestLockForUpdateRow, error) {
		if s.controls.noRequestLock {
			row, err := q.ValidationRequestStatusUnlocked(ctx, requestID)
			return gen.ValidationRequestLockForUpdateRow(row), err
		}
		return q.ValidationRequestLockForUpdate(ctx, requestID)
	}, func(err error) error {
		if pgtx.IsNoRows(err) {
			return domain.NotFound("validation request %d does not exist", requestID)
		}
		return fmt.Errorf("lock validation request: %w", err)
	})
}

// queueGateState queues the read of what the gates judge, to follow queueRequestLock in p.
func queueGateState(ctx context.Context, p *pgtx.Pipeline, requestID int32, dst *gen.ValidationRequestGateStateRow) {
	pgtx.One(p, dst, func(q *gen.Queries) (gen.ValidationRequestGateStateRow, error) {
		return q.ValidationRequestGateState(ctx, requestID)
	}, pgtx.Wrap("read gate state"))
}

// queueStatusChange queues the move of request requestID from status from to to, already judged
// allowed: the update, what it does to the approval round (queueRoundChange), its history row and
// its audit row, and, for a move back to IN_PROGRESS, the end of the reviewer's sign-off (the work
// will change and must be reviewed again).
func queueStatusChange(ctx context.Context, p *pgtx.Pipeline, actor domain.Actor, requestID int32, from, to, reason string) {
	p.Exec(func(q *gen.Queries) error {
		return q.ValidationRequestSetStatus(ctx, gen.ValidationRequestSetStatusParams{RequestID: requestID, Status: to})
	}, func(err error) error {
		if pgtx.IsConstraintViolation(err, pgtx.CheckViolation, statusTransition) {
			return invalidTransition(requestID, from, to)
		}
		return fmt.Errorf("set validation status: %w", err)
	})
	queueRoundChange(ctx, p, requestID, from, to)
	if to == StatusInProgress {
		p.Exec(func(q *gen.Queries) error { return q.ValidationAssignmentsClearSignOff(ctx, requestID) }, pgtx.Wrap("clear sign-off"))
	}
	var why *string
	if reason != "" {
		why = &reason
	}
	p.Exec(func(q *gen.Queries) error {
		return q.ValidationStatusHistoryAdd(ctx, gen.ValidationStatusHistoryAddParams{
			RequestID: requestID, FromStatus: &from, ToStatus: to, Reason: why, ChangedBy: actor.UserID,
		})
	}, pgtx.Wrap("record status history"))
	audit.Queue(ctx, p, audit.Entry{
		EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: audit.ActionValidationStatusChanged,
		UserID:  audit.By(actor.UserID),
		Changes: map[string]any{"from_status": from, "to_status": to, "reason": why},
	})
}

// invalidTransition is the 409 for a status change the workflow does not allow; it lists the
// statuses the request may move to.
func invalidTransition(requestID int32, from, to string) *domain.Error {
	e := domain.Errorf(domain.CodeInvalidTransition, "validation request %d cannot go from %s to %s", requestID, from, to)
	e.Extra = map[string]any{"current_status": from, "allowed": slices.Clone(transitions[from])}
	return e
}

func sortedKeysOf(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
