package testdb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// TestPgBouncerTransactionPooling shows the tests' PgBouncer is what the README describes: in
// transaction mode, pgx's default statement mode (named prepared statements cached per client
// connection) collides on a shared server connection (42P05, the failure the README warns of),
// while the cache_describe mode of NewThroughPgBouncer's URL works. This is also the negative
// control of every test that runs through PgBouncer: they would fail without the right mode.
func TestPgBouncerTransactionPooling(t *testing.T) {
	d := testdb.NewThroughPgBouncer(t, 2)
	ctx := context.Background()
	if !strings.Contains(d.URL, "default_query_exec_mode="+testdb.PgBouncerExecMode) {
		t.Fatalf("URL %s does not carry the statement mode", d.URL)
	}
	for range 3 {
		var n int
		if err := d.Pool.QueryRow(ctx, "SELECT count(*) FROM regions WHERE code <> $1", "x").Scan(&n); err != nil {
			t.Fatalf("cache_describe through PgBouncer: %v", err)
		}
	}

	defaultMode := strings.Replace(d.URL, "default_query_exec_mode="+testdb.PgBouncerExecMode, "default_query_exec_mode=cache_statement", 1)
	var collided error
	for range 4 {
		conn, err := pgx.Connect(ctx, defaultMode)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = conn.QueryRow(ctx, "SELECT count(*) FROM regions WHERE code <> $1", "x").Scan(&n)
		_ = conn.Close(ctx)
		if err != nil {
			collided = err
			break
		}
	}
	if !pgtx.IsSQLState(collided, "42P05") {
		t.Fatalf("pgx's default mode through PgBouncer gave %v, want 42P05 (is PgBouncer in transaction mode?)", collided)
	}
}
