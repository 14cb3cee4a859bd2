package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"mrmflow/internal/domain"
)

// strictList is one GET list endpoint and a query string using every parameter it takes.
type strictList struct {
	path  string
	valid string // every parameter the list takes, with values it accepts
	once  string // a parameter it takes once (not a list), to be sent twice
}

// TestListsRefuseUnknownAndRepeatedParameters sends every GET list endpoint its full set of
// parameters (200, and the document accepts the request), the same plus a parameter it does not
// take (400 naming only that parameter), and a parameter twice that is not a list (400 naming it).
func TestListsRefuseUnknownAndRepeatedParameters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	modelID := e.vrModel(owner, "Strict")
	req := e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", modelID))
	c := cursorFor(1)

	lists := []strictList{
		{"/api/v1/regions", "limit=5&cursor=" + c, "limit"},
		{"/api/v1/models", "limit=5&cursor=" + c, "cursor"},
		{fmt.Sprintf("/api/v1/models/%d/versions", modelID), "limit=5&cursor=" + c, "limit"},
		{"/api/v1/audit-logs", "limit=5&cursor=" + c + "&entity_type=model&entity_id=1&action=MODEL_CREATED&user_id=1", "action"},
		{"/api/v1/validation-requests", fmt.Sprintf("limit=5&cursor=%s&model_id=%d&status=INTAKE&validation_type=COMPREHENSIVE&active=true", c, modelID), "active"},
		{fmt.Sprintf("/api/v1/validation-requests/%d/approvals", req.RequestID), "", ""},
		{"/api/v1/approvals", fmt.Sprintf("limit=5&cursor=%s&status=PENDING&approval_type=GLOBAL&request_id=%d&mine=true", c, req.RequestID), "mine"},
		// The task list pages by a composite (sort key, task id) cursor: "0.1" is after task 1 by task id.
		{"/api/v1/deployment-tasks", fmt.Sprintf("limit=5&cursor=c1.MC4x&status=PENDING&model_id=%d&assigned_to=me&mine=true&due=week&as_of=2027-01-10&sort=task_id&format=json", modelID), "assigned_to"},
		{"/api/v1/users", "limit=5&cursor=" + c + "&role=USER&region_id=1&q=bank&disabled=false", "role"},
	}
	for _, l := range lists {
		t.Run(l.path, func(t *testing.T) {
			e := e.as(t)
			with := func(extra string) string {
				switch {
				case l.valid == "":
					return l.path + "?" + extra
				case extra == "":
					return l.path + "?" + l.valid
				}
				return l.path + "?" + l.valid + "&" + extra
			}
			e.call(http.MethodGet, with(""), e.admin.Token, nil).want(http.StatusOK)

			p := e.call(http.MethodGet, with("colour=red"), e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
			if len(p.Errors) != 1 || p.Errors[0].Field != "colour" {
				t.Errorf("unknown parameter: errors %+v, want only colour", p.Errors)
			}
			// A parameter of another list is unknown here too.
			p = e.call(http.MethodGet, with("limit=5&limit=5&page=2"), e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
			wantField(t, p, "page")

			if l.once == "" {
				// A list that takes no parameter at all: paging it is unknown too.
				p := e.call(http.MethodGet, l.path+"?limit=5", e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
				wantField(t, p, "limit")
				return
			}
			var twice string
			for _, kv := range splitQuery(l.valid) {
				if kv[0] == l.once {
					twice = kv[0] + "=" + kv[1]
				}
			}
			p = e.call(http.MethodGet, l.path+"?"+twice+"&"+twice, e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
			if len(p.Errors) != 1 || p.Errors[0].Field != l.once {
				t.Errorf("repeated %s: errors %+v, want only %s", l.once, p.Errors, l.once)
			}
		})
	}
}

// TestListFiltersStillFilter: the strict reader hands every filter on as before.
func TestListFiltersStillFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	m1, m2 := e.vrModel(owner, "One"), e.vrModel(owner, "Two")
	r1 := e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", m1))
	e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", m2))
	var got page[vrAnswer]
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests?model_id=%d&active=true&status=INTAKE&limit=10", m1), e.admin.Token, nil).
		want(http.StatusOK).decode(&got)
	if len(got.Items) != 1 || got.Items[0].RequestID != r1.RequestID {
		t.Fatalf("requests of model %d: %+v, want only %d", m1, got.Items, r1.RequestID)
	}
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests?model_id=%d&active=false", m1), e.admin.Token, nil).
		want(http.StatusOK).decode(&got)
	if len(got.Items) != 0 {
		t.Fatalf("closed requests of model %d: %+v, want none", m1, got.Items)
	}
	var rows page[auditBody]
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/audit-logs?entity_type=model&entity_id=%d", m2), e.admin.Token, nil).
		want(http.StatusOK).decode(&rows)
	if len(rows.Items) == 0 || slices.ContainsFunc(rows.Items, func(a auditBody) bool { return a.EntityID != m2 }) {
		t.Fatalf("audit rows of model %d: %+v", m2, rows.Items)
	}
}

// splitQuery splits a query string built by these tests (no escapes) into name, value pairs.
func splitQuery(s string) [][2]string {
	var out [][2]string
	for len(s) > 0 {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		name, value, _ := strings.Cut(pair, "=")
		out = append(out, [2]string{name, value})
	}
	return out
}
