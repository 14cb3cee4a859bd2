package validation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
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
		var err error
		r, err = s.changeStatus(ctx, tx, actor, requestID, status, reason)
		return err
	})
	return r, txError(err)
}

// changeStatus is ChangeStatus's work in two round trips (three when approving, which reads the
// models to lock first): lock the request row; then, judged in Go, the update, its history and
// audit rows, the reads of the answer and the COMMIT, pipelined. It is the whole transaction.
func (s *Service) changeStatus(ctx context.Context, tx pgx.Tx, actor domain.Actor, requestID int32, status, reason string) (Request, error) {
	lock := &pgtx.Pipeline{}
	if status == StatusApproved && !s.opts.SkipLock {
		modelIDs, err := gen.New(tx).ValidationRequestModelIDs(ctx, requestID)
		if err != nil {
			return Request{}, fmt.Errorf("read request models: %w", err)
		}
		for _, id := range modelIDs {
			queueModelLock(ctx, lock, id)
		}
	}
	var cur gen.ValidationRequestLockForUpdateRow
	pgtx.One(lock, &cur, func(q *gen.Queries) (gen.ValidationRequestLockForUpdateRow, error) {
		return q.ValidationRequestLockForUpdate(ctx, requestID)
	}, func(err error) error {
		if pgtx.IsNoRows(err) {
			return domain.NotFound("validation request %d does not exist", requestID)
		}
		return fmt.Errorf("lock validation request: %w", err)
	})
	start := time.Now()
	err := lock.Send(ctx, tx)
	if lock.Len() > 1 { // model locks were queued: their wait is the pipeline's time, as in create
		s.metrics.LockWait.Observe(time.Since(start).Seconds())
	}
	if err != nil {
		return Request{}, err
	}
	if !slices.Contains(transitions[cur.Status], status) {
		return Request{}, invalidTransition(requestID, cur.Status, status)
	}

	change := &pgtx.Pipeline{}
	var why *string
	if reason != "" {
		why = &reason
	}
	if err := queueStatusMove(ctx, change, actor, requestID, cur.Status, status, why); err != nil {
		return Request{}, err
	}
	var shown shownRequest
	shown.queue(ctx, change, requestID)
	if err := change.SendAndCommit(ctx, tx); err != nil {
		return Request{}, err
	}
	return shown.request(), nil
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
