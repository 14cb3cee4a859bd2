package pgtx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

func count(t *testing.T, d *testdb.DB) int {
	t.Helper()
	var n int
	if err := d.Pool.QueryRow(context.Background(), "SELECT count(*) FROM regions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertRegion(ctx context.Context, tx pgx.Tx, code string) error {
	_, err := tx.Exec(ctx, "INSERT INTO regions (code, name) VALUES ($1, $1)", code)
	return err
}

func TestWithTxCommitsOnSuccessAndRollsBackOnErrorOrPanic(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	if err := pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error { return insertRegion(ctx, tx, "A") }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		if err := insertRegion(ctx, tx, "B"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error {
			_ = insertRegion(ctx, tx, "C")
			panic("panic inside the transaction")
		})
	}()
	if n := count(t, d); n != 1 {
		t.Fatalf("regions = %d, want 1 (only the committed one)", n)
	}
	if d.Pool.Stat().AcquiredConns() != 0 {
		t.Fatalf("a connection leaked: %d acquired", d.Pool.Stat().AcquiredConns())
	}
}

// WithTxV answers fn's value once committed, and the zero value with the error of a transaction
// rolled back (its insert is not there afterwards).
func TestWithTxVReturnsTheCommittedValue(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	db := pgtx.NewDB(d.Pool, pgtx.Limits{})
	insertID := func(tx pgx.Tx, code string) (int32, error) {
		var id int32
		err := tx.QueryRow(ctx, "INSERT INTO regions (code, name) VALUES ($1, $1) RETURNING region_id", code).Scan(&id)
		return id, err
	}
	id, err := pgtx.WithTxV(ctx, db, func(tx pgx.Tx) (int32, error) { return insertID(tx, "V") })
	if err != nil || id == 0 {
		t.Fatalf("id, err = %d, %v; want the new region's id", id, err)
	}
	boom := errors.New("boom")
	id, err = pgtx.WithTxV(ctx, db, func(tx pgx.Tx) (int32, error) {
		got, err := insertID(tx, "W")
		if err != nil {
			return got, err
		}
		return got, boom
	})
	if !errors.Is(err, boom) || id != 0 {
		t.Fatalf("id, err = %d, %v; want 0, boom", id, err)
	}
	if n := count(t, d); n != 1 {
		t.Fatalf("regions = %d, want 1 (only the committed one)", n)
	}
}

func TestWithTxVLimitsBoundOnlyThatTransaction(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 1) // one connection: the next transaction reuses the same session
	ctx := context.Background()
	show := func(q interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}, name string) string {
		var v string
		if err := q.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := show(d.Pool, "statement_timeout")
	err := pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{LockTimeout: 250 * time.Millisecond}), func(tx pgx.Tx) error {
		if got := show(tx, "lock_timeout"); got != "250ms" {
			t.Errorf("lock_timeout inside = %q, want 250ms", got)
		}
		if got := show(tx, "statement_timeout"); got != before {
			t.Errorf("statement_timeout inside = %q, want the session's %q (zero keeps it)", got, before)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := show(d.Pool, "lock_timeout"); got != "0" {
		t.Errorf("lock_timeout after the transaction = %q, want the session default 0 (SET LOCAL)", got)
	}
}

// tracedPool opens a one-connection pool on d whose round trips trace counts from now on.
func tracedPool(t *testing.T, d *testdb.DB) (*pgxpool.Pool, *testdb.Trace) {
	t.Helper()
	trace := &testdb.Trace{}
	trace.Start()
	return d.TracedPool(t, trace, 1), trace
}

// queueRegion queues the insert of a region into p.
func queueRegion(ctx context.Context, p *pgtx.Pipeline, code, name string) {
	p.Exec(func(q *gen.Queries) error {
		_, err := q.RegionCreate(ctx, gen.RegionCreateParams{Code: code, Name: name})
		return err
	}, nil)
}

func TestSendAndCommitCommitsInThePipelinesRoundTrip(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	pool, trips := tracedPool(t, d)
	err := pgtx.WithTx(ctx, pgtx.NewDB(pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		p := &pgtx.Pipeline{}
		queueRegion(ctx, p, "ONE", "one")
		queueRegion(ctx, p, "TWO", "two")
		if err := p.SendAndCommit(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT 1"); !errors.Is(err, pgx.ErrTxClosed) {
			t.Errorf("a statement after SendAndCommit: err = %v, want ErrTxClosed", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// BEGIN, both inserts and COMMIT in one batch; nothing else.
	if got := trips.RoundTrips(); got != 1 {
		t.Errorf("round trips = %d, want 1", got)
	}
	if n := count(t, d); n != 2 {
		t.Fatalf("regions = %d, want 2 (committed)", n)
	}
	if pool.Stat().AcquiredConns() != 0 {
		t.Fatalf("a connection leaked: %d acquired", pool.Stat().AcquiredConns())
	}
}

func TestSendAndCommitCommitsNothingWhenAStatementFails(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	err := pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		if err := insertRegion(ctx, tx, "EARLIER"); err != nil {
			return err
		}
		p := &pgtx.Pipeline{}
		queueRegion(ctx, p, "SAME", "same")
		queueRegion(ctx, p, "SAME", "same") // unique violation: the COMMIT after it never runs
		return p.SendAndCommit(ctx, tx)
	})
	if !pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, "regions_code_key") {
		t.Fatalf("err = %v, want the unique violation", err)
	}
	if n := count(t, d); n != 0 {
		t.Fatalf("regions = %d, want 0: nothing of the failed transaction may stay", n)
	}
	if d.Pool.Stat().AcquiredConns() != 0 {
		t.Fatalf("a connection leaked: %d acquired", d.Pool.Stat().AcquiredConns())
	}
	// The connection went back idle, not inside the aborted transaction.
	if err := pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error { return insertRegion(ctx, tx, "NEXT") }); err != nil {
		t.Fatalf("the next transaction: %v", err)
	}
}

func TestSendAndCommitReportsACommitThatFails(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	// A deferred constraint is checked by COMMIT itself: the statements succeed, the COMMIT fails.
	if _, err := d.Pool.Exec(ctx, "ALTER TABLE regions ADD CONSTRAINT regions_name_deferred UNIQUE (name) DEFERRABLE INITIALLY DEFERRED"); err != nil {
		t.Fatal(err)
	}
	pool, trips := tracedPool(t, d)
	err := pgtx.WithTx(ctx, pgtx.NewDB(pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		p := &pgtx.Pipeline{}
		queueRegion(ctx, p, "A", "twin")
		queueRegion(ctx, p, "B", "twin")
		return p.SendAndCommit(ctx, tx)
	})
	if !pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, "regions_name_deferred") {
		t.Fatalf("err = %v, want the deferred unique violation from COMMIT", err)
	}
	// The failed COMMIT ended the transaction: no ROLLBACK follows it.
	if got := trips.RoundTrips(); got != 1 {
		t.Errorf("round trips = %d, want 1", got)
	}
	if n := count(t, d); n != 0 {
		t.Fatalf("regions = %d, want 0", n)
	}
	if pool.Stat().AcquiredConns() != 0 {
		t.Fatalf("a connection leaked: %d acquired", pool.Stat().AcquiredConns())
	}
	if err := pgtx.WithTx(ctx, pgtx.NewDB(pool, pgtx.Limits{}), func(tx pgx.Tx) error { return insertRegion(ctx, tx, "NEXT") }); err != nil {
		t.Fatalf("the next transaction on the same connection: %v", err)
	}
}

// terminate ends the server process pid from a connection of its own, as a restart or an
// operator's pg_terminate_backend would.
func terminate(t *testing.T, d *testdb.DB, pid uint32) {
	t.Helper()
	ctx := context.Background()
	killer, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = killer.Close(ctx) }()
	if _, err := killer.Exec(ctx, "SELECT pg_terminate_backend($1)", int32(pid)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // well under the second after which the pool pings idle connections
}

// TestWithTxRetryVRunsAgainOnlyBeforeTheCommitWentOut: a transaction whose connection died idle in
// the pool fails on its first round trip, which carries no COMMIT (a create's shape);
// WithTxRetryV runs it once more on a fresh connection and it commits (WithTxV, the control,
// answers the failure). A connection lost after the COMMIT went out is not retried: whether it
// committed is unknown.
func TestWithTxRetryVRunsAgainOnlyBeforeTheCommitWentOut(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 1)
	ctx := context.Background()
	db := pgtx.NewDB(d.Pool, pgtx.Limits{})
	killIdle := func() {
		c, err := d.Pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pid := c.Conn().PgConn().PID()
		c.Release()
		terminate(t, d, pid)
	}
	// As a create: a first pipeline without the COMMIT, which WithTx sends after fn.
	insert := func(code string, runs *int) func(tx pgx.Tx) (int, error) {
		return func(tx pgx.Tx) (int, error) {
			*runs++
			p := &pgtx.Pipeline{}
			queueRegion(ctx, p, code, code)
			return *runs, p.Send(ctx, tx)
		}
	}

	killIdle()
	var plain int
	if _, err := pgtx.WithTxV(ctx, db, insert("PLAIN", &plain)); !pgtx.ConnectionsLost(err) {
		t.Fatalf("WithTxV on a dead connection: %v, want the lost connection", err)
	}
	d.Pool.Reset()

	killIdle()
	var retried int
	if _, err := pgtx.WithTxRetryV(ctx, db, insert("RETRIED", &retried)); err != nil || retried != 2 {
		t.Fatalf("WithTxRetryV on a dead connection: err %v after %d runs, want success on the second", err, retried)
	}
	if n := count(t, d); n != 1 {
		t.Fatalf("regions = %d, want 1", n)
	}

	var late int
	_, err := pgtx.WithTxRetryV(ctx, db, func(tx pgx.Tx) (int, error) {
		late++
		var pid uint32
		if err := tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			return 0, err
		}
		terminate(t, d, pid)
		p := &pgtx.Pipeline{}
		queueRegion(ctx, p, "LATE", "late")
		return late, p.SendAndCommit(ctx, tx)
	})
	if !pgtx.ConnectionsLost(err) || late != 1 {
		t.Fatalf("a connection lost with the COMMIT sent: err %v after %d runs, want the lost connection after one", err, late)
	}
}
