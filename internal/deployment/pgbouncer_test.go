package deployment_test

import (
	"testing"

	"mrmflow/internal/deployment"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// Overlapping bulk confirmations (REL-02) through a transaction-pooling PgBouncer, on two
// replicas (overlappingConfirms spreads the callers over two pools), with
// default_query_exec_mode=cache_describe in the URL: every task is confirmed exactly once and
// nobody deadlocks. Not parallel: it may hold PgBouncer's 20 server connections of its database.
func TestConcurrentOverlappingBulkConfirmsThroughPgBouncer(t *testing.T) {
	overlappingBulkConfirmsHold(t, newFixtureOn(t, testdb.NewThroughPgBouncer(t, 10), pgtx.Limits{}))
}

// Negative control through PgBouncer: locking in the callers' (shuffled) order deadlocks there
// too, so the test above can see what the ascending order prevents.
func TestConcurrentOverlappingBulkConfirmsInCallerOrderDeadlockThroughPgBouncer(t *testing.T) {
	for round := range 3 {
		f := newFixtureOn(t, testdb.NewThroughPgBouncer(t, 10), pgtx.Limits{})
		_, _, _, errs := overlappingConfirms(t, f, deployment.LockInCallerOrder)
		for _, err := range errs {
			if pgtx.IsSQLState(err, pgtx.DeadlockDetected) {
				t.Logf("round %d: deadlock, as expected without the lock order", round)
				return
			}
		}
	}
	t.Fatal("locking in caller order never deadlocked through PgBouncer: the test cannot see the race")
}
