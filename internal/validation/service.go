package validation

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
)

// Service creates, changes and reads validation requests.
type Service struct {
	pool    *pgxpool.Pool
	limits  pgtx.Limits
	metrics *metrics.Metrics
	// skipDecisionLocks leaves the model locks and the request row lock out of approval
	// decisions, for the negative control of the last-approval race only (export_test.go).
	skipDecisionLocks bool
	// noRequestLock reads the request without its row lock where assignments, outcomes and model
	// changes take it. Set only by the negative-control tests (export_test.go).
	noRequestLock bool
	// skipModelLocks creates and edits without the per-model advisory locks; lockInGivenOrder
	// takes them in the order the request lists its models instead of ascending; lockOneByOne
	// sends each in its own round trip instead of pipelining them; isolation overrides READ
	// COMMITTED for the transaction. All four are set only by the negative-control tests
	// (export_test.go), which show the race DATA-01 guards against is real without them.
	skipModelLocks   bool
	lockInGivenOrder bool
	lockOneByOne     bool
	isolation        pgx.TxIsoLevel
}

// NewService returns a Service on pool. limits bound every transaction's lock waits (zero: the
// default) and statements; m receives the lock-wait and conflict metrics (nil = a private, unexported set).
func NewService(pool *pgxpool.Pool, limits pgtx.Limits, m *metrics.Metrics) *Service {
	if m == nil {
		m = metrics.New()
	}
	return &Service{pool: pool, limits: limits.Bounded(), metrics: m}
}

// withTx runs fn in a transaction of the service: READ COMMITTED (every lock-then-check here needs
// it; a negative-control test may switch to REPEATABLE READ), with the service's limits set first
// (a lock wait past LOCK_TIMEOUT is 55P03, a statement past STATEMENT_TIMEOUT 57014).
func (s *Service) withTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	opts := pgtx.ReadCommitted
	if s.isolation != "" {
		opts = pgx.TxOptions{IsoLevel: s.isolation}
	}
	return pgtx.WithTxLimits(ctx, s.pool, opts, s.limits, fn)
}
