package validation

import (
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
)

// Service creates, changes and reads validation requests.
type Service struct {
	// db runs the service's transactions: READ COMMITTED, its limits set first (transactions).
	db      pgtx.DB
	metrics *metrics.Metrics
	// controls take protections away, for negative controls only: a branch on s.controls exists
	// only for a test.
	controls controls
}

// controls are the service's test switches (docs/code.md, "Test switches"): each takes a
// protection away, for the negative control that shows the protection is needed. They are set
// only through export_test.go, which is compiled into the package's tests and nowhere else; the
// zero value, production's, takes nothing away.
type controls struct {
	// skipDecisionLocks leaves the model locks and the request row lock out of approval
	// decisions, for the negative control of the last-approval race only.
	skipDecisionLocks bool
	// noRequestLock reads the request without its row lock where assignments, outcomes, model
	// changes and submissions take it.
	noRequestLock bool
	// skipModelLocks creates and edits without the per-model advisory locks; lockInGivenOrder
	// takes them in the order the request lists its models instead of ascending; lockOneByOne
	// sends each in its own round trip instead of pipelining them; isolation overrides READ
	// COMMITTED for the transaction. Their negative controls show the race DATA-01 guards
	// against is real without them.
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
	return &Service{db: pgtx.NewDB(pool, limits.Bounded()), metrics: m}
}

// transactions is where the service's transactions run, for pgtx.WithTxV and pgtx.WithTx: READ
// COMMITTED (every lock-then-check here needs it; a negative control may switch to REPEATABLE
// READ), with the service's limits set first (a lock wait past LOCK_TIMEOUT is 55P03, a statement
// past STATEMENT_TIMEOUT 57014).
func (s *Service) transactions() pgtx.DB {
	db := s.db
	if s.controls.isolation != "" {
		db.Opts = pgx.TxOptions{IsoLevel: s.controls.isolation}
	}
	return db
}
