package validation_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
	"mrmflow/internal/user"
	"mrmflow/internal/validation"
)

// fixture is one test's database, a VALIDATOR to act as, and the service under test.
type fixture struct {
	t         testing.TB
	db        *testdb.DB
	svc       *validation.Service
	validator domain.Actor
}

var userSeq atomic.Int64

func newFixture(t testing.TB, maxConns int32) *fixture {
	t.Helper()
	return newFixtureOn(t, testdb.New(t, maxConns))
}

// newFixtureOn is newFixture on a given test database (one reached through PgBouncer, say).
func newFixtureOn(t testing.TB, d *testdb.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, db: d, svc: validation.NewService(d.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, nil)}
	f.validator = f.user(domain.RoleValidator)
	return f
}

// user creates a user with role and returns it as an actor.
func (f *fixture) user(role domain.Role) domain.Actor {
	f.t.Helper()
	n := userSeq.Add(1)
	u, _, err := user.NewService(f.db.Pool, pgtx.Limits{}, 0).Bootstrap(context.Background(), user.CreateInput{
		Email: fmt.Sprintf("v%d-%s@bank.test", n, role), FullName: fmt.Sprintf("Test %s %d", role, n), Role: role,
	}, "test")
	if err != nil {
		f.t.Fatalf("create user: %v", err)
	}
	return domain.Actor{UserID: u.UserID, Role: role}
}

// models inserts n models owned by the validator in one statement and returns their ids in
// ascending order.
func (f *fixture) models(n int) []int32 {
	f.t.Helper()
	rows, err := f.db.Pool.Query(context.Background(), `
		INSERT INTO models (model_name, description, owner_id)
		SELECT 'model ' || g, '', $1 FROM generate_series(1, $2) g
		RETURNING model_id`, f.validator.UserID, n)
	if err != nil {
		f.t.Fatalf("insert models: %v", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		f.t.Fatalf("insert models: %v", err)
	}
	return ids
}

// version inserts a version of model and returns its id.
func (f *fixture) version(model int32, number string) int32 {
	f.t.Helper()
	var id int32
	err := f.db.Pool.QueryRow(context.Background(), `
		INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by)
		VALUES ($1, $2, 'change', 'GLOBAL', $3) RETURNING version_id`, model, number, f.validator.UserID).Scan(&id)
	if err != nil {
		f.t.Fatalf("insert version: %v", err)
	}
	return id
}

// dropBackstop removes DATA-01's unique index from this test's database, for negative controls
// that must show what the service's own protection does without it.
func (f *fixture) dropBackstop() {
	f.t.Helper()
	if _, err := f.db.Pool.Exec(context.Background(), "DROP INDEX validation_request_models_one_blocking_key"); err != nil {
		f.t.Fatalf("drop backstop index: %v", err)
	}
}

// violations counts models with more than one active non-targeted request, judged from the
// request rows themselves (not the link flags the index relies on).
func (f *fixture) violations() int {
	f.t.Helper()
	var n int
	err := f.db.Pool.QueryRow(context.Background(), `
		SELECT count(*) FROM (
			SELECT vrm.model_id
			FROM validation_request_models vrm
			JOIN validation_requests vr ON vr.request_id = vrm.request_id
			WHERE NOT vr.is_targeted AND NOT vr.is_closed
			GROUP BY vrm.model_id
			HAVING count(*) > 1
		) v`).Scan(&n)
	if err != nil {
		f.t.Fatalf("count violations: %v", err)
	}
	return n
}

// warm opens n connections of pool up front so a barrier releases goroutines into queries, not
// into connection set-up.
func warm(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	conns := make([]*pgxpool.Conn, 0, n)
	// Released before any failure is reported: a connection still acquired would make the
	// pool's Close in the test's cleanup wait forever, hanging the test instead of failing it.
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for range n {
		c, err := pool.Acquire(context.Background())
		if err != nil {
			t.Errorf("warm pool: %v", err)
			return
		}
		conns = append(conns, c)
	}
}

func input(typ string, models ...int32) validation.CreateInput {
	due, _ := domain.ParseDate("2027-06-30")
	return validation.CreateInput{ModelIDs: models, ValidationType: typ, Priority: validation.PriorityMedium, TargetCompletionDate: &due}
}

// outcomes counts how concurrent creates ended.
type outcomes struct {
	mu        sync.Mutex
	created   []validation.Request
	conflicts int
	backstops int
	deadlocks int
	other     []error
}

func (o *outcomes) add(r validation.Request, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case err == nil:
		o.created = append(o.created, r)
	case validation.IsBackstop(err):
		o.backstops++
	case domain.CodeOf(err) == domain.CodeValidationConflict:
		o.conflicts++
	case pgtx.IsSQLState(err, pgtx.DeadlockDetected):
		o.deadlocks++
		o.other = append(o.other, err)
	default:
		o.other = append(o.other, err)
	}
}

// race runs the creates of inputs at once behind a barrier and reports how they ended.
func race(svc *validation.Service, actor domain.Actor, inputs []validation.CreateInput) *outcomes {
	var o outcomes
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, in := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := svc.Create(context.Background(), actor, in, nil)
			o.add(res.Value, err)
		}()
	}
	close(start)
	wg.Wait()
	return &o
}

// waitForAdvisoryWaiter waits until a backend of this database waits on an advisory lock and
// returns its pid.
func waitForAdvisoryWaiter(t *testing.T, pool *pgxpool.Pool) int32 {
	t.Helper()
	return testdb.WaitForBackend(t, pool, 10*time.Second, "wait_event_type = 'Lock' AND wait_event = 'advisory'")
}

// holdLock opens a transaction on its own connection and takes the validation lock of model in
// it, as another replica's Create would. The caller commits or rolls back.
func holdLock(t *testing.T, pool *pgxpool.Pool, model int32) pgx.Tx {
	t.Helper()
	tx, err := pool.Begin(context.Background())
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	if _, err := tx.Exec(context.Background(), "SELECT pg_advisory_xact_lock($1, $2)", pgtx.ModelLockNamespace, model); err != nil {
		t.Fatalf("hold lock: %v", err)
	}
	return tx
}

// assign assigns a fresh VALIDATOR (independent of the fixture's models, which the fixture's
// validator owns and requests) to request id through the service and returns the assignment.
func (f *fixture) assign(id int32, primary, reviewer bool) validation.Assignment {
	f.t.Helper()
	a, err := f.svc.Assign(context.Background(), f.validator, id, validation.AssignInput{
		ValidatorID: f.user(domain.RoleValidator).UserID, IsPrimary: &primary, IsReviewer: reviewer, IndependenceAttestation: true,
	})
	if err != nil {
		f.t.Fatalf("assign: %v", err)
	}
	return a
}

// step moves request id through statuses with ChangeStatus as the fixture's validator.
func (f *fixture) step(id int32, statuses ...string) {
	f.t.Helper()
	for _, s := range statuses {
		if _, err := f.svc.ChangeStatus(context.Background(), f.validator, id, s, "step by step"); err != nil {
			f.t.Fatalf("to %s: %v", s, err)
		}
	}
}

// outcome records a PASS outcome of request id as an ADMIN.
func (f *fixture) outcome(id int32) validation.Outcome {
	f.t.Helper()
	rating, summary := validation.RatingPass, "Fit for purpose."
	effective, _ := domain.ParseDate("2027-01-01")
	expires, _ := domain.ParseDate("2028-01-01")
	o, err := f.svc.CreateOutcome(context.Background(), f.user(domain.RoleAdmin), id, validation.OutcomeInput{
		OverallRating: &rating, ExecutiveSummary: &summary, EffectiveDate: &effective, ExpirationDate: &expires,
	})
	if err != nil {
		f.t.Fatalf("outcome: %v", err)
	}
	return o
}
