package testdb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// WaitForBackend polls pg_stat_activity until a backend of pool's database, other than the
// poller's own, matches where — a condition on pg_stat_activity's columns, with args as its
// parameters, such as "wait_event_type = 'Lock' AND wait_event = 'advisory'" — and returns its
// pid. A forced interleaving waits with it until the other transaction is where the test needs
// it (blocked on a lock, asleep in a test trigger) before the next step. It fails t when no
// backend matched within timeout.
func WaitForBackend(t testing.TB, pool *pgxpool.Pool, timeout time.Duration, where string, args ...any) int32 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var pid int32
		err := pool.QueryRow(context.Background(), `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND (`+where+`)
			LIMIT 1`, args...).Scan(&pid)
		if err == nil {
			return pid
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Fatalf("poll pg_stat_activity for %s: %v", where, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no backend matched %s within %s", where, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
