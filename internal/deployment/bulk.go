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
	res, err := idempotency.InTx(ctx, s.db, key, func(tx pgx.Tx) (BulkResult, error) {
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

// tasksPerRoundTrip bounds the tasks that share one pipeline: enough to make a round trip per
// task a thing of the past, few enough that one pipeline stays a few hundred statements.
const tasksPerRoundTrip = 100

// bulkLoop is runBulk's work inside the transaction, in its steps: lock every task of the call
// the actor may act on (lockTasks); then take the ids in ascending order and refuse an id that
// matched no such task without a round trip; send the locked tasks the checks let through, up to
// tasksPerRoundTrip at a time, in one pipeline, each in its own savepoint (sendTasks); after a
// task's failure roll back to its savepoint, classify the failure (taskFailure), write its audit
// row in the outer transaction, and go on with the tasks after it. The result lists every id
// once, succeeded or failed, in ascending order.
func (s *Service) bulkLoop(ctx context.Context, tx pgx.Tx, actor domain.Actor, taskIDs []int32, op operation) (BulkResult, error) {
	call, err := s.lockTasks(ctx, tx, actor, taskIDs, op.lockModels)
	if err != nil {
		return BulkResult{}, err
	}
	todo := slices.Clone(taskIDs)
	slices.Sort(todo)
	res := BulkResult{Succeeded: []int32{}, Failed: []Failure{}}
	fail := func(id int32, taskErr error) error {
		f, fatal := taskFailure(ctx, tx, id, taskErr)
		if fatal != nil {
			return fatal
		}
		res.Failed = append(res.Failed, f)
		// Written after any rollback, in the outer transaction: the failure's only trace.
		return audit.Record(ctx, gen.New(tx), audit.Entry{
			EntityType: audit.EntityDeploymentTask, EntityID: id, Action: op.failedAction,
			UserID: audit.By(actor.UserID), Changes: map[string]any{"code": f.Code, "message": f.Message},
		})
	}
	for len(todo) > 0 {
		id := todo[0]
		if call.task(id) == nil {
			// Not a task the actor may act on: it was not locked, and it gets no audit row (a
			// caller cannot write audit rows about other owners' tasks); it costs no round trip.
			refused := call.refusal(id, op.name)
			res.Failed = append(res.Failed, Failure{TaskID: id, Code: refused.Code, Message: refused.Message})
			todo = todo[1:]
			continue
		}
		sent, err := s.sendTasks(ctx, tx, actor, todo, call, op)
		var refused refusedTask
		if errors.As(err, &refused) {
			// Refused by the checks: it sent nothing, and gets its failure audit row.
			if err := fail(id, refused.err); err != nil {
				return BulkResult{}, err
			}
			todo = todo[1:]
			continue
		}
		for _, t := range sent.released {
			if t.err == nil {
				res.Succeeded = append(res.Succeeded, t.id)
			} else if err := fail(t.id, t.err); err != nil {
				return BulkResult{}, err
			}
		}
		todo = todo[len(sent.released):]
		if err == nil {
			continue
		}
		if len(sent.released) == sent.queued {
			// Every task of the pipeline was released, yet it failed: not a task's failure.
			return BulkResult{}, fmt.Errorf("bulk pipeline: %w", err)
		}
		// The task after the released ones failed: its savepoint is open in an aborted
		// transaction, and the tasks after it did not run (they go in the next pipeline).
		failed := todo[0]
		if rbErr := s.rollbackTask(ctx, tx); rbErr != nil {
			// The transaction is unusable: nothing of the call can be committed or reported.
			return BulkResult{}, fmt.Errorf("deployment task %d: %w", failed, errors.Join(err, rbErr))
		}
		if err := fail(failed, err); err != nil {
			return BulkResult{}, err
		}
		todo = todo[1:]
	}
	res.SucceededCount, res.FailedCount = len(res.Succeeded), len(res.Failed)
	return res, nil
}

// refusedTask is the checks' refusal of the first task given to sendTasks: nothing was sent.
type refusedTask struct{ err error }

func (r refusedTask) Error() string { return r.err.Error() }

// sentTasks is what sendTasks sent: the tasks whose savepoint was released, in order, each with
// its answer's error (invalid_status when its statement found it no longer live and wrote
// nothing).
type sentTasks struct {
	queued   int
	released []releasedTask
}

type releasedTask struct {
	id  int32
	err error
}

// sendTasks sends, in one pipeline, the tasks at the head of ids (ascending) that are locked and
// pass op's checks, up to tasksPerRoundTrip, each as SAVEPOINT, its one statement and RELEASE
// (pgtx.Savepointed); it stops before the first task that is not locked or is refused. When the
// first task is refused it sends nothing and returns refusedTask. When a task's statement fails,
// the server skips the rest: sendTasks returns the tasks released before it and the error, and
// the failed task's savepoint is left open for the caller to roll back.
func (s *Service) sendTasks(ctx context.Context, tx pgx.Tx, actor domain.Actor, ids []int32, call lockedCall, op operation) (sentTasks, error) {
	p := &pgtx.Pipeline{}
	var queued []int32
	var results []applied
	released := 0
	for _, id := range ids {
		t := call.task(id)
		if len(queued) == tasksPerRoundTrip || t == nil {
			break
		}
		work := &pgtx.Pipeline{}
		result, err := op.prepare(ctx, work, actor, id, t, call)
		if err != nil {
			if len(queued) == 0 {
				return sentTasks{}, refusedTask{err}
			}
			break
		}
		queued, results = append(queued, id), append(results, result)
		p.Append(s.taskSavepoint(work), func() { released++ })
	}
	err := p.Send(ctx, tx)
	out := sentTasks{queued: len(queued), released: make([]releasedTask, released)}
	for i := range released {
		_, taskErr := results[i]()
		out.released[i] = releasedTask{id: queued[i], err: taskErr}
	}
	return out, err
}

// taskSavepoint wraps one task's statements in its savepoint, or in nothing at all in the
// negative control that shows why it is there (noSavepoints), where a failed task then aborts
// the outer transaction.
func (s *Service) taskSavepoint(work *pgtx.Pipeline) *pgtx.Pipeline {
	if s.controls.noSavepoints {
		return work
	}
	return pgtx.Savepointed(taskSavepointName, work)
}

// rollbackTask rolls back to the savepoint of the task that failed (nothing in the negative
// control, which has none).
func (s *Service) rollbackTask(ctx context.Context, tx pgx.Tx) error {
	if s.controls.noSavepoints {
		return nil
	}
	return pgtx.RollbackToSavepoint(ctx, tx, taskSavepointName)
}

// taskSavepointName names every task's savepoint: each is released or rolled back before the next
// one opens, so the name is never open twice.
const taskSavepointName = "task"

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
	s.metrics.BulkCallSize.WithLabelValues(op).Observe(float64(size))
	if res.SucceededCount > 0 {
		s.metrics.BulkTaskOutcomes.WithLabelValues(op, codeOK).Add(float64(res.SucceededCount))
	}
	for _, f := range res.Failed {
		s.metrics.BulkTaskOutcomes.WithLabelValues(op, string(f.Code)).Inc()
	}
}
