package validation_test

import (
	"context"
	"sync"
	"testing"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

const addRacers = 16

// raceAddModel creates addRacers COMPREHENSIVE requests on models of their own, then releases
// addRacers calls at once behind a barrier, each adding the same free model to its own request.
func raceAddModel(t *testing.T, f *fixture, svc *validation.Service) *outcomes {
	t.Helper()
	ctx := context.Background()
	models := f.models(addRacers + 1)
	shared := models[addRacers]
	ids := make([]int32, addRacers)
	for i := range ids {
		r, err := f.svc.Create(ctx, f.validator, input(validation.TypeComprehensive, models[i]), nil)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = r.Value.RequestID
	}
	var o outcomes
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Add: []int32{shared}})
			o.add(r, err)
		}()
	}
	close(start)
	wg.Wait()
	return &o
}

// Sixteen requests each add the same free model at once: exactly one succeeds and fifteen get
// validation_conflict from the check under the model's lock (never from the backstop).
func TestConcurrentAddModelExactlyOneWins(t *testing.T) {
	t.Parallel()
	f := newFixture(t, addRacers+4)
	warm(t, f.db.Pool, addRacers)
	for round := range 5 {
		o := raceAddModel(t, f, f.svc)
		if len(o.created) != 1 || o.conflicts != addRacers-1 || o.backstops != 0 || len(o.other) != 0 {
			t.Fatalf("round %d: %d added, %d conflicts, %d backstops, other %v", round, len(o.created), o.conflicts, o.backstops, o.other)
		}
	}
	if n := f.violations(); n != 0 {
		t.Fatalf("%d models with two active non-targeted requests", n)
	}
}

// Negative control: without the model locks the check races and only DATA-01's backstop index
// keeps the invariant: it must have fired.
func TestConcurrentAddModelWithoutLockNeedsBackstop(t *testing.T) {
	t.Parallel()
	f := newFixture(t, addRacers+4)
	warm(t, f.db.Pool, addRacers)
	svc := newService(f.db.Pool, validation.SkipModelLocks)
	backstops := 0
	for round := range 5 {
		o := raceAddModel(t, f, svc)
		if len(o.created) != 1 || len(o.other) != 0 {
			t.Fatalf("round %d: %d added, other %v", round, len(o.created), o.other)
		}
		backstops += o.backstops
	}
	if backstops == 0 {
		t.Fatal("the backstop never fired without the lock: this test cannot see the race")
	}
	t.Logf("backstop fired %d times in 5 rounds without the lock", backstops)
}

// Negative control: without the model locks and without the backstop index, more than one
// request adds the model.
func TestConcurrentAddModelWithoutLockOrBackstopBreaks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, addRacers+4)
	f.dropBackstop()
	warm(t, f.db.Pool, addRacers)
	svc := newService(f.db.Pool, validation.SkipModelLocks)
	for range 5 {
		if o := raceAddModel(t, f, svc); len(o.created) > 1 {
			return
		}
	}
	t.Fatal("never more than one request added the model without lock and backstop: this test cannot see the race")
}

func TestChangeModels(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(4)
	r, err := f.svc.Create(ctx, f.validator, input(validation.TypeComprehensive, m[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	id := r.Value.RequestID
	blocker, err := f.svc.Create(ctx, f.validator, input(validation.TypeComprehensive, m[1]), nil)
	if err != nil {
		t.Fatal(err)
	}
	change := func(in validation.ModelsChange) (validation.Request, error) {
		return f.svc.ChangeModels(ctx, f.validator, id, in)
	}
	_, err = change(validation.ModelsChange{Add: []int32{m[1]}})
	e := wantCode(t, err, domain.CodeValidationConflict)
	if c := e.Extra["conflicts"].([]validation.Conflict); len(c) != 1 || c[0].ModelID != m[1] || c[0].ActiveRequests[0].RequestID != blocker.Value.RequestID {
		t.Fatalf("conflicts %+v", c)
	}
	wantRefused(t, func() error { _, err := change(validation.ModelsChange{Remove: []int32{m[0]}}); return err }(), domain.CodeInvalidRequest)
	wantRefused(t, func() error { _, err := change(validation.ModelsChange{Add: []int32{m[0]}}); return err }(), domain.CodeInvalidRequest)
	wantRefused(t, func() error { _, err := change(validation.ModelsChange{Remove: []int32{m[2]}}); return err }(), domain.CodeInvalidRequest)
	wantRefused(t, func() error { _, err := change(validation.ModelsChange{Add: []int32{999999}}); return err }(), domain.CodeNotFound)
	wantRefused(t, func() error { _, err := change(validation.ModelsChange{}); return err }(), domain.CodeInvalidRequest)
	if f.auditCount(id, "VALIDATION_MODELS_CHANGED") != 0 {
		t.Fatal("a refused change left an audit row")
	}

	v := f.version(m[2], "2.0")
	got, err := change(validation.ModelsChange{Add: []int32{m[2], m[3]}, Remove: []int32{m[0]}, ModelVersions: map[int32]int32{m[2]: v}})
	if err != nil || len(got.Models) != 2 || got.Models[0].ModelID != m[2] || got.Models[0].VersionID == nil || *got.Models[0].VersionID != v {
		t.Fatalf("change: %+v %v", got.Models, err)
	}
	var covered *int32
	if err := f.db.Pool.QueryRow(ctx, "SELECT validation_request_id FROM model_versions WHERE version_id = $1", v).Scan(&covered); err != nil || covered == nil || *covered != id {
		t.Fatalf("version %d covered by %v (%v), want %d", v, covered, err, id)
	}
	// m[0] is free again: a new request may cover it.
	if _, err := f.svc.Create(ctx, f.validator, input(validation.TypeComprehensive, m[0]), nil); err != nil {
		t.Fatalf("create on the removed model: %v", err)
	}
	// Removing the versioned model uncovers its version.
	if _, err := change(validation.ModelsChange{Remove: []int32{m[2]}}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Pool.QueryRow(ctx, "SELECT validation_request_id FROM model_versions WHERE version_id = $1", v).Scan(&covered); err != nil || covered != nil {
		t.Fatalf("version still covered by %v (%v)", covered, err)
	}
	if f.auditCount(id, "VALIDATION_MODELS_CHANGED") != 2 {
		t.Fatal("model change audit rows missing")
	}

	// An assigned validator who owns a model to add would lose their independence.
	a := f.assign(id, true, false)
	own, err := f.db.Pool.Exec(ctx, "UPDATE models SET owner_id = $1 WHERE model_id = $2", a.ValidatorID, m[2])
	if err != nil || own.RowsAffected() != 1 {
		t.Fatal(err)
	}
	wantRefused(t, func() error { _, err := change(validation.ModelsChange{Add: []int32{m[2]}}); return err }(), domain.CodeNotIndependent)

	if _, err := f.svc.ChangeModels(ctx, f.user(domain.RoleUser), id, validation.ModelsChange{Add: []int32{m[2]}}); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("USER: %v", err)
	}
	f.step(id, validation.StatusCancelled)
	wantRefused(t, func() error { _, err := change(validation.ModelsChange{Add: []int32{m[2]}}); return err }(), domain.CodeInvalidStatus)
}

func TestUpdateRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	id := f.newRequest(validation.TypeInterim)
	var region int32
	if err := f.db.Pool.QueryRow(ctx, "INSERT INTO regions (code, name) VALUES ('EU', 'Europe') RETURNING region_id").Scan(&region); err != nil {
		t.Fatal(err)
	}
	f.runsIn(f.get(id).Models[0].ModelID, region) // a request's regions are its models' (TestRegionScope)
	high, reason := validation.PriorityHigh, "Regulator asked"
	due, _ := domain.ParseDate("2027-09-30")
	regions := []int32{region}
	r, err := f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{Priority: &high, TargetCompletionDate: &due, TriggerReason: &reason, RegionIDs: &regions})
	if err != nil || r.Priority != high || !r.TargetCompletionDate.Equal(due.Time) || *r.TriggerReason != reason || len(r.RegionIDs) != 1 {
		t.Fatalf("update: %+v %v", r, err)
	}
	bad := "SOON"
	wantRefused(t, func() error {
		_, err := f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{Priority: &bad})
		return err
	}(), domain.CodeInvalidRequest)
	missing := []int32{999999}
	wantRefused(t, func() error {
		_, err := f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{RegionIDs: &missing})
		return err
	}(), domain.CodeNotFound)
	none, empty := []int32{}, ""
	r, err = f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{RegionIDs: &none, TriggerReason: &empty})
	if err != nil || r.Priority != high || len(r.RegionIDs) != 0 || r.TriggerReason != nil {
		t.Fatalf("second update: %+v %v", r, err)
	}
	if f.auditCount(id, "VALIDATION_REQUEST_UPDATED") != 2 {
		t.Fatal("update audit rows missing")
	}
	if _, err := f.svc.UpdateRequest(ctx, f.user(domain.RoleUser), id, validation.RequestChange{Priority: &high}); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("USER: %v", err)
	}
	f.step(id, validation.StatusCancelled)
	wantRefused(t, func() error {
		_, err := f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{Priority: &high})
		return err
	}(), domain.CodeInvalidStatus)
}
