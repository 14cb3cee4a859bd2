package validation_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

// newRequest creates a request of typ on a fresh model owned by the fixture's validator.
func (f *fixture) newRequest(typ string) int32 {
	f.t.Helper()
	r, err := f.svc.Create(context.Background(), f.validator, input(typ, f.models(1)[0]), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return r.Value.RequestID
}

// get reads request id as an ADMIN.
func (f *fixture) get(id int32) validation.Request {
	f.t.Helper()
	r, err := f.svc.Get(context.Background(), domain.Actor{Role: domain.RoleAdmin}, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// auditCount counts the audit rows of request id with action.
func (f *fixture) auditCount(id int32, action string) int {
	f.t.Helper()
	var n int
	err := f.db.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM audit_logs WHERE entity_type = 'validation_request' AND entity_id = $1 AND action = $2", id, action).Scan(&n)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// wantRefused fails t unless err is a domain error with code.
func wantRefused(t *testing.T, err error, code domain.Code) {
	t.Helper()
	_ = wantCode(t, err, code)
}

func wantUnmet(t *testing.T, err error, unmet ...string) {
	t.Helper()
	e := wantCode(t, err, domain.CodeGateNotMet)
	if got := e.Extra["unmet"].([]string); !slices.Equal(got, unmet) {
		t.Fatalf("unmet %v, want %v", got, unmet)
	}
}

func TestAssignIndependenceAndRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	id := f.newRequest(validation.TypeComprehensive)
	model := f.get(id).Models[0].ModelID
	yes := true
	assign := func(validator int32, attest bool) error {
		_, err := f.svc.Assign(ctx, f.validator, id, validation.AssignInput{ValidatorID: validator, IsPrimary: &yes, IndependenceAttestation: attest})
		return err
	}
	other := f.user(domain.RoleValidator)
	if err := assign(other.UserID, false); domain.CodeOf(err) != domain.CodeInvalidRequest {
		t.Fatalf("without attestation: %v", err)
	}
	// The fixture's validator owns the request's model (and requested it, which alone would not
	// refuse them: TestAssignRequestorMayWorkTheRequest).
	wantRefused(t, assign(f.validator.UserID, true), domain.CodeNotIndependent)
	delegate := f.user(domain.RoleValidator)
	if _, err := f.db.Pool.Exec(ctx, "INSERT INTO model_delegates (model_id, user_id, granted_by) VALUES ($1, $2, $2)", model, delegate.UserID); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, assign(delegate.UserID, true), domain.CodeNotIndependent)
	wantRefused(t, assign(f.user(domain.RoleUser).UserID, true), domain.CodeInvalidRequest)
	wantRefused(t, assign(999999, true), domain.CodeNotFound)
	if _, err := f.svc.Assign(ctx, f.user(domain.RoleUser), id, validation.AssignInput{ValidatorID: other.UserID, IndependenceAttestation: true}); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("USER assigning: %v", err)
	}
	if r := f.get(id); r.Status != validation.StatusIntake || len(*r.Assignments) != 0 || f.auditCount(id, "ASSIGNMENT_CREATED") != 0 {
		t.Fatalf("refused assignments changed the request: %+v", r)
	}

	// The first assignment is the primary by default and moves the request to PLANNING.
	first, err := f.svc.Assign(ctx, f.validator, id, validation.AssignInput{ValidatorID: other.UserID, IndependenceAttestation: true})
	if err != nil || !first.IsPrimary {
		t.Fatalf("first assignment %+v, %v", first, err)
	}
	r := f.get(id)
	if last := r.History[len(r.History)-1]; r.Status != validation.StatusPlanning || last.ToStatus != validation.StatusPlanning ||
		f.auditCount(id, "VALIDATION_STATUS_CHANGED") != 1 || f.auditCount(id, "ASSIGNMENT_CREATED") != 1 {
		t.Fatalf("after the first assignment: %+v", r)
	}
	wantRefused(t, assign(other.UserID, true), domain.CodeConflict)

	// A new primary demotes the old one; a reviewer is never the primary.
	second := f.assign(id, true, false)
	reviewer := f.assign(id, false, true)
	r = f.get(id)
	primaries := 0
	for _, a := range *r.Assignments {
		if a.IsPrimary {
			primaries++
			if a.AssignmentID != second.AssignmentID {
				t.Fatalf("primary is %d, want %d", a.AssignmentID, second.AssignmentID)
			}
		}
	}
	if primaries != 1 || len(*r.Assignments) != 3 {
		t.Fatalf("assignments %+v", *r.Assignments)
	}
	if _, err := f.svc.UpdateAssignment(ctx, f.validator, reviewer.AssignmentID, validation.AssignmentChange{IsPrimary: &yes}); domain.CodeOf(err) != domain.CodeInvalidRequest {
		t.Fatalf("reviewer made primary: %v", err)
	}
	// PLANNING needs a primary: it cannot be demoted, only replaced. (Removing it here would
	// promote first, the only other validator that is not the reviewer:
	// TestDeletePrimaryPromotesTheOnlyOtherValidator; the refusals of a removal are in
	// TestDeletePrimaryWithoutOneSuccessorIsRefused.)
	no := false
	_, err = f.svc.UpdateAssignment(ctx, f.validator, second.AssignmentID, validation.AssignmentChange{IsPrimary: &no})
	wantUnmet(t, err, validation.GateNoPrimaryValidator)
	hours := 12.5
	a, err := f.svc.UpdateAssignment(ctx, f.validator, first.AssignmentID, validation.AssignmentChange{IsPrimary: &yes, EstimatedHours: &hours})
	if err != nil || !a.IsPrimary || a.EstimatedHours == nil || *a.EstimatedHours != hours {
		t.Fatalf("promote first: %+v %v", a, err)
	}
	if err := f.svc.DeleteAssignment(ctx, f.validator, second.AssignmentID); err != nil {
		t.Fatalf("delete the demoted one: %v", err)
	}
	wantRefused(t, f.svc.DeleteAssignment(ctx, f.validator, second.AssignmentID), domain.CodeNotFound)
	if f.auditCount(id, "ASSIGNMENT_UPDATED") != 1 || f.auditCount(id, "ASSIGNMENT_DELETED") != 1 {
		t.Fatal("assignment audit rows missing")
	}

	// Closed requests refuse.
	f.step(id, validation.StatusCancelled)
	wantRefused(t, assign(f.user(domain.RoleValidator).UserID, true), domain.CodeInvalidStatus)
	wantRefused(t, f.svc.DeleteAssignment(ctx, f.validator, reviewer.AssignmentID), domain.CodeInvalidStatus)
}

// TestAssignRequestorMayWorkTheRequest: independence of an assignment is MRM3's — the validator
// who opened a request may be assigned to it; an owner or an active delegate of one of its
// models may not, each refused for that reason alone (neither requested the request). Before
// v1.1's amendments the requestor was refused too.
func TestAssignRequestorMayWorkTheRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	owner, delegate, requestor := f.user(domain.RoleValidator), f.user(domain.RoleValidator), f.user(domain.RoleValidator)
	var model int32
	if err := f.db.Pool.QueryRow(ctx, `INSERT INTO models (model_name, description, owner_id) VALUES ('owned', '', $1) RETURNING model_id`, owner.UserID).Scan(&model); err != nil {
		t.Fatal(err)
	}
	f.exec(`INSERT INTO model_delegates (model_id, user_id, granted_by) VALUES ($1, $2, $3)`, model, delegate.UserID, owner.UserID)
	created, err := f.svc.Create(ctx, requestor, input(validation.TypeComprehensive, model), nil)
	if err != nil {
		t.Fatal(err)
	}
	id := created.Value.RequestID
	assign := func(validator int32) (validation.Assignment, error) {
		return f.svc.Assign(ctx, requestor, id, validation.AssignInput{ValidatorID: validator, IndependenceAttestation: true})
	}
	for _, c := range []struct {
		name string
		user int32
		why  string
	}{{"owner", owner.UserID, "owns one of its models"}, {"delegate", delegate.UserID, "is an active delegate of one of its models"}} {
		_, err := assign(c.user)
		if e := wantCode(t, err, domain.CodeNotIndependent); !strings.Contains(e.Message, c.why) {
			t.Errorf("%s refused with %q, want it to say %q", c.name, e.Message, c.why)
		}
	}
	if r := f.get(id); r.Status != validation.StatusIntake || len(*r.Assignments) != 0 {
		t.Fatalf("refused assignments changed the request: %+v", r)
	}

	a, err := assign(requestor.UserID)
	if err != nil {
		t.Fatalf("assigning the requestor: %v", err)
	}
	if r := f.get(id); a.ValidatorID != requestor.UserID || !a.IsPrimary || r.Status != validation.StatusPlanning || r.RequestorID != requestor.UserID {
		t.Fatalf("the requestor as primary: %+v, request %+v", a, r)
	}
	if n := f.auditCount(id, "ASSIGNMENT_CREATED"); n != 1 {
		t.Fatalf("%d ASSIGNMENT_CREATED rows, want 1", n)
	}
}

// TestStatusGates walks a request with a reviewer through every gate, checking each refusal
// names what is missing and changes nothing.
func TestStatusGates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	admin := f.user(domain.RoleAdmin)
	id := f.newRequest(validation.TypeInterim)
	change := func(actor domain.Actor, status, reason string) error {
		_, err := f.svc.ChangeStatus(ctx, actor, id, status, reason)
		return err
	}
	wantUnmet(t, change(f.validator, validation.StatusPlanning, ""), validation.GateNoPrimaryValidator)
	wantRefused(t, change(f.validator, validation.StatusOnHold, "too short"), domain.CodeInvalidRequest)
	wantRefused(t, change(f.validator, validation.StatusCancelled, ""), domain.CodeInvalidRequest)
	if r := f.get(id); r.Status != validation.StatusIntake || len(r.History) != 1 {
		t.Fatalf("refused changes moved the request: %+v", r)
	}
	f.assign(id, true, false)
	reviewer := f.assign(id, false, true)
	reviewerActor := domain.Actor{UserID: reviewer.ValidatorID, Role: domain.RoleValidator}
	f.step(id, validation.StatusInProgress)
	wantUnmet(t, change(f.validator, validation.StatusPendingApproval, ""),
		validation.GateReviewRequired, validation.GateNoOutcome, validation.GateNoReviewerSignOff)
	_, err := f.svc.SignOff(ctx, reviewerActor, reviewer.AssignmentID, "")
	wantRefused(t, err, domain.CodeInvalidStatus) // not in REVIEW yet
	f.step(id, validation.StatusReview)
	wantUnmet(t, change(f.validator, validation.StatusPendingApproval, ""), validation.GateNoOutcome, validation.GateNoReviewerSignOff)
	f.outcome(id)
	_, err = f.svc.SignOff(ctx, f.validator, reviewer.AssignmentID, "")
	wantRefused(t, err, domain.CodeForbidden)
	_, err = f.svc.SignOff(ctx, admin, reviewer.AssignmentID, "")
	wantRefused(t, err, domain.CodeForbidden) // the reviewer alone, not even an ADMIN
	signed, err := f.svc.SignOff(ctx, reviewerActor, reviewer.AssignmentID, "Challenged and agreed.")
	if err != nil || signed.SignedOffAt == nil {
		t.Fatalf("sign-off: %+v %v", signed, err)
	}
	f.step(id, validation.StatusPendingApproval)
	wantUnmet(t, change(admin, validation.StatusRevision, "by hand"), validation.GateUseSendBack)
	wantUnmet(t, change(admin, validation.StatusApproved, "by hand"), validation.GateUseApprovals)
	wantRefused(t, change(f.validator, validation.StatusInProgress, "rework needed"), domain.CodeForbidden)
	wantRefused(t, change(admin, validation.StatusInProgress, ""), domain.CodeInvalidRequest)
	if err := change(admin, validation.StatusInProgress, "rework needed"); err != nil {
		t.Fatal(err)
	}
	for _, a := range *f.get(id).Assignments {
		if a.SignedOffAt != nil {
			t.Fatal("the sign-off survived the move back to IN_PROGRESS")
		}
	}

	// Hold and resume: back where it was.
	if _, err := f.svc.Resume(ctx, f.validator, id, ""); domain.CodeOf(err) != domain.CodeInvalidStatus {
		t.Fatalf("resume when not held: %v", err)
	}
	f.step(id, validation.StatusOnHold)
	r, err := f.svc.Resume(ctx, f.validator, id, "back to work")
	if err != nil || r.Status != validation.StatusInProgress {
		t.Fatalf("resume: %+v %v", r.Status, err)
	}

	// The reviewer sends the work back from REVIEW.
	f.step(id, validation.StatusReview)
	if _, err := f.svc.SendBack(ctx, reviewerActor, reviewer.AssignmentID, ""); domain.CodeOf(err) != domain.CodeInvalidRequest {
		t.Fatalf("send-back without comments: %v", err)
	}
	if _, err := f.svc.SignOff(ctx, reviewerActor, reviewer.AssignmentID, ""); err != nil {
		t.Fatal(err)
	}
	r, err = f.svc.SendBack(ctx, reviewerActor, reviewer.AssignmentID, "Back-testing incomplete.")
	if err != nil || r.Status != validation.StatusInProgress || *r.History[len(r.History)-1].Reason != "Back-testing incomplete." {
		t.Fatalf("send-back: %+v %v", r, err)
	}
	for _, a := range *r.Assignments {
		if a.SignedOffAt != nil {
			t.Fatal("the sign-off survived the send-back")
		}
	}
	if f.auditCount(id, "REVIEW_SIGNED_OFF") != 2 || f.auditCount(id, "REVIEW_SENT_BACK") != 1 {
		t.Fatal("review audit rows missing")
	}
}

// TestResumeReturnsToHeldStatus: a request held in REVISION returns there (the gate that keeps
// REVISION from being set by hand does not apply to a resume).
func TestResumeReturnsToHeldStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	id := f.newRequest(validation.TypeTargeted)
	f.assign(id, true, false)
	f.step(id, validation.StatusInProgress)
	f.outcome(id)
	f.step(id, validation.StatusPendingApproval)
	// REVISION comes from an approver's send-back; raw SQL stands in for it here.
	if _, err := f.db.Pool.Exec(context.Background(), "UPDATE validation_requests SET status = 'REVISION' WHERE request_id = $1", id); err != nil {
		t.Fatal(err)
	}
	f.step(id, validation.StatusOnHold)
	r, err := f.svc.Resume(context.Background(), f.validator, id, "")
	if err != nil || r.Status != validation.StatusRevision {
		t.Fatalf("resume: %v %v", r.Status, err)
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	id := f.newRequest(validation.TypeInterim)
	primary := f.assign(id, true, false)
	primaryActor := domain.Actor{UserID: primary.ValidatorID, Role: domain.RoleValidator}
	rating, summary := validation.RatingPassWithFindings, "Two findings."
	effective, _ := domain.ParseDate("2027-01-01")
	in := validation.OutcomeInput{OverallRating: &rating, ExecutiveSummary: &summary, EffectiveDate: &effective}
	_, err := f.svc.CreateOutcome(ctx, primaryActor, id, in)
	wantRefused(t, err, domain.CodeInvalidRequest) // INTERIM needs expiration_date
	expires, _ := domain.ParseDate("2027-07-01")
	in.ExpirationDate = &expires
	_, err = f.svc.CreateOutcome(ctx, primaryActor, id, in)
	wantRefused(t, err, domain.CodeInvalidStatus) // PLANNING
	f.step(id, validation.StatusInProgress)
	_, err = f.svc.CreateOutcome(ctx, f.validator, id, in)
	wantRefused(t, err, domain.CodeForbidden) // not the primary
	o, err := f.svc.CreateOutcome(ctx, primaryActor, id, in)
	if err != nil || o.OverallRating != rating || o.ExpirationDate == nil || o.CreatedByID != primary.ValidatorID {
		t.Fatalf("create: %+v %v", o, err)
	}
	_, err = f.svc.CreateOutcome(ctx, primaryActor, id, in)
	wantRefused(t, err, domain.CodeConflict)
	fail := validation.RatingFail
	o, err = f.svc.UpdateOutcome(ctx, primaryActor, o.OutcomeID, validation.OutcomeInput{OverallRating: &fail})
	if err != nil || o.OverallRating != fail || o.ExecutiveSummary != summary {
		t.Fatalf("update: %+v %v", o, err)
	}
	before := expires
	_, err = f.svc.UpdateOutcome(ctx, primaryActor, o.OutcomeID, validation.OutcomeInput{ExpirationDate: &effective})
	wantRefused(t, err, domain.CodeInvalidRequest) // not after effective_date
	f.step(id, validation.StatusPendingApproval)
	_, err = f.svc.UpdateOutcome(ctx, primaryActor, o.OutcomeID, validation.OutcomeInput{OverallRating: &rating})
	wantRefused(t, err, domain.CodeInvalidStatus)
	r := f.get(id)
	if r.Outcome == nil || r.Outcome.OverallRating != fail || !r.Outcome.ExpirationDate.Equal(before.Time) {
		t.Fatalf("outcome on the request: %+v", r.Outcome)
	}
	if f.auditCount(id, "OUTCOME_CREATED") != 1 || f.auditCount(id, "OUTCOME_UPDATED") != 1 {
		t.Fatal("outcome audit rows missing")
	}
}

// snapshot is what a refused removal must leave as it was: the request's status, history,
// assignments (ids and roles) and assignment audit rows.
type snapshot struct {
	status                  string
	history                 int
	assignments             string
	deleted, updated, moved int
}

func (f *fixture) snapshot(id int32) snapshot {
	f.t.Helper()
	r := f.get(id)
	var roles []string
	for _, a := range *r.Assignments {
		roles = append(roles, fmt.Sprintf("%d:%t/%t", a.AssignmentID, a.IsPrimary, a.IsReviewer))
	}
	return snapshot{
		status: r.Status, history: len(r.History), assignments: strings.Join(roles, ","),
		deleted: f.auditCount(id, "ASSIGNMENT_DELETED"), updated: f.auditCount(id, "ASSIGNMENT_UPDATED"),
		moved: f.auditCount(id, "VALIDATION_STATUS_CHANGED"),
	}
}

// auditChanges returns the changes of the one audit row of request id with action.
func (f *fixture) auditChanges(id int32, action string) map[string]any {
	f.t.Helper()
	var changes map[string]any
	err := f.db.Pool.QueryRow(context.Background(),
		"SELECT changes FROM audit_logs WHERE entity_type = 'validation_request' AND entity_id = $1 AND action = $2", id, action).Scan(&changes)
	if err != nil {
		f.t.Fatalf("audit %s of request %d: %v", action, id, err)
	}
	return changes
}

// TestDeletePrimaryPromotesTheOnlyOtherValidator: removing the primary validator promotes the one
// remaining assignment that is not the reviewer, in any status that needs a primary, with an
// audit row for the promotion; the reviewer stays the reviewer.
func TestDeletePrimaryPromotesTheOnlyOtherValidator(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	for _, status := range []string{validation.StatusPlanning, validation.StatusInProgress} {
		id := f.newRequest(validation.TypeComprehensive)
		primary := f.assign(id, true, false)
		other := f.assign(id, false, false)
		reviewer := f.assign(id, false, true)
		if status == validation.StatusInProgress {
			f.step(id, status)
		}
		if err := f.svc.DeleteAssignment(ctx, f.validator, primary.AssignmentID); err != nil {
			t.Fatalf("%s: delete the primary: %v", status, err)
		}
		r := f.get(id)
		as := *r.Assignments
		if r.Status != status || len(as) != 2 || as[0].AssignmentID != other.AssignmentID || !as[0].IsPrimary || as[0].IsReviewer ||
			as[1].AssignmentID != reviewer.AssignmentID || as[1].IsPrimary || !as[1].IsReviewer {
			t.Fatalf("%s: after deleting the primary: status %s, assignments %+v", status, r.Status, as)
		}
		deleted := f.auditChanges(id, "ASSIGNMENT_DELETED")
		if deleted["assignment_id"] != float64(primary.AssignmentID) || deleted["promoted_assignment_id"] != float64(other.AssignmentID) {
			t.Errorf("%s: ASSIGNMENT_DELETED changes %v", status, deleted)
		}
		promoted := f.auditChanges(id, "ASSIGNMENT_UPDATED")
		if promoted["assignment_id"] != float64(other.AssignmentID) || promoted["is_primary"] != true ||
			promoted["promoted_after_deleting"] != float64(primary.AssignmentID) {
			t.Errorf("%s: ASSIGNMENT_UPDATED changes %v", status, promoted)
		}
	}
}

// TestDeletePrimaryWithoutOneSuccessorIsRefused: with two other validators that are not the
// reviewer (which one would lead?) or only the reviewer left (never the primary), removing the
// primary of a request past INTAKE is gate_not_met, as before v1.1's amendments, and changes
// nothing.
func TestDeletePrimaryWithoutOneSuccessorIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()

	two := f.newRequest(validation.TypeComprehensive)
	primary := f.assign(two, true, false)
	f.assign(two, false, false)
	f.assign(two, false, false)
	f.step(two, validation.StatusInProgress)
	before := f.snapshot(two)
	wantUnmet(t, f.svc.DeleteAssignment(ctx, f.validator, primary.AssignmentID), validation.GateNoPrimaryValidator)
	if after := f.snapshot(two); after != before {
		t.Fatalf("two successors: a refused delete changed %+v into %+v", before, after)
	}

	alone := f.newRequest(validation.TypeComprehensive)
	primary = f.assign(alone, true, false)
	f.assign(alone, false, true)
	before = f.snapshot(alone) // PLANNING, with the reviewer only left after the delete
	wantUnmet(t, f.svc.DeleteAssignment(ctx, f.validator, primary.AssignmentID), validation.GateNoPrimaryValidator)
	if after := f.snapshot(alone); after != before {
		t.Fatalf("reviewer left: a refused delete changed %+v into %+v", before, after)
	}
}

// TestDeleteLastAssignmentReturnsPlanningToIntake: removing the last assignment of a PLANNING
// request returns it to INTAKE, with a history row and an audit row for the move by the caller;
// the move is the service's alone, never offered or allowed by hand.
func TestDeleteLastAssignmentReturnsPlanningToIntake(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	admin := f.user(domain.RoleAdmin)
	id := f.newRequest(validation.TypeComprehensive)
	primary := f.assign(id, true, false)
	before := f.snapshot(id)
	if before.status != validation.StatusPlanning {
		t.Fatalf("status %s, want PLANNING", before.status)
	}
	if err := f.svc.DeleteAssignment(ctx, admin, primary.AssignmentID); err != nil {
		t.Fatalf("delete the last assignment: %v", err)
	}
	r := f.get(id)
	last := r.History[len(r.History)-1]
	if r.Status != validation.StatusIntake || len(*r.Assignments) != 0 || len(r.History) != before.history+1 ||
		last.FromStatus == nil || *last.FromStatus != validation.StatusPlanning || last.ToStatus != validation.StatusIntake || last.ChangedBy != admin.UserID {
		t.Fatalf("after deleting the last assignment: %+v", r)
	}
	if n := f.count(`SELECT count(*) FROM audit_logs WHERE entity_type = 'validation_request' AND entity_id = $1
		AND action = 'VALIDATION_STATUS_CHANGED' AND user_id = $2 AND changes->>'from_status' = 'PLANNING' AND changes->>'to_status' = 'INTAKE'`,
		id, admin.UserID); n != 1 {
		t.Fatalf("%d audit rows for PLANNING -> INTAKE, want 1", n)
	}
	if c := f.auditChanges(id, "ASSIGNMENT_DELETED"); c["promoted_assignment_id"] != nil {
		t.Errorf("ASSIGNMENT_DELETED changes %v", c)
	}

	// Staffed again, the request is PLANNING; a user cannot send it back to INTAKE by hand.
	f.assign(id, true, false)
	_, err := f.svc.ChangeStatus(ctx, admin, id, validation.StatusIntake, "by hand")
	e := wantCode(t, err, domain.CodeInvalidTransition)
	if allowed := e.Extra["allowed"].([]string); slices.Contains(allowed, validation.StatusIntake) {
		t.Fatalf("invalid_transition offers INTAKE: %v", allowed)
	}
	if s := f.status(id); s != validation.StatusPlanning {
		t.Fatalf("status %s after a refused move by hand", s)
	}
}
