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
	opts    Options
	// skipDecisionLocks leaves the model locks and the request row lock out of approval
	// decisions, for the negative control of the last-approval race only (export_test.go).
	skipDecisionLocks bool
	// noRequestLock reads the request without its row lock where assignments, outcomes and model
	// changes take it. Set only by the negative-control tests (export_test.go).
	noRequestLock bool
}

// Options switch off parts of Create's protection. They exist ONLY for the negative-control
// tests, which must show that the race DATA-01 guards against is real when a protection is
// missing; production code never sets them (NewService uses the zero value, which is the full
// protection).
type Options struct {
	// SkipLock creates without taking the per-model advisory locks.
	SkipLock bool
	// LockInGivenOrder takes the locks in the order the request lists its models instead of
	// ascending (to show that two requests listing the same models in opposite orders deadlock).
	LockInGivenOrder bool
	// LockOneByOne sends each model lock in its own round trip instead of pipelining them. The
	// pipeline takes a request's locks microseconds apart, which makes an opposite-order deadlock
	// rare but not impossible; the lock-order tests widen the window back so that their outcome
	// shows the order, not the timing.
	LockOneByOne bool
	// Isolation overrides READ COMMITTED for Create's transaction (tests use RepeatableRead to
	// show that the lock-then-check needs READ COMMITTED). Empty = READ COMMITTED.
	Isolation pgx.TxIsoLevel
}

// NewService returns a Service on pool. limits bound every transaction's lock waits (zero: the
// default) and statements; m receives the lock-wait and conflict metrics (nil = a private, unexported set).
func NewService(pool *pgxpool.Pool, limits pgtx.Limits, m *metrics.Metrics) *Service {
	return NewServiceWithOptions(pool, limits, m, Options{})
}

// NewServiceWithOptions is NewService with protections switched off: for negative-control tests
// only (see Options).
func NewServiceWithOptions(pool *pgxpool.Pool, limits pgtx.Limits, m *metrics.Metrics, opts Options) *Service {
	if m == nil {
		m = metrics.New()
	}
	return &Service{pool: pool, limits: limits.Bounded(), metrics: m, opts: opts}
}

// withTx runs fn in Create's transaction: READ COMMITTED unless a test overrode it, with every
// lock wait bounded by lockTimeout (past it: 55P03, answered as lock_timeout).
func (s *Service) withTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	opts := pgtx.ReadCommitted
	if s.opts.Isolation != "" {
		opts = pgx.TxOptions{IsoLevel: s.opts.Isolation}
	}
	return pgtx.WithTxLimits(ctx, s.pool, opts, s.limits, fn)
}
