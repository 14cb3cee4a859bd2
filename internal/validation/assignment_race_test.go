package validation_test

import (
	"context"
	"sync"
	"testing"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

const (
	primaryRacers = 8
	primaryRounds = 10
)

// primaryRace is how one round of concurrent "make X primary" calls ended.
type primaryRace struct {
	ok, refused int
	other       []error
	primaries   int // assignments of the request with is_primary, after the round
	planning    int // history rows entering PLANNING
}

// racePrimary creates a request, then releases primaryRacers calls at once behind a barrier,
// each making a different validator the primary: through Assign on a fresh request (byPatch
// false), or through UpdateAssignment of assignments made beforehand without a primary.
func racePrimary(t *testing.T, f *fixture, svc *validation.Service, model int32, byPatch bool) primaryRace {
	t.Helper()
	ctx := context.Background()
	r, err := f.svc.Create(ctx, f.validator, input(validation.TypeTargeted, model), nil)
	if err != nil {
		t.Fatal(err)
	}
	id := r.Value.RequestID
	calls := make([]func() error, primaryRacers)
	for i := range calls {
		validator := f.user(domain.RoleValidator)
		yes := true
		if byPatch {
			a := f.assign(id, false, false)
			calls[i] = func() error {
				_, err := svc.UpdateAssignment(ctx, f.validator, a.AssignmentID, validation.AssignmentChange{IsPrimary: &yes})
				return err
			}
			continue
		}
		calls[i] = func() error {
			_, err := svc.Assign(ctx, f.validator, id, validation.AssignInput{ValidatorID: validator.UserID, IsPrimary: &yes, IndependenceAttestation: true})
			return err
		}
	}
	var out primaryRace
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := call()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				out.ok++
			case domain.CodeOf(err) == domain.CodeConflict:
				out.refused++
			default:
				out.other = append(out.other, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	err = f.db.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM validation_assignments WHERE request_id = $1 AND is_primary),
		       (SELECT count(*) FROM validation_status_history WHERE request_id = $1 AND to_status = 'PLANNING')`, id).
		Scan(&out.primaries, &out.planning)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Eight concurrent "make X primary" calls on one request, released together, all succeed and
// leave exactly one primary: each locks the request's row first and demotes the current primary
// under it. A new request's first primary also moves it to PLANNING exactly once.
func TestConcurrentPrimaryExactlyOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t, primaryRacers+4)
	warm(t, f.db.Pool, primaryRacers)
	models := f.models(2 * primaryRounds)
	for i := range primaryRounds {
		for _, byPatch := range []bool{false, true} {
			o := racePrimary(t, f, f.svc, models[2*i+boolInt(byPatch)], byPatch)
			if o.ok != primaryRacers || o.primaries != 1 || len(o.other) != 0 {
				t.Fatalf("round %d (patch %v): %d ok, %d refused, %d primaries, other %v", i, byPatch, o.ok, o.refused, o.primaries, o.other)
			}
			if !byPatch && o.planning != 1 {
				t.Fatalf("round %d: %d moves to PLANNING, want 1", i, o.planning)
			}
		}
	}
}

// Negative control: without the row lock and without the partial unique index, the same calls
// leave more than one primary — the race the lock and the index rule out — through POST and
// through PATCH alike.
func TestConcurrentPrimaryWithoutProtectionBreaks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, primaryRacers+4)
	warm(t, f.db.Pool, primaryRacers)
	if _, err := f.db.Pool.Exec(context.Background(), "DROP INDEX validation_assignments_one_primary_key"); err != nil {
		t.Fatal(err)
	}
	unlocked := newService(f.db.Pool, validation.SkipRequestLock)
	models := f.models(2 * primaryRounds)
	for _, byPatch := range []bool{false, true} {
		broke := false
		for i := 0; i < primaryRounds && !broke; i++ {
			if o := racePrimary(t, f, unlocked, models[2*i+boolInt(byPatch)], byPatch); o.primaries > 1 {
				t.Logf("round %d (patch %v): %d primaries without lock and index", i, byPatch, o.primaries)
				broke = true
			}
		}
		if !broke {
			t.Fatalf("never more than one primary without lock and index (patch %v): this test cannot see the race", byPatch)
		}
	}
}

// Negative control: without the row lock the partial unique index alone still holds the rule,
// and the calls it refuses are seen as conflicts.
func TestConcurrentPrimaryWithoutLockNeedsIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t, primaryRacers+4)
	warm(t, f.db.Pool, primaryRacers)
	unlocked := newService(f.db.Pool, validation.SkipRequestLock)
	models := f.models(2 * primaryRounds)
	for _, byPatch := range []bool{false, true} {
		refused := 0
		for i := range primaryRounds {
			o := racePrimary(t, f, unlocked, models[2*i+boolInt(byPatch)], byPatch)
			if o.primaries != 1 || len(o.other) != 0 {
				t.Fatalf("round %d (patch %v): %d primaries, other %v", i, byPatch, o.primaries, o.other)
			}
			refused += o.refused
		}
		if refused == 0 {
			t.Fatalf("the index never refused a primary without the lock (patch %v): this test cannot see the race", byPatch)
		}
		t.Logf("the index refused %d calls in %d rounds without the lock (patch %v)", refused, primaryRounds, byPatch)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// raceOutcome releases primaryRacers CreateOutcome calls on one request in IN_PROGRESS at once
// and returns how many succeeded, how many were refused as conflicts, and the outcome rows left.
func raceOutcome(t *testing.T, f *fixture, svc *validation.Service, model int32) (ok, refused, rows int) {
	t.Helper()
	ctx := context.Background()
	r, err := f.svc.Create(ctx, f.validator, input(validation.TypeTargeted, model), nil)
	if err != nil {
		t.Fatal(err)
	}
	id := r.Value.RequestID
	f.assign(id, true, false)
	f.step(id, validation.StatusInProgress)
	admin := f.user(domain.RoleAdmin)
	rating, summary := validation.RatingPass, "Fit for purpose."
	effective, _ := domain.ParseDate("2027-01-01")
	in := validation.OutcomeInput{OverallRating: &rating, ExecutiveSummary: &summary, EffectiveDate: &effective}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range primaryRacers {
		wg.Go(func() {
			<-start
			_, err := svc.CreateOutcome(ctx, admin, id, in)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case domain.CodeOf(err) == domain.CodeConflict:
				refused++
			default:
				t.Errorf("outcome: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if err := f.db.Pool.QueryRow(ctx, "SELECT count(*) FROM validation_outcomes WHERE request_id = $1", id).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	return ok, refused, rows
}

// Eight concurrent outcomes for one request: one is recorded, seven are conflicts, and the
// database holds one row (validation_outcomes_request_id_key).
func TestConcurrentOutcomeExactlyOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t, primaryRacers+4)
	warm(t, f.db.Pool, primaryRacers)
	for i, m := range f.models(5) {
		if ok, refused, rows := raceOutcome(t, f, f.svc, m); ok != 1 || refused != primaryRacers-1 || rows != 1 {
			t.Fatalf("round %d: %d recorded, %d conflicts, %d rows", i, ok, refused, rows)
		}
	}
}

// Negative control: without the unique constraint, concurrent calls record more than one outcome
// even under the request's row lock — CreateOutcome does not look for an existing outcome, so the
// constraint alone holds one outcome per request.
func TestConcurrentOutcomeWithoutConstraintBreaks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, primaryRacers+4)
	warm(t, f.db.Pool, primaryRacers)
	if _, err := f.db.Pool.Exec(context.Background(), "ALTER TABLE validation_outcomes DROP CONSTRAINT validation_outcomes_request_id_key"); err != nil {
		t.Fatal(err)
	}
	for i, m := range f.models(5) {
		if _, _, rows := raceOutcome(t, f, f.svc, m); rows > 1 {
			t.Logf("round %d: %d outcomes without the constraint", i, rows)
			return
		}
	}
	t.Fatal("never more than one outcome without the constraint: this test cannot see the race")
}
