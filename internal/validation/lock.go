package validation

import (
	"context"
	"fmt"
	"slices"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// LockNamespace is the first key of the per-model validation advisory locks:
// pg_advisory_xact_lock(LockNamespace, model_id). It must never change: every replica, and every
// version of mrmflow running during a rolling deploy, must lock the same key for the same model,
// or two of them would not exclude each other. Other advisory locks must use other namespaces.
const LockNamespace int32 = 42

// queueModelLock queues the validation lock of model id into p. The locks are taken in the outer
// transaction, never in a savepoint (a savepoint rollback would release them), and in ascending
// model id order by every caller, so two requests sharing models cannot deadlock.
func queueModelLock(ctx context.Context, p *pgtx.Pipeline, id int32) {
	p.Exec(func(q *gen.Queries) error {
		return q.AcquireModelLock(ctx, gen.AcquireModelLockParams{Namespace: LockNamespace, ModelID: id})
	}, func(err error) error { return lockError(err, id) })
}

// lockError turns a lock_timeout into the 503 a client may retry, naming the busy model; any
// other failure is left to pgtx.Translate.
func lockError(err error, modelID int32) error {
	if pgtx.Classify(err) == pgtx.LockTimeout {
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
