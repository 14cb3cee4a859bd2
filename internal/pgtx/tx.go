// Package pgtx is the one place mrmflow opens transactions and savepoints, and where PostgreSQL
// errors are recognised by SQLSTATE and constraint name.
package pgtx

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ReadCommitted is the isolation level of every mrmflow transaction. The lock-then-check rules
// depend on it: each statement after a lock wait sees what the previous holder committed
// (docs/locks.md, "READ COMMITTED"). It is named explicitly so a server default cannot change it.
var ReadCommitted = pgx.TxOptions{IsoLevel: pgx.ReadCommitted}

// WithTx runs fn in a READ COMMITTED transaction and commits if fn returns nil. On an error or a
// panic it rolls back, with a context that is not cancelled, so a request whose client went away
// still cleans up its transaction. A database failure comes back translated (Translate): a
// client sees lock_timeout or unavailable, never an internal error, when the database is busy or
// gone.
func WithTx(ctx context.Context, pool *pgxpool.Pool, fn func(tx pgx.Tx) error) error {
	return WithTxOptions(ctx, pool, ReadCommitted, fn)
}

// WithTxOptions is WithTx with explicit options (tests use it to run the same work under another
// isolation level as a negative control).
func WithTxOptions(ctx context.Context, pool *pgxpool.Pool, opts pgx.TxOptions, fn func(tx pgx.Tx) error) error {
	return withLazyTx(ctx, &lazyTx{pool: pool, opts: opts}, fn)
}

// withLazyTx runs fn in tx, which begins on its first statement (so a Pipeline sent first carries
// the BEGIN), and commits if fn returns nil. On an error or a panic it rolls back, with a context
// that is not cancelled, so a request whose client went away still cleans up its transaction.
func withLazyTx(ctx context.Context, tx *lazyTx, fn func(tx pgx.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err = fn(tx); err != nil {
		return Translate(err)
	}
	if err = tx.Commit(ctx); err != nil {
		return Translate(fmt.Errorf("commit: %w", err))
	}
	return nil
}
