package pgtx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// failureCase is one real failure provoked on PostgreSQL, and what the one translation must make
// of it.
type failureCase struct {
	name      string
	provoke   func(t *testing.T, d *testdb.DB) error
	failure   pgtx.Failure
	code      domain.Code
	retryRead bool
}

// TestTranslateRealFailures provokes each failure on a real server and checks the classification,
// the client's code, and whether a read may be retried; the original error stays visible.
func TestTranslateRealFailures(t *testing.T) {
	t.Parallel()
	cases := []failureCase{
		{"lock timeout 55P03", provokeLockTimeout, pgtx.LockTimeout, domain.CodeLockTimeout, false},
		{"statement timeout 57014", provokeStatementTimeout, pgtx.StatementTimeout, domain.CodeUnavailable, false},
		{"deadlock 40P01", provokeDeadlock, pgtx.Collision, domain.CodeLockTimeout, true},
		{"serialization failure 40001", provokeSerializationFailure, pgtx.Collision, domain.CodeLockTimeout, true},
		{"terminated backend 57P01", provokeTerminatedBackend, pgtx.Unavailable, domain.CodeUnavailable, true},
		{"connection refused", provokeConnectionRefused, pgtx.Unavailable, domain.CodeUnavailable, true},
		{"connection cut mid-statement", provokeConnectionCut, pgtx.Unavailable, domain.CodeUnavailable, true},
		{"cancelled request", provokeCancelledRequest, pgtx.StatementTimeout, domain.CodeUnavailable, false},
		{"unique violation", provokeUniqueViolation, pgtx.Other, domain.CodeInternal, false},
	}
	d := testdb.New(t, 4)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.provoke(t, d)
			if err == nil {
				t.Fatal("the failure did not happen")
			}
			if got := pgtx.Classify(err); got != c.failure {
				t.Errorf("Classify = %d, want %d (%v)", got, c.failure, err)
			}
			if got := pgtx.RetryableRead(err); got != c.retryRead {
				t.Errorf("RetryableRead = %v, want %v", got, c.retryRead)
			}
			tr := pgtx.Translate(err)
			if got := domain.CodeOf(tr); got != c.code {
				t.Errorf("Translate code = %s, want %s (%v)", got, c.code, tr)
			}
			if !errors.Is(tr, err) {
				t.Errorf("Translate lost the cause: %v", tr)
			}
		})
	}
}

// TestTranslateKeepsDomainErrors: a domain error is already what the client should see.
func TestTranslateKeepsDomainErrors(t *testing.T) {
	t.Parallel()
	e := domain.NotFound("nothing")
	var got *domain.Error
	if !errors.As(pgtx.Translate(e), &got) || got != e {
		t.Fatalf("Translate(%v) = %v", e, got)
	}
	if pgtx.Translate(nil) != nil {
		t.Fatal("Translate(nil) is not nil")
	}
}

// TestWithTxTranslates: a transaction helper returns the translated failure, cause attached.
func TestWithTxTranslates(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 1)
	err := pgtx.WithTx(context.Background(), pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "SET LOCAL statement_timeout = '50ms'; SELECT pg_sleep(1)")
		return err
	})
	if domain.CodeOf(err) != domain.CodeUnavailable || !pgtx.IsSQLState(err, pgtx.QueryCanceled) {
		t.Fatalf("err = %v, want unavailable caused by 57014", err)
	}
}

func provokeLockTimeout(t *testing.T, d *testdb.DB) error {
	ctx := context.Background()
	holder, err := d.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_xact_lock(999, 1)"); err != nil {
		t.Fatal(err)
	}
	return pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{LockTimeout: 50 * time.Millisecond}), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(999, 1)")
		return err
	})
}

func provokeStatementTimeout(t *testing.T, d *testdb.DB) error {
	ctx := context.Background()
	return pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{StatementTimeout: 50 * time.Millisecond}), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "SELECT pg_sleep(1)")
		return err
	})
}

// provokeDeadlock makes two transactions take two advisory locks in opposite orders.
func provokeDeadlock(t *testing.T, d *testdb.DB) error {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	firstLocked := make(chan struct{}, 2)
	for i := range 2 {
		wg.Go(func() {
			errs[i] = pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(998, $1)", i); err != nil {
					return err
				}
				firstLocked <- struct{}{}
				for len(firstLocked) < 2 {
					time.Sleep(time.Millisecond)
				}
				_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(998, $1)", 1-i)
				return err
			})
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// provokeSerializationFailure makes two SERIALIZABLE transactions each read what the other writes.
func provokeSerializationFailure(t *testing.T, d *testdb.DB) error {
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, "CREATE TABLE IF NOT EXISTS ssi_probe (k int)"); err != nil {
		t.Fatal(err)
	}
	serializable := pgx.TxOptions{IsoLevel: pgx.Serializable}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	read := make(chan struct{}, 2)
	for i := range 2 {
		wg.Go(func() {
			errs[i] = pgtx.WithTx(ctx, pgtx.DB{Pool: d.Pool, Opts: serializable}, func(tx pgx.Tx) error {
				var n int
				if err := tx.QueryRow(ctx, "SELECT count(*) FROM ssi_probe WHERE k = $1", 1-i).Scan(&n); err != nil {
					return err
				}
				read <- struct{}{}
				for len(read) < 2 {
					time.Sleep(time.Millisecond)
				}
				_, err := tx.Exec(ctx, "INSERT INTO ssi_probe VALUES ($1)", i)
				return err
			})
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// provokeTerminatedBackend terminates an idle pooled connection's backend, then uses it.
func provokeTerminatedBackend(t *testing.T, d *testdb.DB) error {
	ctx := context.Background()
	conn, err := d.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := d.Pool.Exec(ctx, "SELECT pg_terminate_backend($1)", conn.Conn().PgConn().PID()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	_, err = conn.Exec(ctx, "SELECT 1")
	return err
}

// provokeConnectionRefused connects to a port nothing listens on.
func provokeConnectionRefused(t *testing.T, _ *testdb.DB) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	conn, err := pgx.Connect(context.Background(), "postgres://postgres@"+addr+"/postgres?sslmode=disable&connect_timeout=2")
	if err == nil {
		_ = conn.Close(context.Background())
	}
	return err
}

// provokeConnectionCut closes a connection's socket while its statement runs: the connection
// ends mid-statement with no message from the server, as when a network path or a pooler dies.
func provokeConnectionCut(t *testing.T, d *testdb.DB) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	socket := conn.PgConn().Conn()
	time.AfterFunc(200*time.Millisecond, func() { _ = socket.Close() })
	_, err = conn.Exec(ctx, "SELECT pg_sleep(3)")
	if ctx.Err() != nil {
		t.Fatal("the statement outlived its cut connection")
	}
	return err
}

func provokeCancelledRequest(t *testing.T, d *testdb.DB) error {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := d.Pool.Exec(ctx, "SELECT pg_sleep(1)")
	return err
}

func provokeUniqueViolation(t *testing.T, d *testdb.DB) error {
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, "INSERT INTO regions (code, name) VALUES ('DUP', 'x')"); err != nil {
		t.Fatal(err)
	}
	_, err := d.Pool.Exec(ctx, "INSERT INTO regions (code, name) VALUES ('DUP', 'x')")
	return err
}

// TestClassifyEverySQLStateOfTheRule covers the SQLSTATEs the real-failure test cannot provoke
// on a shared server (a crash, a server starting, a lost connection, too many connections) and
// the driver errors of a connection closed mid-statement.
func TestClassifyEverySQLStateOfTheRule(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		err  error
		want pgtx.Failure
	}{
		"57P02 crash shutdown":        {&pgconn.PgError{Code: "57P02"}, pgtx.Unavailable},
		"57P03 cannot connect now":    {&pgconn.PgError{Code: "57P03"}, pgtx.Unavailable},
		"08006 connection failure":    {&pgconn.PgError{Code: "08006"}, pgtx.Unavailable},
		"08P01 protocol violation":    {&pgconn.PgError{Code: "08P01"}, pgtx.Unavailable},
		"53300 too many connections":  {&pgconn.PgError{Code: "53300"}, pgtx.Unavailable},
		"closed mid-statement":        {fmt.Errorf("read: %w", io.ErrUnexpectedEOF), pgtx.Unavailable},
		"reset by peer":               {&net.OpError{Op: "read", Err: syscall.ECONNRESET}, pgtx.Unavailable},
		"connection already closed":   {fmt.Errorf("query: %w", pgconn.ErrConnClosed), pgtx.Unavailable},
		"23503 foreign key violation": {&pgconn.PgError{Code: "23503"}, pgtx.Other},
		"not a database error":        {errors.New("bug"), pgtx.Other},
	}
	for name, c := range cases {
		if got := pgtx.Classify(c.err); got != c.want {
			t.Errorf("%s: Classify = %d, want %d", name, got, c.want)
		}
	}
}

// TestConnectionsLostSparesTooManyConnections: the database going away says the pool's idle
// connections are dead; too many connections (53300) says the opposite — the server is up and
// will not replace the healthy idle connections a reset would close.
func TestConnectionsLostSparesTooManyConnections(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		lost bool
	}{
		{&pgconn.PgError{Code: pgtx.AdminShutdown}, true},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: pgtx.TooManyConnections}, false},
		{fmt.Errorf("connect: %w", &pgconn.PgError{Code: pgtx.TooManyConnections}), false},
		{&pgconn.PgError{Code: pgtx.LockNotAvailable}, false},
		{nil, false},
	} {
		if got := pgtx.ConnectionsLost(c.err); got != c.lost {
			t.Errorf("ConnectionsLost(%v) = %v, want %v", c.err, got, c.lost)
		}
	}
}

// TestBusyAsKeepsTheCause: a lock wait past lock_timeout becomes lock_timeout with the caller's
// message, and the 55P03 stays visible as the cause; anything else comes back unchanged.
func TestBusyAsKeepsTheCause(t *testing.T) {
	t.Parallel()
	cause := fmt.Errorf("lock model 7: %w", &pgconn.PgError{Code: pgtx.LockNotAvailable})
	err := pgtx.BusyAs(cause, "model 7 is busy")
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeLockTimeout || de.Message != "model 7 is busy" {
		t.Fatalf("BusyAs = %v, want lock_timeout \"model 7 is busy\"", err)
	}
	if !pgtx.IsSQLState(err, pgtx.LockNotAvailable) {
		t.Fatalf("BusyAs lost its cause: %v", err)
	}
	other := &pgconn.PgError{Code: pgtx.QueryCanceled}
	if got := pgtx.BusyAs(other, "x"); !errors.Is(got, other) || errors.As(got, &de) {
		t.Fatalf("BusyAs(57014) = %v, want it unchanged", got)
	}
}
