package deployment

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/idempotency"
	"mrmflow/internal/pgtx"
)

// MaxBulkTasks bounds the task ids of one bulk call (docs/limits.md, "Ids and lists").
//
// One savepoint per task means a full call runs 1,000 subtransactions, past the 64 PostgreSQL
// caches per backend (docs/savepoints.md, "Many subtransactions"): a concurrent load runs slower
// while such a call is open. BenchmarkSubtransactionOverflow measures by how much; its figures are
// in the README's design notes ("Many savepoints"), and what a 1,000-task call costs is in
// bench/results/latest.md. The cost lasts only as long as the call, and chunking would give up the
// one-transaction, one-commit contract of REL-02 (a failure of the call could then leave some
// chunks committed), so calls are not chunked. Rerun the measurement before raising the limit.
const MaxBulkTasks = 1000

// CodeDBError is the failure code of a task whose statements failed in the database (a trigger,
// a constraint, a statement timeout). It exists only inside bulk answers, never as an HTTP status.
const CodeDBError domain.Code = "db_error"

// codeOK is the outcome label of a task that succeeded, in the bulk metrics.
const codeOK = "ok"

// Failure is one task a bulk call could not do.
type Failure struct {
	TaskID  int32       `json:"task_id"`
	Code    domain.Code `json:"code"`
	Message string      `json:"message"`
}

// BulkResult is the answer of a bulk call: exactly what was committed. Both lists are in
// ascending task id order, the order the tasks were worked on.
type BulkResult struct {
	Succeeded      []int32   `json:"succeeded"`
	Failed         []Failure `json:"failed"`
	SucceededCount int       `json:"succeeded_count"`
	FailedCount    int       `json:"failed_count"`
}

// BulkConfirm confirms many tasks; each succeeds or fails on its own (REL-02).
func (s *Service) BulkConfirm(ctx context.Context, actor domain.Actor, taskIDs []int32, in ConfirmInput, key *idempotency.Key) (idempotency.Result[BulkResult], error) {
	if err := checkBulk(taskIDs, in); err != nil {
		return idempotency.Result[BulkResult]{}, err
	}
	return s.runBulk(ctx, actor, taskIDs, confirmOp(in), key)
}

// BulkAdjust adjusts many tasks; each succeeds or fails on its own.
func (s *Service) BulkAdjust(ctx context.Context, actor domain.Actor, taskIDs []int32, in AdjustInput, key *idempotency.Key) (idempotency.Result[BulkResult], error) {
	if err := checkBulk(taskIDs, in); err != nil {
		return idempotency.Result[BulkResult]{}, err
	}
	return s.runBulk(ctx, actor, taskIDs, adjustOp(in), key)
}

// BulkCancel cancels many tasks; each succeeds or fails on its own.
func (s *Service) BulkCancel(ctx context.Context, actor domain.Actor, taskIDs []int32, in CancelInput, key *idempotency.Key) (idempotency.Result[BulkResult], error) {
	if err := checkBulk(taskIDs, in); err != nil {
		return idempotency.Result[BulkResult]{}, err
	}
	return s.runBulk(ctx, actor, taskIDs, cancelOp(in), key)
}

// checkBulk checks a bulk call's task ids and its operation's input together, so one answer lists
// the problems of both.
func checkBulk(ids []int32, in interface{ problems(*domain.Check) }) error {
	var c domain.Check
	c.IDs("task_ids", ids, 1, MaxBulkTasks)
	in.problems(&c)
	return c.Err()
}

// runBulk is the one savepoint loop of every bulk operation, on input checkBulk passed
// (docs/savepoints.md, "The loop"): one READ COMMITTED transaction; statement and lock timeouts set
// first; every task the actor may act on locked FOR UPDATE in ascending id order before any work;
// then each such task in its own savepoint, a failed one rolled back to it, recorded and followed
// by a failure audit row; one commit at the end. Ids of tasks the actor may not act on are reported
// (not_found, or forbidden when the actor may see the task) and neither locked nor audited. An
// error that is not the task's own (the connection died, the context ended) aborts the whole call.
func (s *Service) runBulk(ctx context.Context, actor domain.Actor, taskIDs []int32, op operation, key *idempotency.Key) (idempotency.Result[BulkResult], error) {
	res, err := idempotency.InTx(ctx, s.pool, s.limits, key, func(tx pgx.Tx) (BulkResult, error) {
		return s.bulkLoop(ctx, tx, actor, taskIDs, op)
	})
	if err != nil {
		return idempotency.Result[BulkResult]{}, err
	}
	if res.Replay == nil {
		s.observe(op.name, len(taskIDs), res.Value)
	}
	return res, nil
}

// bulkLoop is runBulk's work inside the transaction, in its steps: lock every task of the call
// the actor may act on (lockTasks); then take the ids in ascending order and refuse an id that
// matched no such task without a round trip, run op on a locked task in its own savepoint, and
// after a task's failure roll back to the savepoint, classify the failure (taskFailure) and write
// its audit row in the outer transaction. The result lists every id once, succeeded or failed.
func (s *Service) bulkLoop(ctx context.Context, tx pgx.Tx, actor domain.Actor, taskIDs []int32, op operation) (BulkResult, error) {
	call, err := s.lockTasks(ctx, tx, actor, taskIDs, op.lockModels)
	if err != nil {
		return BulkResult{}, err
	}
	ids := slices.Clone(taskIDs)
	slices.Sort(ids)
	res := BulkResult{Succeeded: []int32{}, Failed: []Failure{}}
	for _, id := range ids {
		if call.task(id) == nil {
			// Not a task the actor may act on: it was not locked, and it gets no audit row (a
			// caller cannot write audit rows about other owners' tasks); it costs no round trip.
			refused := call.refusal(id, op.name)
			res.Failed = append(res.Failed, Failure{TaskID: id, Code: refused.Code, Message: refused.Message})
			continue
		}
		// One round trip: SAVEPOINT, the task's one statement (its change and audit row), RELEASE;
		// a rollback to the savepoint goes on its own.
		sp := s.taskSavepoint(tx)
		_, err := op.run(ctx, actor, id, call, func(p *pgtx.Pipeline) error { return sp.Release(ctx, p) })
		if err == nil {
			res.Succeeded = append(res.Succeeded, id)
			continue
		}
		if rbErr := sp.Rollback(ctx); rbErr != nil {
			// The transaction is unusable: nothing of the call can be committed or reported.
			return BulkResult{}, fmt.Errorf("deployment task %d: %w", id, errors.Join(err, rbErr))
		}
		f, fatal := taskFailure(ctx, tx, id, err)
		if fatal != nil {
			return BulkResult{}, fatal
		}
		res.Failed = append(res.Failed, f)
		// Written after the rollback, in the outer transaction: the failure's only trace.
		err = audit.Record(ctx, gen.New(tx), audit.Entry{
			EntityType: audit.EntityDeploymentTask, EntityID: id, Action: op.failedAction,
			UserID: audit.By(actor.UserID), Changes: map[string]any{"code": f.Code, "message": f.Message},
		})
		if err != nil {
			return BulkResult{}, err
		}
	}
	res.SucceededCount, res.FailedCount = len(res.Succeeded), len(res.Failed)
	return res, nil
}

// taskSavepoint is the savepoint around one task of a bulk call: the pipelined one, or none at all
// in the negative control that shows why it is there (noSavepoints).
type taskSavepoint interface {
	Send(ctx context.Context, p *pgtx.Pipeline) error
	Release(ctx context.Context, p *pgtx.Pipeline) error
	Rollback(ctx context.Context) error
}

func (s *Service) taskSavepoint(tx pgx.Tx) taskSavepoint {
	if s.noSavepoints {
		return withoutSavepoint{tx}
	}
	return pgtx.NewPipelinedSavepoint(tx, "task")
}

// withoutSavepoint sends a task's pipelines straight into the outer transaction, so a failed task
// aborts it: the negative control's way of showing what the savepoint saves.
type withoutSavepoint struct{ tx pgx.Tx }

func (n withoutSavepoint) Send(ctx context.Context, p *pgtx.Pipeline) error { return p.Send(ctx, n.tx) }

func (n withoutSavepoint) Release(ctx context.Context, p *pgtx.Pipeline) error {
	return p.Send(ctx, n.tx)
}

func (withoutSavepoint) Rollback(context.Context) error { return nil }

// taskFailure classifies the error of one task. A domain error is the task's own failure; a
// server error (*pgconn.PgError) on a healthy connection is db_error, reported by SQLSTATE only
// so nothing internal leaks. Anything else — a cancelled context, a closed connection (including
// one the server terminated, whose FATAL error is a PgError too), a failed savepoint rollback —
// is returned as fatal: the transaction is gone and recording N fake task failures would lie.
func taskFailure(ctx context.Context, tx pgx.Tx, taskID int32, err error) (Failure, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return Failure{}, fmt.Errorf("deployment task %d: %w", taskID, errors.Join(ctxErr, err))
	}
	if tx.Conn().IsClosed() {
		return Failure{}, fmt.Errorf("deployment task %d: connection lost: %w", taskID, err)
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return Failure{TaskID: taskID, Code: de.Code, Message: de.Message}, nil
	}
	if state := sqlState(err); state != "" {
		return Failure{TaskID: taskID, Code: CodeDBError, Message: "database error (SQLSTATE " + state + ")"}, nil
	}
	return Failure{}, fmt.Errorf("deployment task %d: %w", taskID, err)
}

// sqlState is the SQLSTATE of a server error, or "" when err did not come from the server.
func sqlState(err error) string {
	if pgErr := pgtx.PgError(err); pgErr != nil {
		return pgErr.Code
	}
	return ""
}

// observe counts a committed bulk call's size and per-task outcomes.
func (s *Service) observe(op string, size int, res BulkResult) {
	if s.metrics == nil {
		return
	}
	s.metrics.BulkCallSize.WithLabelValues(op).Observe(float64(size))
	if res.SucceededCount > 0 {
		s.metrics.BulkTaskOutcomes.WithLabelValues(op, codeOK).Add(float64(res.SucceededCount))
	}
	for _, f := range res.Failed {
		s.metrics.BulkTaskOutcomes.WithLabelValues(op, string(f.Code)).Inc()
	}
}
