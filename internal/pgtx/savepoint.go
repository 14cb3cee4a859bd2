package pgtx

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// PipelinedSavepoint is a savepoint whose statements travel in pipelines: SAVEPOINT rides at the
// head of the first pipeline sent through it, RELEASE at the tail of the one given to Release,
// and ROLLBACK TO SAVEPOINT — after a failure, when nothing else may run — is sent on its own.
// A failed savepoint is rolled back, never released: releasing it would leave the transaction
// aborted (docs/savepoints.md, "Roll back, never release, a failed savepoint").
//
// It names the savepoint itself instead of using pgx's nested transactions, which send each
// SAVEPOINT and RELEASE as a round trip of its own; the name must not be reused for another
// savepoint of the transaction while this one is open.
type PipelinedSavepoint struct {
	tx      pgx.Tx
	name    string
	started bool // SAVEPOINT has been sent (it may have failed with its pipeline)
	done    bool
}

// NewPipelinedSavepoint returns a savepoint of tx named name (an SQL identifier, used as is).
func NewPipelinedSavepoint(tx pgx.Tx, name string) *PipelinedSavepoint {
	return &PipelinedSavepoint{tx: tx, name: name}
}

// Send sends p inside the savepoint, opening it first in the same round trip. On an error the
// caller must Rollback.
func (sp *PipelinedSavepoint) Send(ctx context.Context, p *Pipeline) error {
	if sp.done {
		return fmt.Errorf("savepoint %s: already released or rolled back", sp.name)
	}
	if !sp.started {
		head := pgx.Batch{}
		head.Queue("SAVEPOINT " + sp.name).Fn = execOnly("savepoint")
		p.batch.QueuedQueries = append(head.QueuedQueries, p.batch.QueuedQueries...)
	}
	sp.started = true
	return p.Send(ctx, sp.tx)
}

// Release sends p, then RELEASE SAVEPOINT, in one round trip — opening the savepoint at its head
// when nothing was sent through it yet, so a task of one pipeline costs one round trip. On an
// error the caller must Rollback: the RELEASE did not run.
func (sp *PipelinedSavepoint) Release(ctx context.Context, p *Pipeline) error {
	p.batch.Queue("RELEASE SAVEPOINT " + sp.name).Fn = execOnly("release savepoint")
	if err := sp.Send(ctx, p); err != nil {
		return err
	}
	sp.done = true
	return nil
}

// Rollback rolls the transaction back to the savepoint, undoing what was sent through it and
// ending the failed state, and releases nothing. A savepoint never opened, or already ended,
// needs nothing. An error here means the transaction is unusable: the caller must abort it.
func (sp *PipelinedSavepoint) Rollback(ctx context.Context) error {
	open := sp.started && !sp.done
	sp.done = true
	if !open {
		return nil
	}
	if _, err := sp.tx.Exec(context.WithoutCancel(ctx), "ROLLBACK TO SAVEPOINT "+sp.name); err != nil {
		return fmt.Errorf("rollback to savepoint %s: %w", sp.name, err)
	}
	return nil
}

// execOnly reads a statement's command tag, wrapping its error with what.
func execOnly(what string) func(pgx.BatchResults) error {
	return func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
}
