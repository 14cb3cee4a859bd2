package deployment

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
)

// Default bounds of one statement and one lock wait inside a deployment transaction.
const (
	DefaultStatementTimeout = 5 * time.Second
	DefaultLockTimeout      = 5 * time.Second
)

// Options tune a Service; zero values take the defaults.
type Options struct {
	// StatementTimeout bounds each statement of a deployment transaction (SET LOCAL
	// statement_timeout). A task whose statement runs longer fails alone with db_error (57014)
	// instead of stalling or losing the whole bulk call.
	StatementTimeout time.Duration
	// LockTimeout bounds the wait for the task (and model) row locks; a timeout is lock_timeout (503).
	LockTimeout time.Duration
}

// Service creates and works deployment tasks.
type Service struct {
	pool    *pgxpool.Pool
	metrics *metrics.Metrics
	opts    Options
	// noSavepoints runs bulk tasks directly in the outer transaction. It exists only for the
	// negative-control test (set through export_test.go, unreachable from production code), which
	// shows that without savepoints one failing task loses the whole batch.
	noSavepoints bool
	// lockInCallerOrder and noModelLocks take away the lock ordering and the model locks, for the
	// negative controls of the concurrency tests (also only through export_test.go).
	lockInCallerOrder bool
	noModelLocks      bool
}

// NewService returns a Service on pool; m may be nil (no metrics are observed then).
func NewService(pool *pgxpool.Pool, m *metrics.Metrics, opts Options) *Service {
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = DefaultStatementTimeout
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	return &Service{pool: pool, metrics: m, opts: opts}
}

// limits bounds every deployment transaction: a task whose statement runs too long fails alone
// (57014, recovered by its savepoint's rollback), and lock waits end in lock_timeout.
func (s *Service) limits() pgtx.Limits {
	return pgtx.Limits{LockTimeout: s.opts.LockTimeout, StatementTimeout: s.opts.StatementTimeout}
}

// lockedTask is a task row locked FOR UPDATE by the current transaction.
type lockedTask = gen.DeploymentTaskLockForUpdateRow

// lockTasks locks the tasks with the given ids in ascending id order, in the outer transaction,
// and, when lockModels is set, then their models in ascending model_id order (confirm needs that
// for the "every region runs the version" check), their versions (whose validation link confirm
// reads) and the validation requests of those versions (confirm creates their regional
// approvals). Tasks, models, versions, requests, each kind in ascending order: concurrent calls
// cannot deadlock. Missing ids are
// simply absent from the answer.
func (s *Service) lockTasks(ctx context.Context, q *gen.Queries, actor domain.Actor, ids []int32, lockModels bool) (map[int32]lockedTask, error) {
	if s.lockInCallerOrder {
		for _, id := range ids {
			if _, err := q.DeploymentTaskLockForUpdate(ctx, gen.DeploymentTaskLockForUpdateParams{UserID: actor.UserID, TaskIds: []int32{id}}); err != nil {
				return nil, lockError("lock deployment tasks", err)
			}
		}
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	rows, err := q.DeploymentTaskLockForUpdate(ctx, gen.DeploymentTaskLockForUpdateParams{UserID: actor.UserID, TaskIds: sorted})
	if err != nil {
		return nil, lockError("lock deployment tasks", err)
	}
	byID := make(map[int32]lockedTask, len(rows))
	modelIDs := make([]int32, 0, len(rows))
	versionIDs := make([]int32, 0, len(rows))
	for _, r := range rows {
		byID[r.TaskID] = r
		modelIDs = append(modelIDs, r.ModelID)
		versionIDs = append(versionIDs, r.VersionID)
	}
	if lockModels && len(modelIDs) > 0 && !s.noModelLocks {
		slices.Sort(modelIDs)
		if err := q.DeploymentModelsLock(ctx, slices.Compact(modelIDs)); err != nil {
			return nil, lockError("lock models", err)
		}
		slices.Sort(versionIDs)
		versionIDs = slices.Compact(versionIDs)
		if err := q.DeploymentVersionsLock(ctx, versionIDs); err != nil {
			return nil, lockError("lock versions", err)
		}
		if err := q.DeploymentValidationsLock(ctx, versionIDs); err != nil {
			return nil, lockError("lock validation requests", err)
		}
	}
	return byID, nil
}

// lockError turns a lock wait that ran out of time into lock_timeout (503, retryable).
func lockError(what string, err error) error {
	if pgtx.IsSQLState(err, pgtx.LockNotAvailable) || pgtx.IsSQLState(err, pgtx.QueryCanceled) {
		return domain.Errorf(domain.CodeLockTimeout, "the deployment tasks are busy; retry the request")
	}
	return fmt.Errorf("%s: %w", what, err)
}

// mayAct reports whether actor may confirm, adjust or cancel t: ADMIN, the assignee, or an
// active delegate of the task's model.
func mayAct(actor domain.Actor, t lockedTask) bool {
	return actor.IsAdmin() || t.AssignedToID == actor.UserID || t.ActorIsDelegate
}
