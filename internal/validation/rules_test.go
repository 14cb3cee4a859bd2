package validation_test

import (
	"context"
	"strconv"
	"testing"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

// footprint is everything a refused call must leave as it was: the request's row, its model,
// region and version links, its history and audit rows, and every request's count.
func (f *fixture) footprint(id int32) string {
	f.t.Helper()
	var s string
	err := f.db.Pool.QueryRow(context.Background(), `
		SELECT concat_ws(' | ',
			(SELECT concat_ws(',', status, priority, target_completion_date, trigger_reason, updated_at) FROM validation_requests WHERE request_id = $1),
			(SELECT string_agg(model_id || ':' || coalesce(version_id, 0), ',' ORDER BY model_id) FROM validation_request_models WHERE request_id = $1),
			(SELECT string_agg(region_id::text, ',' ORDER BY region_id) FROM validation_request_regions WHERE request_id = $1),
			(SELECT string_agg(version_id::text, ',' ORDER BY version_id) FROM model_versions WHERE validation_request_id = $1),
			(SELECT count(*) FROM validation_status_history WHERE request_id = $1),
			(SELECT count(*) FROM audit_logs WHERE entity_type = 'validation_request' AND entity_id = $1),
			(SELECT count(*) FROM validation_requests))`, id).Scan(&s)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// refusal fails t unless call is refused with code and request id's footprint is as before, and
// returns the refusal.
func (f *fixture) refusal(t *testing.T, id int32, code domain.Code, call func() error) *domain.Error {
	t.Helper()
	before := f.footprint(id)
	e := wantCode(t, call(), code)
	if after := f.footprint(id); after != before {
		t.Fatalf("a refused call changed request %d:\nbefore %s\nafter  %s", id, before, after)
	}
	return e
}

// unchanged is refusal for a caller that needs only the check.
func (f *fixture) unchanged(t *testing.T, id int32, code domain.Code, call func() error) {
	t.Helper()
	_ = f.refusal(t, id, code, call)
}

// versionDated inserts a version of model with the given planned and actual production dates
// ("" = none) and returns its id.
func (f *fixture) versionDated(model int32, number, planned, actual string) int32 {
	f.t.Helper()
	v := f.version(model, number)
	f.exec(`UPDATE model_versions SET planned_production_date = nullif($2, '')::date, actual_production_date = nullif($3, '')::date WHERE version_id = $1`, v, planned, actual)
	return v
}

func date(s string) *domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

// A request's models change only in INTAKE and PLANNING: from IN_PROGRESS on, and above all once
// an outcome awaits approval, adding a model is refused and changes nothing — else the approval
// would cover a model nobody validated.
func TestModelChangesOnlyInIntakeOrPlanning(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(5)
	id := f.newRequest(validation.TypeComprehensive)
	add := func(model int32) error {
		_, err := f.svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Add: []int32{model}})
		return err
	}
	if err := add(m[0]); err != nil {
		t.Fatalf("INTAKE: %v", err)
	}
	f.assign(id, true, false) // to PLANNING
	if err := add(m[1]); err != nil {
		t.Fatalf("PLANNING: %v", err)
	}
	if _, err := f.svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Remove: []int32{m[1]}}); err != nil {
		t.Fatalf("PLANNING remove: %v", err)
	}
	f.step(id, validation.StatusInProgress)
	e := f.refusal(t, id, domain.CodeInvalidStatus, func() error { return add(m[2]) })
	if want := "validation request " + itoa(id) + " is IN_PROGRESS: its models change only in INTAKE or PLANNING"; e.Message != want {
		t.Fatalf("message %q, want %q", e.Message, want)
	}
	f.unchanged(t, id, domain.CodeInvalidStatus, func() error {
		_, err := f.svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Remove: []int32{m[0]}})
		return err
	})
	f.outcome(id)
	f.step(id, validation.StatusPendingApproval)
	f.unchanged(t, id, domain.CodeInvalidStatus, func() error { return add(m[3]) })
	f.step(id, validation.StatusOnHold)
	f.unchanged(t, id, domain.CodeInvalidStatus, func() error { return add(m[4]) })
}

// PATCH is refused once a request awaits approval or is closed, and allowed while it is worked.
func TestEditsRefusedOnceAwaitingApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	urgent := validation.PriorityUrgent
	patch := func(id int32) error {
		_, err := f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{Priority: &urgent, TargetCompletionDate: date("2027-05-31")})
		return err
	}
	id := f.newRequest(validation.TypeComprehensive)
	f.assign(id, true, false)
	f.step(id, validation.StatusInProgress)
	if err := patch(id); err != nil {
		t.Fatalf("IN_PROGRESS: %v", err)
	}
	f.outcome(id)
	f.step(id, validation.StatusPendingApproval)
	e := f.refusal(t, id, domain.CodeInvalidStatus, func() error { return patch(id) })
	if want := "validation request " + itoa(id) + " is PENDING_APPROVAL: it cannot be edited in PENDING_APPROVAL, APPROVED or CANCELLED"; e.Message != want {
		t.Fatalf("message %q, want %q", e.Message, want)
	}
	f.step(id, validation.StatusOnHold)
	if err := patch(id); err != nil {
		t.Fatalf("ON_HOLD: %v", err)
	}

	approved := f.newRequest(validation.TypeComprehensive)
	f.approve(approved)
	f.unchanged(t, approved, domain.CodeInvalidStatus, func() error { return patch(approved) })
	cancelled := f.newRequest(validation.TypeComprehensive)
	f.step(cancelled, validation.StatusCancelled)
	f.unchanged(t, cancelled, domain.CodeInvalidStatus, func() error { return patch(cancelled) })
}

// Only an approved full validation (INITIAL or COMPREHENSIVE) makes a later INITIAL impossible;
// an approved TARGETED, CHANGE or INTERIM one does not.
func TestInitialEligibilityCountsFullValidationsOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(4)
	v := f.version(m[2], "1.1")
	partial := []validation.CreateInput{input(validation.TypeTargeted, m[0]), input(validation.TypeInterim, m[1]), input(validation.TypeChange, m[2])}
	partial[2].ModelVersions = map[int32]int32{m[2]: v}
	for _, in := range partial {
		r, err := f.svc.Create(ctx, f.validator, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.approve(r.Value.RequestID)
		initial, err := f.svc.Create(ctx, f.validator, input(validation.TypeInitial, in.ModelIDs[0]), nil)
		if err != nil {
			t.Fatalf("INITIAL after an approved %s: %v", in.ValidationType, err)
		}
		f.step(initial.Value.RequestID, validation.StatusCancelled)
	}
	full, err := f.svc.Create(ctx, f.validator, input(validation.TypeComprehensive, m[3]), nil)
	if err != nil {
		t.Fatal(err)
	}
	f.approve(full.Value.RequestID)
	_, err = f.svc.Create(ctx, f.validator, input(validation.TypeInitial, m[3]), nil)
	e := wantCode(t, err, domain.CodeValidationConflict)
	if c := e.Extra["conflicts"].([]validation.Conflict); len(c) != 1 || len(c[0].ApprovedRequests) != 1 || c[0].ApprovedRequests[0].RequestID != full.Value.RequestID {
		t.Fatalf("conflicts %+v", c)
	}
	// The same rule through a model change of an INITIAL request (one admission step).
	initial, err := f.svc.Create(ctx, f.validator, input(validation.TypeInitial, m[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	f.unchanged(t, initial.Value.RequestID, domain.CodeValidationConflict, func() error {
		_, err := f.svc.ChangeModels(ctx, f.validator, initial.Value.RequestID, validation.ModelsChange{Add: []int32{m[3]}})
		return err
	})
	if _, err := f.svc.ChangeModels(ctx, f.validator, initial.Value.RequestID, validation.ModelsChange{Add: []int32{m[1]}}); err != nil {
		t.Fatalf("adding a model with only an approved INTERIM: %v", err)
	}
}

// Every region of a request is one each of its models runs in: on create, on PATCH of region_ids
// and on adding a model; each refusal names the model and the region and changes nothing.
func TestRegionScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	eu, us := f.region(false), f.region(false)
	m := f.models(3)
	f.runsIn(m[0], eu)
	f.runsIn(m[1], eu, us)
	f.runsIn(m[2], us)

	in := input(validation.TypeComprehensive, m[0], m[1])
	in.RegionIDs = []int32{us}
	before := f.count(`SELECT count(*) FROM validation_requests`)
	_, err := f.svc.Create(ctx, f.validator, in, nil)
	e := wantCode(t, err, domain.CodeInvalidRequest)
	if len(e.Fields) != 1 || e.Fields[0].Field != "region_ids" || e.Fields[0].Message != "model "+itoa(m[0])+" does not run in region "+itoa(us)+
		": a validation request's regions must be regions each of its models runs in" {
		t.Fatalf("fields %+v", e.Fields)
	}
	if n := f.count(`SELECT count(*) FROM validation_requests`); n != before {
		t.Fatalf("a refused create left a request: %d, was %d", n, before)
	}

	in.RegionIDs = []int32{eu}
	r, err := f.svc.Create(ctx, f.validator, in, nil)
	if err != nil {
		t.Fatalf("regions all models run in: %v", err)
	}
	id := r.Value.RequestID
	both := []int32{eu, us}
	e = f.refusal(t, id, domain.CodeInvalidRequest, func() error {
		_, err := f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{RegionIDs: &both})
		return err
	})
	if len(e.Fields) != 1 || e.Fields[0].Field != "region_ids" {
		t.Fatalf("PATCH fields %+v", e.Fields)
	}
	e = f.refusal(t, id, domain.CodeInvalidRequest, func() error {
		_, err := f.svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Add: []int32{m[2]}})
		return err
	})
	if len(e.Fields) != 1 || e.Fields[0].Field != "add" {
		t.Fatalf("model change fields %+v", e.Fields)
	}
	// Without the model that does not run in US, the request may cover US.
	if _, err := f.svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Remove: []int32{m[0]}}); err != nil {
		t.Fatal(err)
	}
	if r, err := f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{RegionIDs: &both}); err != nil || len(r.RegionIDs) != 2 {
		t.Fatalf("PATCH to regions every model runs in: %+v %v", r.RegionIDs, err)
	}
}

// A target completion date after the production date of a covered version — the actual date
// when it went live, else the planned one — is refused on create, PATCH and model changes, listing
// each such version; the same day is allowed.
func TestTargetAfterImplementation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(3)
	planned := f.versionDated(m[0], "2.0", "2027-03-01", "")
	live := f.versionDated(m[1], "2.0", "2027-12-31", "2027-02-01") // went live early
	unplanned := f.versionDated(m[2], "2.0", "", "")

	in := input(validation.TypeChange, m[0], m[1])
	in.ModelVersions = map[int32]int32{m[0]: planned, m[1]: live}
	in.TargetCompletionDate = date("2027-06-30")
	before := f.count(`SELECT count(*) FROM validation_requests`)
	_, err := f.svc.Create(ctx, f.validator, in, nil)
	e := wantCode(t, err, domain.CodeTargetAfterImplementation)
	late := e.Extra["versions"].([]validation.LateVersion)
	if len(late) != 2 || late[0].VersionID != planned || late[0].ProductionDate.Format(domain.DateLayout) != "2027-03-01" ||
		late[1].VersionID != live || late[1].ModelID != m[1] || late[1].ProductionDate.Format(domain.DateLayout) != "2027-02-01" {
		t.Fatalf("late versions %+v", late)
	}
	if n := f.count(`SELECT count(*) FROM validation_requests`); n != before {
		t.Fatalf("a refused create left a request")
	}
	in.TargetCompletionDate = date("2027-02-01") // the day the earliest goes live
	r, err := f.svc.Create(ctx, f.validator, in, nil)
	if err != nil {
		t.Fatalf("target on the production date: %v", err)
	}
	id := r.Value.RequestID
	e = f.refusal(t, id, domain.CodeTargetAfterImplementation, func() error {
		_, err := f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{TargetCompletionDate: date("2027-02-02")})
		return err
	})
	if late := e.Extra["versions"].([]validation.LateVersion); len(late) != 1 || late[0].VersionID != live {
		t.Fatalf("PATCH late versions %+v", late)
	}
	// A version not planned yet has no production date to be late for.
	if _, err := f.svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Add: []int32{m[2]}, ModelVersions: map[int32]int32{m[2]: unplanned}}); err != nil {
		t.Fatalf("adding an unplanned version: %v", err)
	}
	f.exec(`UPDATE model_versions SET planned_production_date = '2027-01-15' WHERE version_id = $1`, unplanned)
	if _, err := f.svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Remove: []int32{m[2]}}); err != nil {
		t.Fatal(err)
	}
	f.unchanged(t, id, domain.CodeTargetAfterImplementation, func() error {
		_, err := f.svc.ChangeModels(ctx, f.validator, id, validation.ModelsChange{Add: []int32{m[2]}, ModelVersions: map[int32]int32{m[2]: unplanned}})
		return err
	})
	// Moving the target earlier is always allowed.
	if _, err := f.svc.UpdateRequest(ctx, f.validator, id, validation.RequestChange{TargetCompletionDate: date("2027-01-31")}); err != nil {
		t.Fatalf("earlier target: %v", err)
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
