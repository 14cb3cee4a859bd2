package pgtx

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
)

// lazyTx is a transaction that begins when it is first used. If that first use is a Pipeline
// (SendBatch), BEGIN and the limits travel in the same round trip as the pipeline's statements;
// any other first use begins the transaction and sets the limits first, as two round trips, and
// then runs the statement. Either way the limits are set before any statement of the caller's
// and outside any savepoint (a savepoint rollback would undo them).
type lazyTx struct {
	pool   *pgxpool.Pool
	opts   pgx.TxOptions
	limits Limits
	tx     pgx.Tx // nil until begun
}

var _ pgx.Tx = (*lazyTx)(nil)

// limitsQuery is the recorded TransactionLimitsSetLocal statement for limits.
func limitsQuery(limits Limits) (string, []any) {
	var r recorder
	_ = gen.New(&r).TransactionLimitsSetLocal(context.Background(), gen.TransactionLimitsSetLocalParams{
		LockTimeout:      milliseconds(limits.LockTimeout),
		StatementTimeout: milliseconds(limits.StatementTimeout),
	})
	return r.sql, r.args
}

// begin begins the transaction on its own (two round trips with limits).
func (t *lazyTx) begin(ctx context.Context) (pgx.Tx, error) {
	if t.tx != nil {
		return t.tx, nil
	}
	tx, err := t.pool.BeginTx(ctx, t.opts)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	if t.limits != (Limits{}) {
		sql, args := limitsQuery(t.limits)
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("set transaction limits: %w", err)
		}
	}
	t.tx = tx
	return tx, nil
}

// SendBatch sends b; as the first use it carries BEGIN and the limits ahead of b's statements.
// The caller reads the results through Close only (Pipeline.Send does), so the two extra
// results at the head never reach it.
func (t *lazyTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.tx != nil {
		return t.tx.SendBatch(ctx, b)
	}
	head := &pgx.Batch{}
	head.BeginTx(t.opts)
	head.QueuedQueries[0].Fn = func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		return nil
	}
	if t.limits != (Limits{}) {
		sql, args := limitsQuery(t.limits)
		head.Queue(sql, args...).Fn = func(br pgx.BatchResults) error {
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("set transaction limits: %w", err)
			}
			return nil
		}
	}
	head.QueuedQueries = append(head.QueuedQueries, b.QueuedQueries...)
	br := t.pool.SendBatch(ctx, head)
	t.tx = br.Tx()
	return br
}

func (t *lazyTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tx, err := t.begin(ctx)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return tx.Exec(ctx, sql, args...)
}

func (t *lazyTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	tx, err := t.begin(ctx)
	if err != nil {
		return nil, err
	}
	return tx.Query(ctx, sql, args...)
}

func (t *lazyTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	tx, err := t.begin(ctx)
	if err != nil {
		return errRow{err}
	}
	return tx.QueryRow(ctx, sql, args...)
}

// Begin opens a savepoint, beginning the transaction first if need be.
func (t *lazyTx) Begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := t.begin(ctx)
	if err != nil {
		return nil, err
	}
	return tx.Begin(ctx)
}

// Commit commits; a transaction that never began has nothing to commit.
func (t *lazyTx) Commit(ctx context.Context) error {
	if t.tx == nil {
		return nil
	}
	return t.tx.Commit(ctx)
}

// Rollback rolls back; a transaction that never began has nothing to roll back.
func (t *lazyTx) Rollback(ctx context.Context) error {
	if t.tx == nil {
		return nil
	}
	return t.tx.Rollback(ctx)
}

func (t *lazyTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	tx, err := t.begin(ctx)
	if err != nil {
		return 0, err
	}
	return tx.CopyFrom(ctx, table, columns, src)
}

func (t *lazyTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	tx, err := t.begin(ctx)
	if err != nil {
		return nil, err
	}
	return tx.Prepare(ctx, name, sql)
}

// LargeObjects needs a begun transaction; mrmflow uses none.
func (t *lazyTx) LargeObjects() pgx.LargeObjects {
	if t.tx == nil {
		panic("pgtx: LargeObjects before the transaction began")
	}
	return t.tx.LargeObjects()
}

// Conn is the transaction's connection, or nil before it began.
func (t *lazyTx) Conn() *pgx.Conn {
	if t.tx == nil {
		return nil
	}
	return t.tx.Conn()
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
