package validation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// LockNamespace is the first key of the per-model validation advisory locks:
// pg_advisory_xact_lock(LockNamespace, model_id). It must never change: every replica, and every
// version of mrmflow running during a rolling deploy, must lock the same key for the same model,
// or two of them would not exclude each other. Other advisory locks must use other namespaces.
const LockNamespace int32 = 42

// lockModels takes the validation lock of every model, one statement per model, in the order
// given — which must be ascending (sortedIDs): two multi-model requests then always lock their
// common models in the same order and cannot deadlock. The locks are taken in the outer
// transaction, never in a savepoint (a savepoint rollback would release them). The wait is
// observed into the LockWait histogram.
func (s *Service) lockModels(ctx context.Context, q *gen.Queries, sortedModelIDs []int32) error {
	if s.opts.SkipLock {
		return nil
	}
	start := time.Now()
	defer func() { s.metrics.LockWait.Observe(time.Since(start).Seconds()) }()
	for _, id := range sortedModelIDs {
		if err := q.AcquireModelLock(ctx, gen.AcquireModelLockParams{Namespace: LockNamespace, ModelID: id}); err != nil {
			return lockError(err, id)
		}
	}
	return nil
}

// lockError turns a lock_timeout into the 503 a client may retry.
func lockError(err error, modelID int32) error {
	if pgtx.IsSQLState(err, pgtx.LockNotAvailable) {
		return domain.Errorf(domain.CodeLockTimeout, "model %d is busy with another validation request; retry shortly", modelID)
	}
	return fmt.Errorf("lock model %d: %w", modelID, err)
}

// sortedIDs returns ids sorted ascending without duplicates (a new slice).
func sortedIDs(ids []int32) []int32 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
