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

// submissionStartsWork is the reason of the history row of a PLANNING request that its
// submission moved to IN_PROGRESS.
const submissionStartsWork = "submission received"

// SubmissionInput is the model owner's submission (documentation, data) as a validator received
// it: the day, not after today in UTC, and what the validator noted.
type SubmissionInput struct {
	ReceivedDate domain.Date
	Notes        string
}

// Submit records the day request requestID's submission was received, once: the request's assigned
// validators and ADMIN may. A PLANNING request moves to IN_PROGRESS in the same transaction,
// through that move's gates (a gate not met refuses the whole call, nothing written): the work
// begins with the submission (docs/revalidation.md). Everything is judged under the request's row
// lock, submission_received_date still NULL included, so of two submissions at once the second
// waits and then finds the first (409 conflict). A closed request refuses (invalid_status).
func (s *Service) Submit(ctx context.Context, actor domain.Actor, requestID int32, in SubmissionInput) (Request, error) {
	if !canWrite(actor) {
		return Request{}, domain.Forbidden("only the validators assigned to validation request %d or an ADMIN may record its submission", requestID)
	}
	var c domain.Check
	c.Text("notes", in.Notes, false)
	if err := c.Err(); err != nil {
		return Request{}, err
	}
	return pgtx.WithTxV(ctx, s.transactions(), func(tx pgx.Tx) (Request, error) {
		lock := &pgtx.Pipeline{}
		var cur gen.ValidationRequestLockForUpdateRow
		s.queueRequestLock(ctx, lock, requestID, &cur)
		var gate gen.ValidationRequestGateStateRow
		queueGateState(ctx, lock, requestID, &gate)
		var st gen.ValidationSubmissionStateRow
		pgtx.One(lock, &st, func(q *gen.Queries) (gen.ValidationSubmissionStateRow, error) {
			return q.ValidationSubmissionState(ctx, gen.ValidationSubmissionStateParams{RequestID: requestID, UserID: actor.UserID})
		}, pgtx.Wrap("read submission state"))
		if err := lock.Send(ctx, tx); err != nil {
			return Request{}, err
		}
		if !actor.IsAdmin() && !st.IsAssigned {
			return Request{}, domain.Forbidden("only the validators assigned to validation request %d or an ADMIN may record its submission", requestID)
		}
		if in.ReceivedDate.After(st.Today) {
			return Request{}, domain.Invalid("received_date", fmt.Sprintf("must not be after today (%s, UTC)", st.Today.Format(domain.DateLayout)))
		}
		if IsClosed(cur.Status) {
			return Request{}, closedError(requestID, cur.Status)
		}
		if cur.SubmissionReceivedDate != nil {
			return Request{}, domain.Errorf(domain.CodeConflict, "validation request %d already has its submission, received on %s",
				requestID, cur.SubmissionReceivedDate.Format(domain.DateLayout))
		}
		startsWork := cur.Status == StatusPlanning
		if startsWork {
			if !slices.Contains(transitions[cur.Status], StatusInProgress) {
				return Request{}, invalidTransition(requestID, cur.Status, StatusInProgress)
			}
			if err := checkGates(actor, requestID, cur.Status, StatusInProgress, submissionStartsWork, gate, true); err != nil {
				return Request{}, err
			}
		}

		change := &pgtx.Pipeline{}
		var notes *string
		if in.Notes != "" {
			notes = &in.Notes
		}
		received := in.ReceivedDate.Time
		change.Exec(func(q *gen.Queries) error {
			return q.ValidationRequestSetSubmission(ctx, gen.ValidationRequestSetSubmissionParams{
				RequestID: requestID, ReceivedDate: &received, Notes: notes,
			})
		}, pgtx.Wrap("record submission"))
		if startsWork {
			queueStatusChange(ctx, change, actor, requestID, cur.Status, StatusInProgress, submissionStartsWork)
		}
		audit.Queue(ctx, change, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: audit.ActionSubmissionReceived,
			UserID:  audit.By(actor.UserID),
			Changes: map[string]any{"received_date": in.ReceivedDate, "notes": notes},
		})
		var shown shownRequest
		shown.queue(ctx, change, requestID)
		if err := change.SendAndCommit(ctx, tx); err != nil {
			return Request{}, err
		}
		return shown.request(), nil
	})
}
