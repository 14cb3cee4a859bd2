package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"mrmflow/internal/domain"
)

// insideState is what a refused call must leave alone: the rows of the tables the inside of a
// validation writes and the request's own fields.
func (e *testEnv) insideState(id int32) string {
	e.t.Helper()
	var s string
	err := e.db.Pool.QueryRow(context.Background(), `
		SELECT format('%s/%s/%s/%s | a=%s o=%s h=%s m=%s r=%s audit=%s',
			vr.status, vr.priority, vr.target_completion_date, vr.trigger_reason,
			(SELECT count(*) FROM validation_assignments), (SELECT count(*) FROM validation_outcomes),
			(SELECT count(*) FROM validation_status_history), (SELECT count(*) FROM validation_request_models),
			(SELECT count(*) FROM validation_request_regions), (SELECT count(*) FROM audit_logs))
		FROM validation_requests vr WHERE vr.request_id = $1`, id).Scan(&s)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// TestInsideValidationRefusesBadInput sends bad input to every endpoint of the inside of a
// validation: each answer is a 4xx problem naming the field, and nothing changes.
func TestInsideValidationRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m := e.vrModel(v, "PD model")
	id := e.vrCreate(v, vrCreateBody("INTERIM", m)).RequestID
	primary := e.vrPrimary(id)
	e.vrSetStatus(v, id, "IN_PROGRESS").want(http.StatusOK)
	var a struct {
		AssignmentID int32 `json:"assignment_id"`
	}
	e.vrAssign(e.admin, id, e.user(domain.RoleValidator), false, true).want(http.StatusCreated).decode(&a)
	var o struct {
		OutcomeID int32 `json:"outcome_id"`
	}
	e.vrOutcome(id).want(http.StatusCreated).decode(&o)

	vr := fmt.Sprintf("/api/v1/validation-requests/%d", id)
	asg := fmt.Sprintf("/api/v1/assignments/%d", a.AssignmentID)
	cases := []struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		{http.MethodPost, vr + "/assignments", map[string]any{"validator_id": primary.ID}, 400, "independence_attestation"},
		{http.MethodPost, vr + "/assignments", map[string]any{"validator_id": primary.ID, "independence_attestation": false}, 400, "independence_attestation"},
		{http.MethodPost, vr + "/assignments", map[string]any{"validator_id": 0, "independence_attestation": true}, 400, "validator_id"},
		{http.MethodPost, vr + "/assignments", map[string]any{"validator_id": e.user(domain.RoleUser).ID, "independence_attestation": true}, 400, "validator_id"},
		{http.MethodPost, vr + "/assignments", map[string]any{"validator_id": primary.ID, "independence_attestation": true, "estimated_hours": -1}, 400, "estimated_hours"},
		{http.MethodPost, vr + "/assignments", map[string]any{"validator_id": primary.ID, "independence_attestation": true, "role": "x"}, 400, "role"},
		{http.MethodPost, vr + "/assignments", map[string]any{"validator_id": primary.ID, "independence_attestation": true, "is_primary": true, "is_reviewer": true}, 400, "is_reviewer"},
		{http.MethodPatch, asg, map[string]any{"actual_hours": 100001}, 400, "actual_hours"},
		{http.MethodPatch, asg, map[string]any{"is_primary": "yes"}, 400, "is_primary"},
		{http.MethodPost, asg + "/send-back", map[string]any{}, 400, "comments"},
		{http.MethodPost, vr + "/outcome", map[string]any{"overall_rating": "GOOD", "executive_summary": "x", "effective_date": "2027-01-01", "expiration_date": "2028-01-01"}, 400, "overall_rating"},
		{http.MethodPatch, fmt.Sprintf("/api/v1/outcomes/%d", o.OutcomeID), map[string]any{"effective_date": "2027-02-30"}, 400, "effective_date"},
		{http.MethodPatch, fmt.Sprintf("/api/v1/outcomes/%d", o.OutcomeID), map[string]any{"expiration_date": "2026-01-01"}, 400, "expiration_date"},
		{http.MethodPatch, vr, map[string]any{"priority": "SOON"}, 400, "priority"},
		{http.MethodPatch, vr, map[string]any{"region_ids": []int{1, 1}}, 400, "region_ids[1]"},
		{http.MethodPatch, vr, map[string]any{"trigger_reason": "x\x00"}, 400, "trigger_reason"},
		{http.MethodPost, vr + "/models", map[string]any{}, 400, "add"},
		{http.MethodPost, vr + "/models", map[string]any{"remove": []int32{m}}, 400, "remove"},
		{http.MethodPost, vr + "/models", map[string]any{"add": []int32{m}}, 400, "add[0]"},
		// The request is IN_PROGRESS: its models no longer change, whatever the model (a missing
		// model is 404 in INTAKE and PLANNING: TestChangeModels in internal/validation).
		{http.MethodPost, vr + "/models", map[string]any{"add": []int32{999999}}, 409, ""},
		{http.MethodPost, vr + "/status", map[string]any{"status": "ON_HOLD", "reason": "brb"}, 400, "reason"},
		{http.MethodPost, vr + "/status", map[string]any{"status": "CANCELLED"}, 400, "reason"},
		{http.MethodPost, vr + "/resume", map[string]any{"reason": 5}, 400, "reason"},
	}
	before := e.insideState(id)
	for _, c := range cases {
		res := e.call(c.method, c.path, e.admin.Token, c.body)
		code := "invalid_request"
		switch c.status {
		case http.StatusNotFound:
			code = "not_found"
		case http.StatusConflict:
			code = "invalid_status"
		}
		p := res.wantProblem(c.status, code)
		if c.field != "" {
			wantField(t, p, c.field)
		}
	}
	if after := e.insideState(id); after != before {
		t.Fatalf("refused calls changed the state:\n%s\n%s", before, after)
	}
	// A USER who neither owns nor delegates for the model does not see the request, nor list it.
	stranger := e.user(domain.RoleUser)
	e.call(http.MethodGet, vr, stranger.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	var page struct {
		Items []vrAnswer `json:"items"`
	}
	e.call(http.MethodGet, "/api/v1/validation-requests", stranger.Token, nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 0 {
		t.Fatalf("a stranger lists %d requests", len(page.Items))
	}
}

// TestInsideValidationConflicts checks the 409 answers of the inside of a validation through
// HTTP (and so against the OpenAPI document): not_independent, conflict, validation_conflict from
// a model change, invalid_status, and a walk through review, sign-off and resume.
func TestInsideValidationConflicts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m1, m2 := e.vrModel(v, "PD model"), e.vrModel(v, "LGD model")
	id := e.vrCreate(v, vrCreateBody("COMPREHENSIVE", m1)).RequestID
	blocker := e.vrCreate(v, vrCreateBody("COMPREHENSIVE", m2)).RequestID
	vr := fmt.Sprintf("/api/v1/validation-requests/%d", id)

	// The models' owner is not independent (they requested the request too, which alone would not
	// refuse them).
	e.vrAssign(e.admin, id, v, true, false).wantProblem(http.StatusConflict, "not_independent")
	primary := e.vrPrimary(id)
	e.vrAssign(e.admin, id, primary, false, false).wantProblem(http.StatusConflict, "conflict")
	res := e.call(http.MethodPost, vr+"/models", e.admin.Token, map[string]any{"add": []int32{m2}})
	res.wantProblem(http.StatusConflict, "validation_conflict")
	var body struct {
		Conflicts []struct {
			ModelID        int32 `json:"model_id"`
			ActiveRequests []struct {
				RequestID int32 `json:"request_id"`
			} `json:"active_requests"`
		} `json:"conflicts"`
	}
	res.decode(&body)
	if len(body.Conflicts) != 1 || body.Conflicts[0].ModelID != m2 || body.Conflicts[0].ActiveRequests[0].RequestID != blocker {
		t.Fatalf("conflicts %s", res.Body)
	}

	// With a reviewer: REVIEW, sign-off by the reviewer alone, PENDING_APPROVAL, hold and resume.
	reviewer := e.user(domain.RoleValidator)
	var a struct {
		AssignmentID int32   `json:"assignment_id"`
		SignedOffAt  *string `json:"signed_off_at"`
	}
	e.vrAssign(e.admin, id, reviewer, false, true).want(http.StatusCreated).decode(&a)
	signOff := fmt.Sprintf("/api/v1/assignments/%d/sign-off", a.AssignmentID)
	e.call(http.MethodPost, signOff, reviewer.Token, map[string]any{}).wantProblem(http.StatusConflict, "invalid_status")
	e.vrSetStatus(v, id, "IN_PROGRESS").want(http.StatusOK)
	e.call(http.MethodPost, vr+"/outcome", primary.Token, map[string]any{
		"overall_rating": "PASS", "executive_summary": "Fine.", "effective_date": "2027-01-01",
	}).want(http.StatusCreated)
	if p := e.vrSetStatus(v, id, "PENDING_APPROVAL").wantProblem(http.StatusConflict, "gate_not_met"); len(p.Unmet) != 2 ||
		p.Unmet[0] != "review_required" || p.Unmet[1] != "no_reviewer_sign_off" {
		t.Fatalf("unmet %v", p.Unmet)
	}
	e.vrSetStatus(v, id, "REVIEW").want(http.StatusOK)
	e.call(http.MethodPost, signOff, e.admin.Token, map[string]any{}).wantProblem(http.StatusForbidden, "forbidden")
	e.call(http.MethodPost, signOff, reviewer.Token, map[string]any{"comments": "Agreed."}).want(http.StatusOK).decode(&a)
	if a.SignedOffAt == nil {
		t.Fatal("no signed_off_at")
	}
	e.vrSetStatus(v, id, "PENDING_APPROVAL").want(http.StatusOK)
	e.vrSetStatus(v, id, "ON_HOLD").want(http.StatusOK)
	var r vrAnswer
	e.call(http.MethodPost, vr+"/resume", v.Token, map[string]any{"reason": "data arrived"}).want(http.StatusOK).decode(&r)
	if r.Status != "PENDING_APPROVAL" {
		t.Fatalf("resumed to %s", r.Status)
	}
	e.call(http.MethodPost, vr+"/resume", v.Token, map[string]any{}).wantProblem(http.StatusConflict, "invalid_status")
	e.wantAudit("REVIEW_SIGNED_OFF", "validation_request", id, reviewer.ID)
}

// TestDeleteAssignmentOverHTTP: DELETE /assignments/{id} promotes the only other validator who is
// not the reviewer, refuses (409 gate_not_met, nothing changed) when two could lead, and returns a
// PLANNING request to INTAKE when its last validator goes.
func TestDeleteAssignmentOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	id := e.vrCreate(v, vrCreateBody("COMPREHENSIVE", e.vrModel(v, "PD model"))).RequestID
	type assignment struct {
		AssignmentID int32 `json:"assignment_id"`
		ValidatorID  int32 `json:"validator_id"`
		IsPrimary    bool  `json:"is_primary"`
	}
	assign := func(primary bool) assignment {
		var a assignment
		e.vrAssign(e.admin, id, e.user(domain.RoleValidator), primary, false).want(http.StatusCreated).decode(&a)
		return a
	}
	del := func(a assignment) *result {
		return e.call(http.MethodDelete, fmt.Sprintf("/api/v1/assignments/%d", a.AssignmentID), e.admin.Token, nil)
	}
	read := func() (r struct {
		Status      string       `json:"status"`
		Assignments []assignment `json:"assignments"`
	}) {
		e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", id), e.admin.Token, nil).want(http.StatusOK).decode(&r)
		return r
	}

	first, second, third := assign(true), assign(false), assign(false)
	before := e.insideState(id)
	if p := del(first).wantProblem(http.StatusConflict, "gate_not_met"); len(p.Unmet) != 1 || p.Unmet[0] != "no_primary_validator" {
		t.Fatalf("unmet %v", p.Unmet)
	}
	if after := e.insideState(id); after != before {
		t.Fatalf("a refused delete changed the state:\n%s\n%s", before, after)
	}

	del(third).want(http.StatusNoContent)
	del(first).want(http.StatusNoContent)
	if r := read(); r.Status != "PLANNING" || len(r.Assignments) != 1 || r.Assignments[0].AssignmentID != second.AssignmentID || !r.Assignments[0].IsPrimary {
		t.Fatalf("after deleting the primary: %+v", r)
	}
	e.wantAudit("ASSIGNMENT_UPDATED", "validation_request", id, e.admin.ID)

	del(second).want(http.StatusNoContent)
	if r := read(); r.Status != "INTAKE" || len(r.Assignments) != 0 {
		t.Fatalf("after deleting the last assignment: %+v", r)
	}
	e.vrPrimary(id)
	e.vrSetStatus(e.admin, id, "INTAKE").wantProblem(http.StatusConflict, "invalid_transition")
}
