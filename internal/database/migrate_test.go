package database_test

import (
	"context"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/database"
	"mrmflow/internal/testdb"
)

// TestMigrationsRoundTrip applies every migration to an empty database, rolls them all back one by
// one (so every migrate:down section runs and is checked to undo its migrate:up), and applies them
// again: the migrations are reversible and re-applicable.
func TestMigrationsRoundTrip(t *testing.T) {
	t.Parallel()
	url := testdb.URLFor(t)
	ctx := context.Background()

	if err := database.Migrate(url, io.Discard); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })

	applied := count(t, conn, "SELECT count(*) FROM schema_migrations")
	if applied == 0 {
		t.Fatal("no migrations applied")
	}
	tablesUp := publicTables(t, conn)
	for _, want := range []string{"users", "api_tokens", "regions", "models", "model_versions", "audit_logs"} {
		if !contains(tablesUp, want) {
			t.Errorf("table %s missing after migrate up (have %v)", want, tablesUp)
		}
	}

	m, err := database.Migrator(url, io.Discard)
	if err != nil {
		t.Fatalf("migrator: %v", err)
	}
	for i := int64(0); ; i++ {
		left := count(t, conn, "SELECT count(*) FROM schema_migrations")
		if left == 0 {
			break
		}
		if i >= applied {
			t.Fatalf("%d migrations still applied after %d rollbacks", left, i)
		}
		if err := m.Rollback(); err != nil {
			t.Fatalf("rollback %d of %d: %v", i+1, applied, err)
		}
		if after := count(t, conn, "SELECT count(*) FROM schema_migrations"); after != left-1 {
			t.Fatalf("rollback %d removed %d migrations, want 1", i+1, left-after)
		}
	}

	if rest := publicTables(t, conn); len(rest) != 1 || rest[0] != "schema_migrations" {
		t.Fatalf("tables left after rolling everything back: %v", rest)
	}
	for _, q := range []struct{ what, sql string }{
		{"types", `SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
			WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0`},
		{"functions", `SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`},
		{"sequences", `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'public' AND c.relkind = 'S'`},
		{"views", `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')`},
	} {
		if n := count(t, conn, q.sql); n != 0 {
			t.Errorf("%d %s left in public after rolling everything back", n, q.what)
		}
	}

	if err := database.Migrate(url, io.Discard); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	if again := count(t, conn, "SELECT count(*) FROM schema_migrations"); again != applied {
		t.Fatalf("%d migrations applied the second time, want %d", again, applied)
	}
	if tablesAgain := publicTables(t, conn); len(tablesAgain) != len(tablesUp) {
		t.Fatalf("tables after re-applying %v, want %v", tablesAgain, tablesUp)
	}
}

func count(t *testing.T, conn *pgx.Conn, sql string) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func publicTables(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(),
		"SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	return names
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
