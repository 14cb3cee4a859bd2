package pgbench_test

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"

	"mrmflow/bench/pgbench"
)

// statementLog is a pgx tracer that records, in order, the statements the service sends, named
// by pgbench.StatementName.
type statementLog struct {
	mu   sync.Mutex
	on   bool
	list []string
}

func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.list = append(l.list, pgbench.StatementName(data.SQL))
	}
	return ctx
}

func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// record starts a fresh recording.
func (l *statementLog) record() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on, l.list = true, nil
}

// stop ends the recording and returns it.
func (l *statementLog) stop() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.list
}
