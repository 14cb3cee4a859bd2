package validation_test

import (
	"context"
	"sync"
	"testing"

	"mrmflow/internal/database"
	"mrmflow/internal/domain"
	"mrmflow/internal/testdb"
	"mrmflow/internal/validation"
)

// The DATA-01 concurrency tests again, through a transaction-pooling PgBouncer with two replicas
// (two pools, as two `mrmflow serve` would have) and default_query_exec_mode=cache_describe in
// the URL. They run one at a time (not parallel): each may hold PgBouncer's 20 server
// connections of its database.

// replicas returns two services on two pools of f's database: f's own and a second one.
func replicas(t *testing.T, f *fixture, perPool int32, switches ...func(*validation.Service)) []*validation.Service {
	t.Helper()
	second, err := database.Open(context.Background(), f.db.URL, database.PoolOptions{MaxConns: perPool})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(second.Close)
	return []*validation.Service{
		newService(f.db.Pool, switches...),
		newService(second, switches...),
	}
}

// raceReplicas is race with the creators spread over the replicas.
func raceReplicas(svcs []*validation.Service, actor domain.Actor, inputs []validation.CreateInput) *outcomes {
	var o outcomes
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, in := range inputs {
		svc := svcs[i%len(svcs)]
		wg.Go(func() {
			<-start
			res, err := svc.Create(context.Background(), actor, in, nil)
			o.add(res.Value, err)
		})
	}
	close(start)
	wg.Wait()
	return &o
}

// raceRoundsThroughPgBouncer runs rounds of racers creates of one model each through PgBouncer.
func raceRoundsThroughPgBouncer(t *testing.T, switches ...func(*validation.Service)) []*outcomes {
	t.Helper()
	f := newFixtureOn(t, testdb.NewThroughPgBouncer(t, racers/2+2))
	svcs := replicas(t, f, racers/2+2, switches...)
	var out []*outcomes
	for _, m := range f.models(rounds) {
		inputs := make([]validation.CreateInput, racers)
		for j := range inputs {
			inputs[j] = input(validation.TypeComprehensive, m)
		}
		out = append(out, raceReplicas(svcs, f.validator, inputs))
	}
	return out
}

// Same-model race through PgBouncer: exactly one creator wins each round, by the lock (the
// backstop never fires).
func TestConcurrentCreateExactlyOneWinsThroughPgBouncer(t *testing.T) {
	for i, o := range raceRoundsThroughPgBouncer(t) {
		if len(o.created) != 1 || o.conflicts != racers-1 || o.backstops != 0 || len(o.other) != 0 {
			t.Fatalf("round %d: %d created, %d conflicts, %d backstops, other %v", i, len(o.created), o.conflicts, o.backstops, o.other)
		}
	}
}

// Negative control: through PgBouncer too, without the lock the check races and only the
// backstop index keeps the invariant; it must have fired.
func TestConcurrentCreateWithoutLockNeedsBackstopThroughPgBouncer(t *testing.T) {
	backstops := 0
	for i, o := range raceRoundsThroughPgBouncer(t, validation.SkipModelLocks) {
		if len(o.created) != 1 || len(o.other) != 0 {
			t.Fatalf("round %d: %d created, other %v", i, len(o.created), o.other)
		}
		backstops += o.backstops
	}
	if backstops == 0 {
		t.Fatal("the backstop never fired without the lock: the test cannot see the race through PgBouncer")
	}
}

// Multi-model stress through PgBouncer, on two replicas (stress opens the second pool from the
// PgBouncer URL); its negative control is TestStressWithoutLock, whose race PgBouncer does not
// change.
func TestStressInvariantHoldsThroughPgBouncer(t *testing.T) {
	stressInvariantHolds(t, newFixtureOn(t, testdb.NewThroughPgBouncer(t, stressWorkers/2+2)))
}
