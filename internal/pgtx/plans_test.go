package pgtx_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// Through CustomPlans a statement is never prepared under a name on the connection, however often
// it runs, so PostgreSQL plans it for its values each time; sent directly in pgx's default mode,
// the same statement is prepared once and reused — the named statement PostgreSQL may switch to a
// generic plan after five runs.
func TestCustomPlansNeverPrepareANamedStatement(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if conn.Config().DefaultQueryExecMode != pgx.QueryExecModeCacheStatement {
		t.Fatalf("the test needs pgx's default mode, got %v", conn.Config().DefaultQueryExecMode)
	}
	named := func() int {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%UserDirectoryCount%'", pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for range 7 {
		if _, err := gen.New(pgtx.CustomPlans(conn)).UserDirectoryCount(ctx, gen.UserDirectoryCountParams{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := named(); n != 0 {
		t.Fatalf("%d named statements through CustomPlans, want 0", n)
	}
	if _, err := gen.New(conn).UserDirectoryCount(ctx, gen.UserDirectoryCountParams{}); err != nil {
		t.Fatal(err)
	}
	if n := named(); n != 1 {
		t.Fatalf("%d named statements in the default mode, want 1: this test cannot see the difference", n)
	}
}
