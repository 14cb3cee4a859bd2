package pgtx

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// execOnly reads a statement's command tag, wrapping its error with what.
func execOnly(what string) func(pgx.BatchResults) error {
	return func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
}

// Savepointed returns a pipeline of p's statements between SAVEPOINT name and RELEASE SAVEPOINT
// name, to be appended with others into one pipeline (Pipeline.Append): several savepoints, one
// after the other, in one round trip. pgx's nested transactions would send each SAVEPOINT and
// RELEASE as a round trip of its own. A failed savepoint is rolled back, never released:
// releasing it would leave the transaction aborted (docs/savepoints.md, "Roll back, never
// release, a failed savepoint"). The name must not be open twice: each savepoint of that name is
// released or rolled back before the next opens. When a statement of one fails, the server skips everything
// after it, so the savepoints before it are released, its own is open in an aborted transaction
// and must be rolled back (RollbackToSavepoint), and those after it never ran. A failure met
// while queuing p's statements (Fail) stays p's: the result's Send returns it.
func Savepointed(name string, p *Pipeline) *Pipeline {
	out := &Pipeline{err: p.err}
	out.batch.Queue("SAVEPOINT " + name).Fn = execOnly("savepoint")
	out.batch.QueuedQueries = append(out.batch.QueuedQueries, p.batch.QueuedQueries...)
	out.batch.Queue("RELEASE SAVEPOINT " + name).Fn = execOnly("release savepoint")
	return out
}

// RollbackToSavepoint rolls the transaction back to the open savepoint name after a failure
// (Savepointed), sent on its own: in a pipeline it would be skipped behind the failed statement.
// An error here means the transaction is unusable: the caller must abort it.
func RollbackToSavepoint(ctx context.Context, tx pgx.Tx, name string) error {
	if _, err := tx.Exec(context.WithoutCancel(ctx), "ROLLBACK TO SAVEPOINT "+name); err != nil {
		return fmt.Errorf("rollback to savepoint %s: %w", name, err)
	}
	return nil
}
