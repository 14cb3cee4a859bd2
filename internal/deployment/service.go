package deployment

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
)

// DefaultStatementTimeout bounds each statement of a deployment transaction when the service is
// given no statement timeout: a task whose statement runs longer fails alone with db_error
// (57014, recovered by its savepoint's rollback) instead of stalling or losing the whole bulk call.
const DefaultStatementTimeout = 5 * time.Second

// Service creates and works deployment tasks.
type Service struct {
	metrics *metrics.Metrics
	db      pgtx.DB
	// controls take protections away, for negative controls only: a branch on s.controls exists
	// only for a test.
	controls controls
}

// controls are the service's test switches (docs/code.md, "Test switches"): each takes a
// protection away, for the negative control that shows the protection is needed. They are set
// only through export_test.go, which is compiled into the package's tests and nowhere else; the
// zero value, production's, takes nothing away.
type controls struct {
	// noSavepoints runs bulk tasks directly in the outer transaction: without savepoints one
	// failing task loses the whole batch.
	noSavepoints bool
	// lockInCallerOrder and noModelLocks take away the lock ordering and the model locks, for the
	// negative controls of the concurrency tests.
	lockInCallerOrder bool
	noModelLocks      bool
}

// NewService returns a Service on pool. Its transactions take limits, bounded
// (pgtx.Limits.Bounded), with DefaultStatementTimeout for a zero statement timeout; m receives the
// bulk metrics (nil = a private, unexported set).
func NewService(pool *pgxpool.Pool, limits pgtx.Limits, m *metrics.Metrics) *Service {
	limits = limits.Bounded()
	if limits.StatementTimeout <= 0 {
		limits.StatementTimeout = DefaultStatementTimeout
	}
	if m == nil {
		m = metrics.New()
	}
	return &Service{db: pgtx.NewDB(pool, limits), metrics: m}
}

// lockedTask is a task row locked FOR UPDATE by the current transaction: a task the actor may
// act on (DeploymentTaskLockForUpdate locks no other).
type lockedTask = gen.DeploymentTaskLockForUpdateRow

// lockedCall is what lockTasks locked and read for one call.
type lockedCall struct {
	tasks map[int32]lockedTask
	// forbidden holds the ids of existing tasks the actor may see but not act on (a VALIDATOR's
	// view); they are not locked. Any other id that was not locked is reported as missing.
	forbidden map[int32]bool
	// validations holds, by version id, the validation of every locked task's version, read
	// under the version and request locks (confirm only).
	validations map[int32]gen.DeploymentVersionValidationsRow
}

// task is the locked task with id, or nil when the id matched no task the actor may act on.
func (c lockedCall) task(id int32) *lockedTask {
	if t, ok := c.tasks[id]; ok {
		return &t
	}
	return nil
}

// refusal is the error of an id that task does not return: forbidden for a task the actor may
// see, not_found otherwise — a task the actor may not see is answered exactly like a missing
// one, so other owners' task ids cannot be probed.
func (c lockedCall) refusal(id int32, op string) *domain.Error {
	if c.forbidden[id] {
		return domain.Forbidden("only ADMIN users, the assignee and active delegates of the model may %s deployment task %d", op, id)
	}
	return domain.NotFound("deployment task %d does not exist", id)
}

// lockTasks locks the tasks with the given ids in ascending id order, in the outer transaction,
// and, when lockModels is set, then their models in ascending model_id order (confirm needs that
// for the "every region runs the version" check), their versions (whose validation link confirm
// reads) and the validation requests of those versions (confirm creates their regional
// approvals), and reads the versions' validations under those locks. Tasks, models, versions,
// requests, each kind in ascending order: concurrent calls cannot deadlock. The task lock is one
// round trip (with BEGIN and the limits when it is the transaction's first statement; its rows
// name the rest); the other locks and the read share a second. Only tasks the actor may act on
// are locked; the others are absent from the answer (and, for an actor who may see every task,
// the existing ones among them are read without a lock into forbidden, in the first round trip).
func (s *Service) lockTasks(ctx context.Context, tx pgx.Tx, actor domain.Actor, ids []int32, lockModels bool) (lockedCall, error) {
	if s.controls.lockInCallerOrder {
		q := gen.New(tx)
		for _, id := range ids {
			if _, err := q.DeploymentTaskLockForUpdate(ctx, gen.DeploymentTaskLockForUpdateParams{TaskIds: []int32{id}, ActAll: actor.IsAdmin(), UserID: actor.UserID}); err != nil {
				return lockedCall{}, lockError("lock deployment tasks", err)
			}
		}
	}
	sorted := pgtx.LockOrder(ids)
	// Sent as a pipeline, so that a transaction's BEGIN and limits travel with it.
	first := &pgtx.Pipeline{}
	var rows []gen.DeploymentTaskLockForUpdateRow
	pgtx.Many(first, &rows, func(q *gen.Queries) ([]gen.DeploymentTaskLockForUpdateRow, error) {
		return q.DeploymentTaskLockForUpdate(ctx, gen.DeploymentTaskLockForUpdateParams{TaskIds: sorted, ActAll: actor.IsAdmin(), UserID: actor.UserID})
	}, func(err error) error { return lockError("lock deployment tasks", err) })
	var existing []int32
	if seesAll(actor) && !actor.IsAdmin() {
		pgtx.Many(first, &existing, func(q *gen.Queries) ([]int32, error) {
			return q.DeploymentTaskIDsExisting(ctx, sorted)
		}, pgtx.Wrap("read deployment task ids"))
	}
	if err := first.Send(ctx, tx); err != nil {
		return lockedCall{}, err
	}
	call := lockedCall{tasks: make(map[int32]lockedTask, len(rows)), forbidden: map[int32]bool{}}
	modelIDs := make([]int32, 0, len(rows))
	versionIDs := make([]int32, 0, len(rows))
	for _, r := range rows {
		call.tasks[r.TaskID] = r
		modelIDs = append(modelIDs, r.ModelID)
		versionIDs = append(versionIDs, r.VersionID)
	}
	for _, id := range existing {
		if _, locked := call.tasks[id]; !locked {
			call.forbidden[id] = true
		}
	}
	if !lockModels || len(rows) == 0 {
		return call, nil
	}
	modelIDs, versionIDs = pgtx.LockOrder(modelIDs), pgtx.LockOrder(versionIDs)
	p := &pgtx.Pipeline{}
	s.queueConfirmLocks(ctx, p, modelIDs, versionIDs)
	var validations []gen.DeploymentVersionValidationsRow
	pgtx.Many(p, &validations, func(q *gen.Queries) ([]gen.DeploymentVersionValidationsRow, error) {
		return q.DeploymentVersionValidations(ctx, versionIDs)
	}, pgtx.Wrap("read version validations"))
	if err := p.Send(ctx, tx); err != nil {
		return lockedCall{}, err
	}
	call.validations = make(map[int32]gen.DeploymentVersionValidationsRow, len(validations))
	for _, v := range validations {
		call.validations[v.VersionID] = v
	}
	return call, nil
}

// queueConfirmLocks queues a confirmation's locks after its tasks' (docs/locks.md): the models,
// the versions and the versions' validation requests, each kind in ascending id order (the ids
// given sorted and without duplicates). noModelLocks leaves them out (negative controls).
func (s *Service) queueConfirmLocks(ctx context.Context, p *pgtx.Pipeline, modelIDs, versionIDs []int32) {
	if s.controls.noModelLocks {
		return
	}
	p.Exec(func(q *gen.Queries) error { return q.DeploymentModelsLock(ctx, modelIDs) },
		func(err error) error { return lockError("lock models", err) })
	p.Exec(func(q *gen.Queries) error { return q.DeploymentVersionsLock(ctx, versionIDs) },
		func(err error) error { return lockError("lock versions", err) })
	p.Exec(func(q *gen.Queries) error { return q.DeploymentValidationsLock(ctx, versionIDs) },
		func(err error) error { return lockError("lock validation requests", err) })
}

// lockError is pgtx.LockError naming the deployment tasks as what is busy.
func lockError(what string, err error) error {
	return pgtx.LockError(err, what, "the deployment tasks are busy; retry the request")
}
