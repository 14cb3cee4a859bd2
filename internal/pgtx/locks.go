package pgtx

import (
	"context"
	"fmt"
	"slices"

	"mrmflow/gen"
)

// This file is the one home of mrmflow's locks (docs/locks.md): the advisory lock namespaces, the
// global lock order, and the error a lock statement that failed becomes.
//
// The lock order. Every transaction of mrmflow takes its locks in this one order (a transaction
// skips what it does not need), so no two of them can wait for each other in a cycle:
//
//  1. deployment task rows, ascending task_id (bulk and single deployment operations);
//  2. validation advisory locks pg_advisory_xact_lock(ModelLockNamespace, model_id), one
//     statement per model (QueueModelLock), ascending model_id, in the outer transaction
//     (validation Create, ChangeModels with all the request's models after the change, and
//     Decide on a round's approval, whose last approval moves the request to APPROVED);
//  3. model rows FOR NO KEY UPDATE, ascending model_id (deployment confirmations);
//  4. model version rows FOR NO KEY UPDATE, ascending version_id (deployment confirmations; Create
//     and ChangeModels for the versions they link or unlink);
//  5. validation request rows, ascending request_id: FOR NO KEY UPDATE by deployment
//     confirmations, FOR UPDATE (ValidationRequestLockForUpdate) by every change of one request —
//     its status, assignments, sign-off, outcome, fields and models;
//  6. rows of the request's own tables, written after its row lock: assignments, outcome, model
//     and region links (new link rows in ascending model_id order), approvals (Decide locks the
//     approval's row FOR UPDATE; confirmations insert DEPLOYMENT approvals); then, in a create
//     that checked its own token (validation CreateAuthenticating), that token's row, updated
//     with its writes when its use is due to be recorded (APITokenTouch): the transactions that
//     lock token rows otherwise (revocations, disables) take no other lock;
//  7. at commit, the ready counts of the models the transaction touched (model_ready_counts FOR
//     UPDATE, ascending model_id, taken by the database's deferred trigger model_ready_flush in one
//     statement, never by Go); nothing waits for another lock after it.
//
// Deployment operations take no advisory lock, and validation calls no task or model row lock,
// so steps 1-3 never meet in one transaction in conflicting orders. Within one kind, the ids are
// sorted and de-duplicated in Go (LockOrder) before the lock statement.

// The advisory lock namespaces: the first key of pg_advisory_xact_lock(namespace, id). A namespace
// must never change and is never reused for another kind of lock: every replica, and every version
// of mrmflow running during a rolling deploy, must lock the same key for the same object, or two
// of them would not exclude each other. A new advisory lock takes a new namespace here.
const (
	// ModelLockNamespace keys the per-model validation locks (DATA-01): (42, model_id).
	ModelLockNamespace int32 = 42
)

// QueueModelLock queues the validation lock of model id into p. The locks are taken in the outer
// transaction, never in a savepoint (a savepoint rollback would release them), and in ascending
// model id order by every caller, so two requests sharing models cannot deadlock.
func QueueModelLock(ctx context.Context, p *Pipeline, id int32) {
	p.Exec(func(q *gen.Queries) error {
		return q.AcquireModelLock(ctx, gen.AcquireModelLockParams{Namespace: ModelLockNamespace, ModelID: id})
	}, func(err error) error {
		return LockError(err, fmt.Sprintf("lock model %d", id),
			fmt.Sprintf("model %d is busy with another validation request; retry shortly", id))
	})
}

// LockError is the error of a lock statement that failed with err: a wait past lock_timeout
// becomes lock_timeout (503, retryable) with busy as its message (BusyAs); any other failure (a
// statement timeout included) is wrapped with what and left to Translate.
func LockError(err error, what, busy string) error {
	if Classify(err) == LockTimeout {
		return BusyAs(err, busy)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// LockOrder returns ids in the order one kind of lock is taken: ascending, each once (a new
// slice).
func LockOrder(ids []int32) []int32 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
