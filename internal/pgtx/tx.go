// Package pgtx is the one place mrmflow opens transactions and savepoints, keeps its locks (their
// namespaces and their order, locks.go), and recognises PostgreSQL errors by SQLSTATE and
// constraint name.
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

// DB is where one service's transactions run: its pool, the options they begin with, and the
// limits each sets first (zero fields keep the session's settings). A service builds it once
// (NewDB) and every transaction of the service goes through WithTxV or WithTx with it, so no call
// site spells out the pool, the isolation level or the limits.
type DB struct {
	Pool   *pgxpool.Pool
	Opts   pgx.TxOptions
	Limits Limits
	// KeepsPlans: Pool prepares its statements and keeps their plans (KeepsPlans), read once
	// from its configuration.
	KeepsPlans bool
}

// NewDB is the usual DB of a service: READ COMMITTED (ReadCommitted), with limits set first.
func NewDB(pool *pgxpool.Pool, limits Limits) DB {
	return DB{Pool: pool, Opts: ReadCommitted, Limits: limits, KeepsPlans: KeepsPlans(pool)}
}

// WithTxV runs fn in a transaction of db and returns fn's value once the transaction committed,
// the zero value with any error (as river's dbutil.WithTxV). The transaction begins on fn's first
// statement, with db.Limits set first, in the outer transaction (a savepoint rollback would undo
// them): when fn's first statements are a Pipeline, BEGIN and the limits are sent with them, in
// one round trip. On an error or a panic it rolls back, with a context that is not cancelled, so
// a request whose client went away still cleans up its transaction. A database failure comes back
// translated (Translate): a client sees lock_timeout or unavailable, never an internal error, when
// the database is busy or gone.
func WithTxV[T any](ctx context.Context, db DB, fn func(tx pgx.Tx) (T, error)) (T, error) {
	out, _, err := withTxV(ctx, db, fn)
	return out, err
}

// withTxV is WithTxV that also says whether a failure lost the connection before a COMMIT was
// sent.
func withTxV[T any](ctx context.Context, db DB, fn func(tx pgx.Tx) (T, error)) (out T, lostUncommitted bool, err error) {
	tx := &lazyTx{pool: db.Pool, opts: db.Opts, limits: db.Limits}
	err = withLazyTx(ctx, tx, func(tx pgx.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		var zero T
		return zero, !tx.commitSent && ConnectionsLost(err), err
	}
	return out, false, nil
}

// WithTxRetryV is WithTxV that runs fn once more, on a fresh connection, when the first try lost
// its connection (ConnectionsLost: a restart, a failover, a terminated backend) before any COMMIT
// was sent: the server then rolled all of it back, so the second try writes nothing twice. The
// pool is emptied first (DropDeadConnections, as for the HTTP layer's failed read), since its
// other idle connections most likely died too. A pipeline that carries the COMMIT counts as sent once it is
// handed to pgx, even if it failed before reaching the server (pgx may prepare its statements in
// a round trip of their own first): a transaction whose first round trip carries its COMMIT is
// not retried. Only for fn with no effect outside the transaction (nothing
// streamed to a client, say); it is for a write whose first round trip would otherwise be the
// first to meet a dead connection (validation.Service.CreateAuthenticating, which authenticates
// in that round trip instead of in a read of its own that the HTTP layer retries).
func WithTxRetryV[T any](ctx context.Context, db DB, fn func(tx pgx.Tx) (T, error)) (T, error) {
	out, lostUncommitted, err := withTxV(ctx, db, fn)
	if err != nil && lostUncommitted && ctx.Err() == nil {
		DropDeadConnections(db.Pool, err)
		out, _, err = withTxV(ctx, db, fn)
	}
	return out, err
}

// WithTx is WithTxV for work that returns nothing but its error.
func WithTx(ctx context.Context, db DB, fn func(tx pgx.Tx) error) error {
	_, err := WithTxV(ctx, db, func(tx pgx.Tx) (struct{}, error) { return struct{}{}, fn(tx) })
	return err
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
