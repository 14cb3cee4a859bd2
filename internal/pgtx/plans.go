package pgtx

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
)

// CustomPlans wraps db so that every statement it sends is planned for the values it is sent
// with: pgx's cache_describe mode for that statement (the unnamed statement, which PostgreSQL
// plans at bind time), whatever the connection's default mode. The lists and reports read
// through it (docs/lists.md, "Plans"): their optional filters (`$x IS NULL OR col = $x`) and
// sort switches make a generic plan — which PostgreSQL may choose for a named prepared statement
// after five runs, pgx's default mode — walk whole tables that the plan for the actual values
// reaches through an index (bench/results/queues-explain.md has both plans of each). Writes keep
// the connection's mode: their statements have no such switches, and re-planning them would cost
// the create path throughput.
func CustomPlans(db gen.DBTX) gen.DBTX { return customPlans{db} }

type customPlans struct{ db gen.DBTX }

// withMode puts the statement mode first in args, where pgx reads it from.
func withMode(args []any) []any {
	return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
}

func (c customPlans) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return c.db.Exec(ctx, sql, withMode(args)...)
}

func (c customPlans) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return c.db.Query(ctx, sql, withMode(args)...)
}

func (c customPlans) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return c.db.QueryRow(ctx, sql, withMode(args)...)
}

// KeepsPlans reports whether the connections of pool prepare each statement once, named, and
// run it from its kept plan: pgx's default mode, cache_statement. The other modes (cache_describe,
// describe_exec, exec, simple_protocol: the ones a transaction pooler needs) send statements
// unnamed, which the server parses and plans at every execution; a statement that is costly to
// plan then goes through a plpgsql function instead, whose plan the server connection keeps
// (docs/traps.md, "A statement sent unnamed is planned at every execution"). No pool (a router
// built to list its routes) is pgx's default.
func KeepsPlans(pool *pgxpool.Pool) bool {
	return pool == nil || pool.Config().ConnConfig.DefaultQueryExecMode == pgx.QueryExecModeCacheStatement
}
