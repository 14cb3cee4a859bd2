package validation_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/validation"
)

// newService returns a Service on pool with the race tests' 5 s lock wait and the given
// test-only switches of export_test.go (none: the full protection).
func newService(pool *pgxpool.Pool, switches ...func(*validation.Service)) *validation.Service {
	s := validation.NewService(pool, pgtx.Limits{LockTimeout: 5 * time.Second}, nil)
	for _, sw := range switches {
		sw(s)
	}
	return s
}

const (
	racers = 16
	rounds = 20
)

// raceRounds runs rounds of racers concurrent creates of the same non-targeted validation of a
// fresh model each round and returns the outcomes per round. It stops early once stop says so
// (negative controls stop at the first broken round); stop may be nil.
func raceRounds(t *testing.T, f *fixture, svc *validation.Service, stop func(*outcomes) bool) []*outcomes {
	t.Helper()
	models := f.models(rounds)
	var out []*outcomes
	for _, m := range models {
		inputs := make([]validation.CreateInput, racers)
		for j := range inputs {
			inputs[j] = input(validation.TypeComprehensive, m)
		}
		o := race(svc, f.validator, inputs)
		out = append(out, o)
		if stop != nil && stop(o) {
			break
		}
	}
	return out
}

// duplicated says a round let more than one creator win.
func duplicated(o *outcomes) bool { return len(o.created) > 1 }

// Sixteen creators of the same validation at once: exactly one wins, fifteen get the conflict
// from the check under the lock (never from the backstop), and one link row exists.
func TestConcurrentCreateExactlyOneWins(t *testing.T) {
	t.Parallel()
	f := newFixture(t, racers+4)
	warm(t, f.db.Pool, racers)
	m := metrics.New()
	svc := validation.NewService(f.db.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, m)
	for i, o := range raceRounds(t, f, svc, nil) {
		if len(o.created) != 1 || o.conflicts != racers-1 || o.backstops != 0 || len(o.other) != 0 {
			t.Fatalf("round %d: %d created, %d conflicts, %d backstops, other %v", i, len(o.created), o.conflicts, o.backstops, o.other)
		}
		var links int
		_ = f.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM validation_request_models WHERE model_id = $1",
			o.created[0].Models[0].ModelID).Scan(&links)
		if links != 1 {
			t.Fatalf("round %d: %d link rows, want 1", i, links)
		}
	}
	conflicts, lockWaits := metricCounts(t, m)
	if conflicts != rounds*(racers-1) || lockWaits != rounds*racers {
		t.Fatalf("metrics: %v conflicts, %v lock waits; want %d and %d", conflicts, lockWaits, rounds*(racers-1), rounds*racers)
	}
}

// metricCounts reads the conflict counter (all types) and the number of lock-wait observations.
func metricCounts(t *testing.T, m *metrics.Metrics) (conflicts, lockWaits int) {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			switch f.GetName() {
			case "mrmflow_validation_conflicts_total":
				conflicts += int(s.GetCounter().GetValue())
			case "mrmflow_validation_lock_wait_seconds":
				lockWaits += int(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return conflicts, lockWaits
}

// Negative control: without the lock the check races, and only the database backstop keeps the
// invariant: it must have fired.
func TestConcurrentCreateWithoutLockNeedsBackstop(t *testing.T) {
	t.Parallel()
	f := newFixture(t, racers+4)
	warm(t, f.db.Pool, racers)
	svc := newService(f.db.Pool, validation.SkipModelLocks)
	backstops := 0
	for i, o := range raceRounds(t, f, svc, nil) {
		if len(o.created) != 1 || len(o.other) != 0 {
			t.Fatalf("round %d: %d created, other %v", i, len(o.created), o.other)
		}
		backstops += o.backstops
	}
	if backstops == 0 {
		t.Fatal("the backstop never fired without the lock: this test cannot see the race")
	}
	t.Logf("backstop fired %d times in %d rounds without the lock", backstops, rounds)
}

// Negative control: without the lock and without the backstop index, two creators both win.
func TestConcurrentCreateWithoutLockOrBackstopBreaks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, racers+4)
	f.dropBackstop()
	warm(t, f.db.Pool, racers)
	svc := newService(f.db.Pool, validation.SkipModelLocks)
	raceRounds(t, f, svc, duplicated)
	if f.violations() == 0 {
		t.Fatal("no duplicate active validation without lock and index: this test cannot see the race")
	}
}

// Negative control: with the lock but under REPEATABLE READ and without the backstop, creators
// that took their snapshot before the winner committed also win.
func TestConcurrentCreateRepeatableReadBreaks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, racers+4)
	f.dropBackstop()
	warm(t, f.db.Pool, racers)
	svc := newService(f.db.Pool, validation.UseRepeatableRead)
	raceRounds(t, f, svc, duplicated)
	if f.violations() == 0 {
		t.Fatal("no duplicate active validation under REPEATABLE READ: this test cannot see the race")
	}
}

// interleave runs the deterministic schedule: A holds the lock; B's Create is seen waiting on it;
// A inserts a conflicting request and commits; B finishes. It returns B's result and A's request.
func interleave(t *testing.T, f *fixture, svc *validation.Service) (validation.Request, int32, error) {
	t.Helper()
	ctx := context.Background()
	m := f.models(1)[0]
	a := holdLock(t, f.db.Pool, m)
	type result struct {
		r   validation.Request
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := svc.Create(ctx, f.validator, input(validation.TypeInterim, m), nil)
		done <- result{res.Value, err}
	}()
	waitForAdvisoryWaiter(t, f.db.Pool)
	select {
	case r := <-done:
		t.Fatalf("B finished while A held the lock: %+v %v", r.r, r.err)
	default:
	}
	var aID int32
	if err := a.QueryRow(ctx, `INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
		VALUES ($1, 'COMPREHENSIVE', 'HIGH', '2027-01-01') RETURNING request_id`, f.validator.UserID).Scan(&aID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, "INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, true)", aID, m); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	return r.r, aID, r.err
}

func TestInterleavingBlockedCreateSeesCommittedConflict(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	_, aID, err := interleave(t, f, f.svc)
	if validation.IsBackstop(err) {
		t.Fatalf("conflict came from the backstop, not the check under the lock: %v", err)
	}
	e := wantCode(t, err, domain.CodeValidationConflict)
	c := e.Extra["conflicts"].([]validation.Conflict)
	if len(c) != 1 || c[0].ActiveRequests[0].RequestID != aID {
		t.Fatalf("conflicts %+v, want request %d", c, aID)
	}
}

// Negative control: the same schedule under REPEATABLE READ. B's snapshot predates A's commit, so
// its check sees nothing; the backstop catches it, and without the backstop B commits a duplicate.
func TestInterleavingRepeatableReadMissesConflict(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	_, _, err := interleave(t, f, newService(f.db.Pool, validation.UseRepeatableRead))
	if !validation.IsBackstop(err) {
		t.Fatalf("under REPEATABLE READ: %v, want the backstop to catch it", err)
	}
	g := newFixture(t, 5)
	g.dropBackstop()
	if _, _, err := interleave(t, g, newService(g.db.Pool, validation.UseRepeatableRead)); err != nil {
		t.Fatalf("under REPEATABLE READ without backstop: %v, want a (wrong) success", err)
	}
	if g.violations() != 1 {
		t.Fatal("want one duplicate active validation")
	}
}

// A multi-model request locks its models one by one in ascending order whatever order they were
// given in: with the middle model held elsewhere, it holds the lowest and waits for the middle,
// and does not hold the highest.
func TestLocksInAscendingOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(3)
	a := holdLock(t, f.db.Pool, m[1])
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.Create(ctx, f.validator, input(validation.TypeInterim, m[2], m[1], m[0]), nil)
		done <- err
	}()
	pid := waitForAdvisoryWaiter(t, f.db.Pool)
	rows, err := f.db.Pool.Query(ctx, `SELECT objid::int, granted FROM pg_locks
		WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND pid = $2 ORDER BY objid`, pgtx.ModelLockNamespace, pid)
	if err != nil {
		t.Fatal(err)
	}
	held := map[int32]bool{}
	for rows.Next() {
		var id int32
		var granted bool
		if err := rows.Scan(&id, &granted); err != nil {
			t.Fatal(err)
		}
		held[id] = granted
	}
	rows.Close()
	if g, ok := held[m[0]]; !ok || !g {
		t.Errorf("lowest model %d not held: %v", m[0], held)
	}
	if g, ok := held[m[1]]; !ok || g {
		t.Errorf("middle model %d not awaited: %v", m[1], held)
	}
	if _, ok := held[m[2]]; ok {
		t.Errorf("highest model %d locked before the middle one: %v", m[2], held)
	}
	_ = a.Rollback(ctx)
	if err := <-done; err != nil {
		t.Fatalf("create after release: %v", err)
	}
}

// Opposite-order multi-model requests never deadlock: 300 rounds of {a,b} against {b,a}. Each
// lock is sent in its own round trip, as in the negative control below, so that a wrong order
// would have the time to deadlock (pipelined, the locks are microseconds apart).
func TestOppositeOrdersNeverDeadlock(t *testing.T) {
	t.Parallel()
	const n = 300
	f := newFixture(t, 6)
	oneByOne := newService(f.db.Pool, validation.LockOneByOne)
	if deadlocks := oppositeOrders(t, f, oneByOne, n, true); deadlocks != 0 {
		t.Fatalf("%d deadlocks in %d rounds", deadlocks, n)
	}
}

// oppositeOrders runs rounds of two concurrent requests for {a,b} and {b,a} and returns how many
// ended in a deadlock (40P01). With strict, any other outcome than one created and one conflict
// fails the test.
func oppositeOrders(t *testing.T, f *fixture, svc *validation.Service, rounds int, strict bool) (deadlocks int) {
	t.Helper()
	m := f.models(2 * rounds)
	for i := 0; i < rounds; i++ {
		a, b := m[2*i], m[2*i+1]
		o := race(svc, f.validator, []validation.CreateInput{
			input(validation.TypeComprehensive, a, b), input(validation.TypeInterim, b, a),
		})
		deadlocks += o.deadlocks
		if strict && (o.deadlocks != 0 || len(o.other) != 0 || len(o.created) != 1 || o.conflicts != 1) {
			t.Fatalf("round %d: %d created, %d conflicts, %d deadlocks, other %v", i, len(o.created), o.conflicts, o.deadlocks, o.other)
		}
		if !strict && deadlocks > 0 {
			return deadlocks
		}
	}
	return deadlocks
}

// Negative control: locking in the order each request lists its models, {a,b} and {b,a} wait
// for each other and PostgreSQL aborts one with 40P01 — what the ascending order prevents.
func TestOppositeOrdersDeadlockWithoutSortedLocks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 6)
	unsorted := newService(f.db.Pool, validation.LockInGivenOrder, validation.LockOneByOne)
	if oppositeOrders(t, f, unsorted, 300, false) == 0 {
		t.Fatal("no deadlock in 300 rounds of opposite-order locking: the test could not catch one")
	}
}
