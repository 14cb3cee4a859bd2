package testdb

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Trace is a pgx tracer that records, while started, the SQL of every statement a pool sends,
// in order, and the round trips they took: a statement sent alone is one, a pipeline (pgx.Batch)
// is one however many statements it carries. Tests use it to show what code sends, and in how
// many round trips.
type Trace struct {
	mu         sync.Mutex
	on         bool
	sql        []string
	roundTrips int
}

// Start begins a fresh recording.
func (t *Trace) Start() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.on, t.sql, t.roundTrips = true, nil, 0
}

// Stop ends the recording and returns the statements and the round trips they took.
func (t *Trace) Stop() ([]string, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.on = false
	return t.sql, t.roundTrips
}

// RoundTrips is the number of round trips recorded so far.
func (t *Trace) RoundTrips() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.roundTrips
}

func (t *Trace) add(sql string, roundTrip bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.on {
		return
	}
	if sql != "" {
		t.sql = append(t.sql, sql)
	}
	if roundTrip {
		t.roundTrips++
	}
}

func (t *Trace) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	t.add(data.SQL, true)
	return ctx
}

func (t *Trace) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t *Trace) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	t.add("", true)
	return ctx
}

func (t *Trace) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	t.add(data.SQL, false)
}

func (t *Trace) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TracedPool opens a second pool on d, of maxConns connections (0 = pgx's default), whose
// statements trace records; it is closed after the test.
func (d *DB) TracedPool(t testing.TB, trace *Trace, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.ConnConfig.Tracer = trace
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
