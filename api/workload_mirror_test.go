package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"mrmflow/internal/domain"
)

// TestWorkloadFollowsTheRequestThroughTheService: the workload report and /me/summary read a
// request's status, closed flag and target date from its assignments' copy of them (docs/lists.md,
// "Mirrors of the request on its assignments"). One request is worked through the service —
// assignments created, its target date edited, every status change up to REVIEW, the sign-off, a
// hold and a resume, the primary handed to another validator, the cancellation — and after each
// step the validators' rows and counts are what the request says, and no assignment's or model
// link's copy differs from its request.
func TestWorkloadFollowsTheRequestThroughTheService(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleValidator)
	id := e.vrCreate(owner, vrCreateBody("COMPREHENSIVE", e.vrModel(owner, "PD model"))).RequestID
	vr := fmt.Sprintf("/api/v1/validation-requests/%d", id)
	const asOf = "2027-04-01" // after the request's target date, 2027-03-31

	type counts struct{ primary, reviewer, waiting, overdue, asPrimary, reviewsWaiting string }
	read := func(u fixtureUser) counts {
		t.Helper()
		var c counts
		for _, it := range e.allPages(workloadPath+"?as_of="+asOf, e.admin.Token, 50, nil) {
			if v := it["validator"].(map[string]any); fmt.Sprint(v["user_id"]) == fmt.Sprint(u.ID) {
				c = counts{fmt.Sprint(it["primary_active"]), fmt.Sprint(it["reviewer_active"]),
					fmt.Sprint(it["reviews_waiting"]), fmt.Sprint(it["overdue_primary"]), "", ""}
			}
		}
		var s summaryBody
		e.call(http.MethodGet, "/api/v1/me/summary?as_of="+asOf, u.Token, nil).want(http.StatusOK).decode(&s)
		c.asPrimary, c.reviewsWaiting = fmt.Sprint(s.RequestsAsPrimary), fmt.Sprint(s.ReviewsWaiting)
		return c
	}
	want := func(step string, u fixtureUser, w counts) {
		t.Helper()
		if got := read(u); got != w {
			t.Errorf("%s: user %d's counts %+v, want %+v", step, u.ID, got, w)
		}
		var stale int
		if err := e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM validation_assignments a
			JOIN validation_requests vr ON vr.request_id = a.request_id
			WHERE (a.request_is_closed, a.request_status, a.request_target_date)
			      IS DISTINCT FROM (vr.is_closed, vr.status, vr.target_completion_date)`).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Errorf("%s: %d assignments differ from their request", step, stale)
		}
		if err := e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM validation_request_models l
			JOIN validation_requests vr ON vr.request_id = l.request_id
			WHERE (l.request_is_closed, l.request_status, l.request_target_date)
			      IS DISTINCT FROM (vr.is_closed, vr.status, vr.target_completion_date)`).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Errorf("%s: %d model links differ from their request", step, stale)
		}
	}

	primary := e.vrPrimary(id) // INTAKE -> PLANNING
	want("primary assigned", primary, counts{"1", "0", "0", "1", "1", "0"})
	reviewer := e.user(domain.RoleValidator)
	var ra struct {
		AssignmentID int32 `json:"assignment_id"`
	}
	e.vrAssign(e.admin, id, reviewer, false, true).want(http.StatusCreated).decode(&ra)
	want("reviewer assigned", reviewer, counts{"0", "1", "0", "0", "0", "0"})

	e.call(http.MethodPatch, vr, e.admin.Token, map[string]any{"target_completion_date": "2027-05-31"}).want(http.StatusOK)
	want("target moved past as_of", primary, counts{"1", "0", "0", "0", "1", "0"})

	e.vrSetStatus(owner, id, "IN_PROGRESS").want(http.StatusOK)
	e.vrOutcome(id).want(http.StatusCreated)
	e.vrSetStatus(owner, id, "REVIEW").want(http.StatusOK)
	want("REVIEW", reviewer, counts{"0", "1", "1", "0", "0", "1"})
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/assignments/%d/sign-off", ra.AssignmentID), reviewer.Token,
		map[string]any{"comments": "Agreed."}).want(http.StatusOK)
	want("signed off", reviewer, counts{"0", "1", "0", "0", "0", "0"})

	e.vrSetStatus(owner, id, "ON_HOLD").want(http.StatusOK)
	want("ON_HOLD", primary, counts{"1", "0", "0", "0", "1", "0"})
	e.call(http.MethodPost, vr+"/resume", owner.Token, map[string]any{"reason": "data arrived"}).want(http.StatusOK)
	want("resumed", reviewer, counts{"0", "1", "0", "0", "0", "0"})

	// The primary handed on: a new primary demotes the old one.
	next := e.user(domain.RoleValidator)
	e.vrAssign(e.admin, id, next, true, false).want(http.StatusCreated)
	want("new primary", next, counts{"1", "0", "0", "0", "1", "0"})
	want("old primary", primary, counts{"0", "0", "0", "0", "0", "0"})

	e.vrSetStatus(owner, id, "CANCELLED").want(http.StatusOK)
	want("cancelled", next, counts{"0", "0", "0", "0", "0", "0"})
	want("cancelled", reviewer, counts{"0", "0", "0", "0", "0", "0"})
}
