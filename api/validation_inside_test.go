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
		{http.MethodPost, vr + "/models", map[string]any{"add": []int32{999999}}, 404, ""},
		{http.MethodPost, vr + "/status", map[string]any{"status": "ON_HOLD", "reason": "brb"}, 400, "reason"},
		{http.MethodPost, vr + "/status", map[string]any{"status": "CANCELLED"}, 400, "reason"},
		{http.MethodPost, vr + "/resume", map[string]any{"reason": 5}, 400, "reason"},
	}
	before := e.insideState(id)
	for _, c := range cases {
		res := e.call(c.method, c.path, e.admin.Token, c.body)
		code := "invalid_request"
		if c.status == http.StatusNotFound {
			code = "not_found"
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
