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
//
// It holds its pooled connection itself, from the first statement to the end, so that a last
// pipeline may carry the COMMIT too (Pipeline.SendAndCommit): the connection then goes back to
// the pool with no further round trip.
type lazyTx struct {
	pool   *pgxpool.Pool
	opts   pgx.TxOptions
	limits Limits
	conn   *pgxpool.Conn // nil before the first statement and after the end
	tx     pgx.Tx        // nil until begun
	// committed: a pipeline carried the COMMIT and it succeeded; the transaction is over.
	committed bool
	// commitSent: a COMMIT went out (with a pipeline or alone), whatever came back. Until then the
	// transaction cannot have committed, so a lost connection rolled all of it back.
	commitSent bool
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
	if t.committed {
		return nil, pgx.ErrTxClosed
	}
	if t.tx != nil {
		return t.tx, nil
	}
	conn, err := t.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	tx, err := conn.BeginTx(ctx, t.opts)
	if err != nil {
		conn.Release()
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	t.conn, t.tx = conn, tx
	if t.limits != (Limits{}) {
		sql, args := limitsQuery(t.limits)
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return nil, fmt.Errorf("set transaction limits: %w", err)
		}
	}
	return tx, nil
}

// SendBatch sends b; as the first use it carries BEGIN and the limits ahead of b's statements.
// The caller reads the results through Close only (Pipeline.Send does), so the two extra
// results at the head never reach it.
func (t *lazyTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.committed {
		return pgx.FailedBatchResults(b, pgx.ErrTxClosed)
	}
	if t.tx != nil {
		return t.tx.SendBatch(ctx, b)
	}
	conn, err := t.pool.Acquire(ctx)
	if err != nil {
		return pgx.FailedBatchResults(b, fmt.Errorf("begin transaction: %w", err))
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
	br := conn.SendBatch(ctx, head)
	t.conn, t.tx = conn, br.Tx()
	return br
}

// sendCommitting sends b with a COMMIT after its statements, in one round trip. If a statement
// fails, the server skips the rest, the COMMIT included, and the transaction stays open and
// aborted for Rollback; if b and the COMMIT succeed, the transaction is over and the connection
// goes back to the pool.
func (t *lazyTx) sendCommitting(ctx context.Context, b *pgx.Batch) error {
	b.Queue("commit").Fn = func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		if tag.String() == "ROLLBACK" {
			return fmt.Errorf("commit: %w", pgx.ErrTxCommitRollback)
		}
		return nil
	}
	t.commitSent = true
	if err := t.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	t.committed = true
	t.release()
	return nil
}

// release gives the connection back to the pool (which discards it if it is not idle).
func (t *lazyTx) release() {
	if t.conn != nil {
		t.conn.Release()
		t.conn = nil
	}
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

// Commit commits; a transaction that never began, or whose last pipeline carried the COMMIT,
// has nothing left to commit.
func (t *lazyTx) Commit(ctx context.Context) error {
	if t.tx == nil || t.committed {
		return nil
	}
	defer t.release()
	t.commitSent = true
	return t.tx.Commit(ctx)
}

// Rollback rolls back; a transaction that never began or is over has nothing to roll back. A
// COMMIT that failed inside a pipeline has already ended the transaction on the server (the
// connection is idle), so no ROLLBACK is sent for it.
func (t *lazyTx) Rollback(ctx context.Context) error {
	if t.tx == nil || t.committed {
		return nil
	}
	defer t.release()
	if t.conn != nil && t.conn.Conn().PgConn().TxStatus() == 'I' {
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
