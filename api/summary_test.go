package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"mrmflow/internal/domain"
)

type summaryBody struct {
	ApprovalsToDecide  int64 `json:"approvals_to_decide"`
	TasksOverdue       int64 `json:"tasks_overdue"`
	TasksDueThisWeek   int64 `json:"tasks_due_this_week"`
	ReadyToDeploy      int64 `json:"ready_to_deploy"`
	RequestsAsPrimary  int64 `json:"requests_as_primary"`
	ReviewsWaiting     int64 `json:"reviews_waiting"`
	UnassignedRequests int64 `json:"unassigned_requests"`
	OverdueRequests    int64 `json:"overdue_requests"`
}

// TestMySummary: GET /me/summary counts, for a validator, a global approver, a regional
// approver, an owner and an ADMIN, on one seeded scenario; as_of moves a task from "this week"
// to "overdue" and a request past its target; a count a role cannot have is 0.
func TestMySummary(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, other := e.user(domain.RoleUser), e.user(domain.RoleUser)
	val, val2 := e.user(domain.RoleValidator), e.user(domain.RoleValidator)
	glob := e.user(domain.RoleGlobalApprover)
	rA := e.region(true).RegionID
	m1 := e.model(owner, rA).ModelID
	m2 := e.model(other, rA).ModelID
	var reg fixtureUser
	{
		reg = e.user(domain.RoleRegionalApprover)
		e.exec(`INSERT INTO user_regions (user_id, region_id) VALUES ($1, $2)`, reg.ID, rA)
	}

	request := func(status, target string, models ...int32) int32 {
		id := e.id(`INSERT INTO validation_requests (requestor_id, validation_type, is_targeted, priority, status, is_closed, target_completion_date)
			VALUES ($1, 'TARGETED', true, 'MEDIUM', $2, false, $3::date) RETURNING request_id`, e.admin.ID, status, target)
		for _, m := range models {
			e.exec(`INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, false)`, id, m)
		}
		return id
	}
	assign := func(req int32, v fixtureUser, primary, reviewer bool) {
		e.exec(`INSERT INTO validation_assignments (request_id, validator_id, is_primary, is_reviewer, assigned_by) VALUES ($1, $2, $3, $4, $5)`,
			req, v.ID, primary, reviewer, e.admin.ID)
	}
	// ra: IN_PROGRESS, val primary, target the 15th (overdue on the 20th), of owner's model.
	ra := request("IN_PROGRESS", "2026-01-15", m1)
	assign(ra, val, true, false)
	// rb: REVIEW, val2 primary, val reviewer not signed off, target in March.
	rb := request("REVIEW", "2026-03-01", m2)
	assign(rb, val2, true, false)
	assign(rb, val, false, true)
	// rc: INTAKE, no primary, target the 1st: unassigned and overdue; other's model.
	request("INTAKE", "2026-01-01", m2)
	// rd: PENDING_APPROVAL with val2 primary: a GLOBAL and a REGIONAL approval pending; rd covers
	// the owner's model, so the owner is involved; target on the 20th itself (not overdue then).
	rd := request("PENDING_APPROVAL", "2026-01-20", m1)
	assign(rd, val2, true, false)
	e.exec(`INSERT INTO validation_approvals (request_id, region_id, approval_type) VALUES ($1, NULL, 'GLOBAL'), ($1, $2, 'REGIONAL')`, rd, rA)
	// A DEPLOYMENT approval of the closed request re (APPROVED), pending: decidable by rA's approver.
	re := request("APPROVED", "2026-01-02", m2)
	e.exec(`UPDATE validation_requests SET is_closed = true WHERE request_id = $1`, re)
	e.exec(`INSERT INTO validation_approvals (request_id, region_id, approval_type) VALUES ($1, $2, 'DEPLOYMENT')`, re, rA)
	// Ready to deploy for the owner: an approved GLOBAL version of m1 (one region).
	v, _ := e.readyVersion(m1, "GLOBAL", "APPROVED", "2026-01-10 00:00:00+00")
	// The owner's open task, planned the 22nd; a confirmed one and another owner's do not count.
	ownersTask := e.task(v, m1, rA, owner.ID, "PENDING", "2026-01-22")
	v2, _ := e.readyVersion(m2, "GLOBAL", "APPROVED", "2026-01-10 00:00:00+00")
	e.task(v2, m2, rA, other.ID, "PENDING", "2026-01-01")

	get := func(u fixtureUser, asOf string) summaryBody {
		t.Helper()
		var s summaryBody
		e.call(http.MethodGet, "/api/v1/me/summary?as_of="+asOf, u.Token, nil).want(http.StatusOK).decode(&s)
		return s
	}
	for _, c := range []struct {
		name string
		u    fixtureUser
		asOf string
		want summaryBody
	}{
		// Primary of ra; reviewer of rb; unassigned rc (and the approved request re is closed);
		// overdue: ra (assigned to val), not rc (not assigned).
		{"validator", val, "2026-01-20", summaryBody{RequestsAsPrimary: 1, ReviewsWaiting: 1, UnassignedRequests: 1, OverdueRequests: 1}},
		{"validator2", val2, "2026-01-21", summaryBody{RequestsAsPrimary: 2, UnassignedRequests: 1, OverdueRequests: 1}},
		{"global approver", glob, "2026-01-20", summaryBody{ApprovalsToDecide: 1}},
		{"regional approver", reg, "2026-01-20", summaryBody{ApprovalsToDecide: 2}},
		// The owner: task due the 22nd is this week on the 20th (and on the 15th, 7 days before),
		// overdue on the 23rd; ra is overdue on the 20th; rd (target the 20th) from the 21st.
		{"owner on the 20th", owner, "2026-01-20", summaryBody{TasksDueThisWeek: 1, ReadyToDeploy: 1, OverdueRequests: 1}},
		{"owner on the 15th", owner, "2026-01-15", summaryBody{TasksDueThisWeek: 1, ReadyToDeploy: 1}},
		{"owner on the 14th", owner, "2026-01-14", summaryBody{ReadyToDeploy: 1}},
		{"owner on the 22nd", owner, "2026-01-22", summaryBody{TasksDueThisWeek: 1, ReadyToDeploy: 1, OverdueRequests: 2}},
		{"owner on the 23rd", owner, "2026-01-23", summaryBody{TasksOverdue: 1, ReadyToDeploy: 1, OverdueRequests: 2}},
		// ADMIN: every pending approval it is not involved in (it requested them all: none),
		// every unassigned and overdue active request.
		{"admin", e.admin, "2026-01-20", summaryBody{UnassignedRequests: 1, OverdueRequests: 2}},
		{"admin on the 21st", e.admin, "2026-01-21", summaryBody{UnassignedRequests: 1, OverdueRequests: 3}},
	} {
		if got := get(c.u, c.asOf); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	// ADMIN decides what it is not involved in: a request someone else asked for.
	e.exec(`UPDATE validation_requests SET requestor_id = $1 WHERE request_id IN ($2, $3)`, val2.ID, rd, re)
	if got := get(e.admin, "2026-01-20"); got.ApprovalsToDecide != 3 {
		t.Errorf("admin approvals %+v, want 3", got)
	}
	if got := get(owner, "2026-01-20"); got.ApprovalsToDecide != 0 {
		t.Errorf("a USER decides nothing: %+v", got)
	}
	// Confirmed through the service, the owner's task deploys the version in its one region: no
	// ready row is left, and the count kept per model (model_ready_counts) says so at once.
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/deployment-tasks/%d/confirm", ownersTask), owner.Token,
		map[string]any{"actual_production_date": "2026-01-21"}).want(http.StatusOK)
	if got := get(owner, "2026-01-20"); got.ReadyToDeploy != 0 || got.TasksDueThisWeek != 0 {
		t.Errorf("after the confirmation: %+v, want no ready row and no open task", got)
	}
	wantField(t, e.call(http.MethodGet, "/api/v1/me/summary?as_of=tomorrow", owner.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), "as_of")
	wantField(t, e.call(http.MethodGet, "/api/v1/me/summary?limit=1", owner.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), "limit")
}
