package validation_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

// statusRaceRounds is how many times a model change races the move out of PLANNING.
const statusRaceRounds = 50

// statusRace is how one round of a model change racing the move out of PLANNING ended.
type statusRace struct {
	addErr, moveErr error
	// moved is the request as the status change answered it: read in its transaction, after its
	// update, so its models are those committed before the move.
	moved validation.Request
	// linked says the model ended up in the request.
	linked bool
}

// after says the round let the model in after the status moved: the change was accepted, yet
// the status change, which read the request's models after its own update, did not see it.
func (r statusRace) after(model int32) bool {
	return r.addErr == nil && r.linked && !slices.ContainsFunc(r.moved.Models, func(m validation.RequestModel) bool { return m.ModelID == model })
}

// raceModelChangeWithStatus works a fresh request to PLANNING, then releases at once, behind a
// barrier and on connections of their own, a model change adding a fresh model and the status
// change to IN_PROGRESS.
func raceModelChangeWithStatus(t *testing.T, f *fixture, svc *validation.Service) (statusRace, int32) {
	t.Helper()
	ctx := context.Background()
	id := f.newRequest(validation.TypeComprehensive)
	f.assign(id, true, false) // to PLANNING
	model := f.models(1)[0]
	var r statusRace
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		_, r.addErr = svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Add: []int32{model}})
	}()
	go func() {
		defer wg.Done()
		<-start
		r.moved, r.moveErr = svc.ChangeStatus(ctx, f.validator, id, validation.StatusInProgress, "work starts")
	}()
	close(start)
	wg.Wait()
	r.linked = f.count(`SELECT count(*) FROM validation_request_models WHERE request_id = $1 AND model_id = $2`, id, model) == 1
	return r, model
}

// A model change racing the move out of PLANNING lands before it or is refused, never after:
// under the request's row lock, either the change commits first and the status change sees the
// model, or the status change commits first and the change, judged after it, is invalid_status.
func TestModelChangeRacingStatusLandsBeforeOrIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 6)
	warm(t, f.db.Pool, 4)
	var before, refused int
	for round := range statusRaceRounds {
		r, model := raceModelChangeWithStatus(t, f, f.svc)
		if r.moveErr != nil {
			t.Fatalf("round %d: the status change failed: %v", round, r.moveErr)
		}
		switch {
		case r.after(model):
			t.Fatalf("round %d: the model was added after the request left PLANNING", round)
		case r.addErr == nil && r.linked:
			before++
		case domain.CodeOf(r.addErr) == domain.CodeInvalidStatus && !r.linked:
			refused++
		default:
			t.Fatalf("round %d: change %v, linked %v", round, r.addErr, r.linked)
		}
	}
	t.Logf("%d rounds: %d changes landed before the move, %d refused after it", statusRaceRounds, before, refused)
}

// Negative control: without the request's row lock, the model change judges a status that is
// about to change and commits after the move, in some round of statusRaceRounds.
func TestModelChangeRacingStatusWithoutRowLockLandsAfter(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 6)
	warm(t, f.db.Pool, 4)
	svc := newService(f.db.Pool, validation.SkipRequestLock)
	for round := range statusRaceRounds {
		if r, model := raceModelChangeWithStatus(t, f, svc); r.after(model) {
			t.Logf("round %d: the model was added after the request left PLANNING", round)
			return
		}
	}
	t.Fatalf("in %d rounds without the row lock no model change landed after the move: this test cannot see the race", statusRaceRounds)
}

// scopeRace is how one round of a region PATCH racing a model change ended.
type scopeRace struct {
	patchErr, addErr error
	gaps             int // (model, region) pairs of the request where the model does not run
}

// raceScope creates a request on a model running in regions eu and us, scoped to eu, then releases
// at once a PATCH widening its regions to eu and us and a model change adding a model that runs
// only in eu: each alone is allowed, together they break the region scope.
func raceScope(t *testing.T, f *fixture, svc *validation.Service, eu, us int32) scopeRace {
	t.Helper()
	ctx := context.Background()
	m := f.models(2)
	f.runsIn(m[0], eu, us)
	f.runsIn(m[1], eu)
	in := input(validation.TypeComprehensive, m[0])
	in.RegionIDs = []int32{eu}
	r, err := f.svc.Create(ctx, f.validator, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := r.Value.RequestID
	var out scopeRace
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		both := []int32{eu, us}
		_, out.patchErr = svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{RegionIDs: &both})
	}()
	go func() {
		defer wg.Done()
		<-start
		_, out.addErr = svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Add: []int32{m[1]}})
	}()
	close(start)
	wg.Wait()
	out.gaps = f.count(`
		SELECT count(*) FROM validation_request_models vrm
		JOIN validation_request_regions vrr ON vrr.request_id = vrm.request_id
		WHERE vrm.request_id = $1
		  AND NOT EXISTS (SELECT 1 FROM model_regions mr WHERE mr.model_id = vrm.model_id AND mr.region_id = vrr.region_id)`, id)
	return out
}

// A region PATCH and a model change racing on one request are judged one after the other under
// its row lock: the second sees the first's commit and is refused, so the request never ends with
// a model outside one of its regions.
func TestRegionScopeRaceNeverLeavesAGap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 6)
	warm(t, f.db.Pool, 4)
	eu, us := f.region(false), f.region(false)
	var patched, added int
	for round := range statusRaceRounds {
		r := raceScope(t, f, f.svc, eu, us)
		if r.gaps != 0 {
			t.Fatalf("round %d: %d scope gaps (patch %v, add %v)", round, r.gaps, r.patchErr, r.addErr)
		}
		switch {
		case r.patchErr == nil && domain.CodeOf(r.addErr) == domain.CodeInvalidRequest:
			patched++
		case r.addErr == nil && domain.CodeOf(r.patchErr) == domain.CodeInvalidRequest:
			added++
		default:
			t.Fatalf("round %d: patch %v, add %v", round, r.patchErr, r.addErr)
		}
	}
	t.Logf("%d rounds: the PATCH won %d, the model change %d", statusRaceRounds, patched, added)
}

// Negative control: without the row lock both calls judge the request as it was and both commit,
// leaving a model outside one of the request's regions, in some round.
func TestRegionScopeRaceWithoutRowLockLeavesAGap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 6)
	warm(t, f.db.Pool, 4)
	eu, us := f.region(false), f.region(false)
	svc := newService(f.db.Pool, validation.SkipRequestLock)
	for round := range statusRaceRounds {
		if r := raceScope(t, f, svc, eu, us); r.gaps > 0 {
			t.Logf("round %d: the request ended with a model outside one of its regions", round)
			return
		}
	}
	t.Fatalf("in %d rounds without the row lock the scope never broke: this test cannot see the race", statusRaceRounds)
}
