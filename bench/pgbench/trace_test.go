package pgbench_test

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"

	"mrmflow/bench/pgbench"
)

// statementLog is a pgx tracer that records, in order, the statements the service sends, named
// by pgbench.StatementName, and how many round trips they took: a statement sent alone is one, a
// pipeline (pgx.Batch) is one however many statements it carries.
type statementLog struct {
	mu         sync.Mutex
	on         bool
	list       []string
	roundTrips int
}

func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.list = append(l.list, pgbench.StatementName(data.SQL))
		l.roundTrips++
	}
	return ctx
}

func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *statementLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.roundTrips++
	}
	return ctx
}

func (l *statementLog) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.list = append(l.list, pgbench.StatementName(data.SQL))
	}
}

func (l *statementLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// record starts a fresh recording.
func (l *statementLog) record() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on, l.list, l.roundTrips = true, nil, 0
}

// stop ends the recording and returns the statements and the round trips they took.
func (l *statementLog) stop() ([]string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.list, l.roundTrips
}
