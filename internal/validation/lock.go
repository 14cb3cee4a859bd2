package validation

import (
	"context"
	"fmt"
	"slices"

	"mrmflow/gen"
	"mrmflow/internal/pgtx"
)

// The lock order. Every transaction of mrmflow takes its locks in this one order (a transaction
// skips what it does not need), so no two of them can wait for each other in a cycle:
//
//  1. deployment task rows, ascending task_id (bulk and single deployment operations);
//  2. validation advisory locks pg_advisory_xact_lock(LockNamespace, model_id), one statement per
//     model, ascending model_id, in the outer transaction (Create, ChangeModels with all the
//     request's models after the change, and Decide on a round's approval, whose last approval
//     moves the request to APPROVED);
//  3. model rows FOR NO KEY UPDATE, ascending model_id (deployment confirmations);
//  4. model version rows FOR NO KEY UPDATE, ascending version_id (deployment confirmations; Create
//     and ChangeModels for the versions they link or unlink);
//  5. validation request rows, ascending request_id: FOR NO KEY UPDATE by deployment
//     confirmations, FOR UPDATE (ValidationRequestLockForUpdate) by every change of one request —
//     its status, assignments, sign-off, outcome, fields and models;
//  6. rows of the request's own tables, written after its row lock: assignments, outcome, model
//     and region links (new link rows in ascending model_id order), approvals (Decide locks the
//     approval's row FOR UPDATE; confirmations insert DEPLOYMENT approvals).
//
// Deployment operations take no advisory lock, and validation calls no task or model row lock,
// so steps 1-3 never meet in one transaction in conflicting orders.
//
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
		return pgtx.BusyAs(err, fmt.Sprintf("model %d is busy with another validation request; retry shortly", modelID))
	}
	return fmt.Errorf("lock model %d: %w", modelID, err)
}

// sortedIDs returns ids sorted ascending without duplicates (a new slice).
func sortedIDs(ids []int32) []int32 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
