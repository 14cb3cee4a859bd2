package database

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolOptions are the settings of Open.
type PoolOptions struct {
	MaxConns int32
}

// Open connects a pool and pings the server once, so a wrong URL fails at start-up and not on
// the first request.
//
// The pool sets no session state and sends no startup parameter a transaction-pooling PgBouncer
// refuses (statement_timeout was one): timeouts are set per transaction (pgtx.Limits, SET LOCAL).
// application_name is sent, which PgBouncer tracks itself. The statement mode is the URL's own
// pgx parameter default_query_exec_mode, honoured as given and never overridden: pgx's default
// (cache_statement) prepares named statements per connection, which behind a transaction pooler
// collide (42P05); cache_describe and exec are safe there (README, "Configuration").
func Open(ctx context.Context, databaseURL string, opts PoolOptions) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "mrmflow"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return pool, nil
}
