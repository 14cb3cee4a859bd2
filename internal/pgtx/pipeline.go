package pgtx

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mrmflow/gen"
)

// Pipeline sends the statements of several sqlc-generated calls in one round trip (one pgx.Batch,
// one Sync): each call is recorded, not run, when it is queued, and its answer is read into the
// destination given when the pipeline is sent. The server still runs the statements one after
// another, in queue order, each seeing what the previous ones did — so a lock queued before a
// read is held when the read runs — but the service waits for the network once instead of once
// per statement. Only statements whose arguments do not depend on each other's answers can share
// a pipeline.
//
// When a statement fails, the server skips the rest of the pipeline and Send returns that
// statement's error (through its onError, if it was queued with one); inside a transaction the
// transaction is then aborted, as after any failed statement.
type Pipeline struct {
	batch pgx.Batch
	// err is the first error met while queuing (Fail): Send returns it and sends nothing.
	err error
}

// Fail records err, met while preparing a statement to queue (an audit row's changes that do not
// encode, say), so that the caller queues on and meets it at Send, which returns the first such
// error without sending anything: the transaction then rolls back as after a failed statement.
func (p *Pipeline) Fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// Len is the number of statements queued.
func (p *Pipeline) Len() int { return p.batch.Len() }

// Exec queues the statement of an :exec method, e.g.
//
//	p.Exec(func(q *gen.Queries) error { return q.AuditLogInsert(ctx, params) }, nil)
//
// onError, when not nil, turns the statement's error into the one Send returns.
func (p *Pipeline) Exec(call func(q *gen.Queries) error, onError func(error) error) {
	qq := p.record(func(q *gen.Queries) error { return call(q) })
	qq.Fn = func(br pgx.BatchResults) error {
		_, err := br.Exec()
		return mapError(err, onError)
	}
}

// ExecRows queues the statement of an :execrows method; Send stores the rows it affected in dst.
func ExecRows(p *Pipeline, dst *int64, call func(q *gen.Queries) (int64, error), onError func(error) error) {
	qq := p.record(func(q *gen.Queries) error { _, err := call(q); return err })
	qq.Fn = func(br pgx.BatchResults) error {
		ct, err := br.Exec()
		*dst = ct.RowsAffected()
		return mapError(err, onError)
	}
}

// Many queues the statement of a :many method; Send stores its rows in dst. A struct T (a row type,
// whose fields sqlc generates in column order) is read by position; any other T (an id, a name)
// is the one column of a single-column query. (A single column of a struct type, time.Time say,
// would be read as a row and fail with an error, never silently.)
func Many[T any](p *Pipeline, dst *[]T, call func(q *gen.Queries) ([]T, error), onError func(error) error) {
	scan := pgx.RowTo[T]
	if reflect.TypeFor[T]().Kind() == reflect.Struct {
		scan = pgx.RowToStructByPos[T]
	}
	qq := p.record(func(q *gen.Queries) error { _, err := call(q); return err })
	qq.Fn = func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return mapError(err, onError)
		}
		*dst, err = pgx.CollectRows(rows, scan)
		return mapError(err, onError)
	}
}

// One queues the statement of a :one method; Send stores its row in dst, or returns
// pgx.ErrNoRows (through onError) as the method would.
func One[T any](p *Pipeline, dst *T, call func(q *gen.Queries) (T, error), onError func(error) error) {
	exactlyOne(p, dst, nil, call, onError, pgx.RowToStructByPos[T])
}

// OneOrNone queues the statement of a :one method whose statement may match no row (an UPDATE
// guarded by the row's state, say); Send stores its row in dst and sets found, where One would
// return pgx.ErrNoRows.
func OneOrNone[T any](p *Pipeline, dst *T, found *bool, call func(q *gen.Queries) (T, error), onError func(error) error) {
	exactlyOne(p, dst, found, call, onError, pgx.RowToStructByPos[T])
}

// Scalar queues the statement of a :one method that returns a single column; Send stores the
// value in dst.
func Scalar[T any](p *Pipeline, dst *T, call func(q *gen.Queries) (T, error), onError func(error) error) {
	exactlyOne(p, dst, nil, call, onError, pgx.RowTo[T])
}

// exactlyOne queues call's statement; Send reads its one row into dst with scan. With found, no
// row is no error: found says whether there was one.
func exactlyOne[T any](p *Pipeline, dst *T, found *bool, call func(q *gen.Queries) (T, error), onError func(error) error, scan pgx.RowToFunc[T]) {
	qq := p.record(func(q *gen.Queries) error { _, err := call(q); return err })
	qq.Fn = func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return mapError(err, onError)
		}
		*dst, err = pgx.CollectExactlyOneRow(rows, scan)
		if found != nil {
			*found = err == nil
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
		}
		return mapError(err, onError)
	}
}

// Append queues q's statements at the end of p, and q's queuing failure (Fail), if any, as p's. done,
// when not nil, is called as p is sent, once the last of q's statements has succeeded: after a
// failure, the calls made tell how many of the appended pipelines ran whole.
func (p *Pipeline) Append(q *Pipeline, done func()) {
	p.Fail(q.err)
	n := len(q.batch.QueuedQueries)
	if n == 0 {
		panic("pgtx: appending an empty pipeline")
	}
	if done != nil {
		last := q.batch.QueuedQueries[n-1]
		fn := last.Fn
		last.Fn = func(br pgx.BatchResults) error {
			var err error
			if fn != nil {
				err = fn(br)
			} else {
				_, err = br.Exec()
			}
			if err == nil {
				done()
			}
			return err
		}
	}
	p.batch.QueuedQueries = append(p.batch.QueuedQueries, q.batch.QueuedQueries...)
}

// BatchSender is where a Pipeline is sent: a transaction, or a pool (the statements then run in
// one implicit transaction, so reads see one consistent state).
type BatchSender interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Send runs the queued statements in one round trip and reads every answer. A Pipeline is sent
// once.
func (p *Pipeline) Send(ctx context.Context, to BatchSender) error {
	if p.err != nil {
		return p.err
	}
	if p.batch.Len() == 0 {
		return nil
	}
	return to.SendBatch(ctx, &p.batch).Close()
}

// SendAndCommit sends p and, in the same round trip, the COMMIT of tx — when tx is a transaction
// of WithTxV or WithTx; any other tx (a savepoint, say) only gets p, and its owner commits.
// It must be the last thing the transaction's work does: once it returns nil the transaction is
// committed, the commit at the end of WithTxV has nothing left to do, and any later statement on
// tx fails. When it returns an error nothing was committed and WithTxV rolls back as usual.
func (p *Pipeline) SendAndCommit(ctx context.Context, tx pgx.Tx) error {
	if p.err != nil {
		return p.err
	}
	if lazy, ok := tx.(*lazyTx); ok {
		return lazy.sendCommitting(ctx, &p.batch)
	}
	return p.Send(ctx, tx)
}

// record runs call against a recorder that keeps the statement and its arguments, as sqlc built
// them, and queues them.
func (p *Pipeline) record(call func(q *gen.Queries) error) *pgx.QueuedQuery {
	var r recorder
	if err := call(gen.New(&r)); err != nil && !errors.Is(err, errRecorded) {
		// Only the recorder can fail here, and it does not.
		panic("pgtx: recording a query: " + err.Error())
	}
	if r.sql == "" {
		panic("pgtx: the call queued no statement")
	}
	return p.batch.Queue(r.sql, r.args...)
}

// Wrap is the usual onError of a queued statement: its error with what it was doing in front.
func Wrap(what string) func(error) error {
	return func(err error) error { return fmt.Errorf("%s: %w", what, err) }
}

func mapError(err error, onError func(error) error) error {
	if err == nil || onError == nil {
		return err
	}
	return onError(err)
}

// errRecorded is what a recorded :many or :one call returns instead of rows.
var errRecorded = errors.New("pgtx: statement recorded for a pipeline, not run")

// recorder is a gen.DBTX that keeps the statement it is given instead of running it.
type recorder struct {
	sql  string
	args []any
}

func (r *recorder) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	r.sql, r.args = sql, args
	return pgconn.CommandTag{}, nil
}

func (r *recorder) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	r.sql, r.args = sql, args
	return nil, errRecorded
}

func (r *recorder) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	r.sql, r.args = sql, args
	return recordedRow{}
}

type recordedRow struct{}

func (recordedRow) Scan(...any) error { return errRecorded }
