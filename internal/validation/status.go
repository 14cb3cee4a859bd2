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
// request row is locked FOR UPDATE, so concurrent changes are judged one after the other. Closing
// a request (APPROVED, CANCELLED) frees its models: the link rows' blocks_model follows the
// request through the foreign key's ON UPDATE CASCADE in the same statement. Approving takes the
// validation locks of the request's models first (ascending, before any row lock, the order every
// creator uses): an INITIAL creation checks "no approved validation" under those locks, and must
// not miss an approval committing meanwhile. Other changes need no model lock: they never make a
// request block a model it did not block before (closed statuses are terminal). VALIDATOR and
// ADMIN may change statuses.
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
	var r Request
	err := pgtx.WithTxLimits(ctx, s.pool, pgtx.ReadCommitted, pgtx.Limits{LockTimeout: s.lockTimeout}, func(tx pgx.Tx) error {
		q := gen.New(tx)
		if status == StatusApproved {
			modelIDs, err := q.ValidationRequestModelIDs(ctx, requestID)
			if err != nil {
				return fmt.Errorf("read request models: %w", err)
			}
			if err := s.lockModels(ctx, q, modelIDs); err != nil {
				return err
			}
		}
		cur, err := q.ValidationRequestLockForUpdate(ctx, requestID)
		if pgtx.IsNoRows(err) {
			return domain.NotFound("validation request %d does not exist", requestID)
		}
		if err != nil {
			return fmt.Errorf("lock validation request: %w", err)
		}
		if !slices.Contains(transitions[cur.Status], status) {
			return invalidTransition(requestID, cur.Status, status)
		}
		err = q.ValidationRequestSetStatus(ctx, gen.ValidationRequestSetStatusParams{RequestID: requestID, Status: status})
		if pgtx.IsConstraintViolation(err, pgtx.CheckViolation, statusTransition) {
			return invalidTransition(requestID, cur.Status, status)
		}
		if err != nil {
			return fmt.Errorf("set validation status: %w", err)
		}
		var why *string
		if reason != "" {
			why = &reason
		}
		err = q.ValidationStatusHistoryAdd(ctx, gen.ValidationStatusHistoryAddParams{
			RequestID: requestID, FromStatus: &cur.Status, ToStatus: status, Reason: why, ChangedBy: actor.UserID,
		})
		if err != nil {
			return fmt.Errorf("record status history: %w", err)
		}
		if err := audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityValidationRequest, EntityID: requestID, Action: "VALIDATION_STATUS_CHANGED",
			UserID:  audit.By(actor.UserID),
			Changes: map[string]any{"from_status": cur.Status, "to_status": status, "reason": why},
		}); err != nil {
			return err
		}
		r, err = get(ctx, q, requestID)
		return err
	})
	return r, txError(err)
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
