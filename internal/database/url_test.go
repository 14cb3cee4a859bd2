package database_test

import (
	"context"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/database"
	"mrmflow/internal/testdb"
)

// TestOneURLForPoolAndMigrations: the DATABASE_URL a user writes for a pooler, with pgx's
// statement mode and pool parameters in it, both migrates and opens the pool.
func TestOneURLForPoolAndMigrations(t *testing.T) {
	t.Parallel()
	url := testdb.URLFor(t) + "&default_query_exec_mode=cache_describe&pool_max_conn_idle_time=1m"
	if err := database.Migrate(url, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	pool, err := database.Open(context.Background(), url, database.PoolOptions{MaxConns: 1})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer pool.Close()
	if got := pool.Config().ConnConfig.DefaultQueryExecMode; got != pgx.QueryExecModeCacheDescribe {
		t.Fatalf("statement mode %v, want the URL's cache_describe", got)
	}
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n == 0 {
		t.Fatalf("%d migrations (%v)", n, err)
	}
}
