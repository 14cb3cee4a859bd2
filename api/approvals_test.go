package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"mrmflow/internal/domain"
)

// approvalAnswer is the answer shape of an approval.
type approvalAnswer struct {
	ApprovalID   int32   `json:"approval_id"`
	RequestID    int32   `json:"request_id"`
	ApprovalType string  `json:"approval_type"`
	RegionID     *int32  `json:"region_id"`
	Status       string  `json:"status"`
	DecidedByID  *int32  `json:"decided_by_id"`
	Comments     *string `json:"comments"`
}

// approverUser creates a user through POST /users as ADMIN (with regions for a
// REGIONAL_APPROVER) and gives it a token.
func (e *testEnv) approverUser(role domain.Role, regions ...int32) fixtureUser {
	e.t.Helper()
	n := userSeq.Add(1)
	body := map[string]any{"email": fmt.Sprintf("approver%d@bank.test", n), "full_name": "Approver", "role": role}
	if len(regions) > 0 {
		body["region_ids"] = regions
	}
	var u struct {
		UserID    int32   `json:"user_id"`
		RegionIDs []int32 `json:"region_ids"`
	}
	e.call(http.MethodPost, "/api/v1/users", e.admin.Token, body).want(http.StatusCreated).decode(&u)
	if len(u.RegionIDs) != len(regions) {
		e.t.Fatalf("created with regions %v, want %v", u.RegionIDs, regions)
	}
	var tok struct {
		Token string `json:"token"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", u.UserID), e.admin.Token, map[string]any{"name": "t"}).want(http.StatusCreated).decode(&tok)
	return fixtureUser{ID: u.UserID, Role: role, Token: tok.Token}
}

// pendingApprovalRequest creates a TARGETED request (which overlaps anything) on model in region as
// validator and works it to PENDING_APPROVAL; it returns the request id and its approvals.
func (e *testEnv) pendingApprovalRequest(validator fixtureUser, model, region int32) (int32, []approvalAnswer) {
	e.t.Helper()
	body := vrCreateBody("TARGETED", model)
	body["region_ids"] = []int32{region}
	e.runsIn(model, region) // a request's regions are regions its models run in
	r := e.vrCreate(validator, body)
	e.vrPrimary(r.RequestID)
	e.vrSetStatus(validator, r.RequestID, "IN_PROGRESS").want(http.StatusOK)
	e.vrOutcome(r.RequestID).want(http.StatusCreated)
	e.vrSetStatus(validator, r.RequestID, "PENDING_APPROVAL").want(http.StatusOK)
	return r.RequestID, e.requestApprovals(validator, r.RequestID)
}

func (e *testEnv) requestApprovals(u fixtureUser, request int32) []approvalAnswer {
	e.t.Helper()
	var list struct {
		Items []approvalAnswer `json:"items"`
	}
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d/approvals", request), u.Token, nil).want(http.StatusOK).decode(&list)
	return list.Items
}

func (e *testEnv) decide(u fixtureUser, approval int32, decision, comments string) *result {
	e.t.Helper()
	body := map[string]any{"decision": decision}
	if comments != "" {
		body["comments"] = comments
	}
	return e.call(http.MethodPost, fmt.Sprintf("/api/v1/approvals/%d/decision", approval), u.Token, body)
}

// TestApprovalWorkflowOverHTTP: a request reaches PENDING_APPROVAL with a GLOBAL and a REGIONAL
// approval; the approvers find them in their queues and approve; the request is APPROVED.
func TestApprovalWorkflowOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu := e.region(true).RegionID
	owner, validator := e.user(domain.RoleUser), e.user(domain.RoleValidator)
	model := e.vrModel(owner, "Retail PD")
	global, regional := e.approverUser(domain.RoleGlobalApprover), e.approverUser(domain.RoleRegionalApprover, eu)
	req, list := e.pendingApprovalRequest(validator, model, eu)
	if len(list) != 2 || list[0].ApprovalType != "GLOBAL" || list[1].ApprovalType != "REGIONAL" || *list[1].RegionID != eu {
		t.Fatalf("approvals %+v", list)
	}
	// A regional approver reads their own regions back.
	var me struct {
		RegionIDs []int32 `json:"region_ids"`
	}
	e.call(http.MethodGet, "/api/v1/users/me", regional.Token, nil).want(http.StatusOK).decode(&me)
	if len(me.RegionIDs) != 1 || me.RegionIDs[0] != eu {
		t.Fatalf("regional approver's region_ids = %v, want [%d]", me.RegionIDs, eu)
	}
	var queue struct {
		Items      []approvalAnswer `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	e.call(http.MethodGet, "/api/v1/approvals?mine=true&status=PENDING", regional.Token, nil).want(http.StatusOK).decode(&queue)
	if len(queue.Items) != 1 || queue.Items[0].ApprovalID != list[1].ApprovalID {
		t.Fatalf("regional queue %+v", queue.Items)
	}
	var a approvalAnswer
	e.decide(global, list[0].ApprovalID, "APPROVED", "").want(http.StatusOK).decode(&a)
	if a.Status != "APPROVED" || a.DecidedByID == nil || *a.DecidedByID != global.ID {
		t.Fatalf("decided %+v", a)
	}
	e.decide(global, list[0].ApprovalID, "APPROVED", "").wantProblem(http.StatusConflict, "invalid_status")
	e.decide(regional, list[1].ApprovalID, "APPROVED", "EU fine").want(http.StatusOK)
	var got vrAnswer
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", req), owner.Token, nil).want(http.StatusOK).decode(&got)
	if got.Status != "APPROVED" {
		t.Fatalf("request %s after the last approval", got.Status)
	}
}

// TestApprovalInputIsChecked: bad input is 400 naming the field and changes nothing.
func TestApprovalInputIsChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu := e.region(true).RegionID
	validator := e.user(domain.RoleValidator)
	_, list := e.pendingApprovalRequest(validator, e.vrModel(validator, "M"), eu)
	admin := e.approverUser(domain.RoleAdmin)
	path := fmt.Sprintf("/api/v1/approvals/%d/decision", list[0].ApprovalID)
	cases := map[string]struct {
		body  any
		field string
	}{
		"missing decision":         {map[string]any{}, "decision"},
		"unknown decision":         {map[string]any{"decision": "MAYBE"}, "decision"},
		"send back without reason": {map[string]any{"decision": "SENT_BACK"}, "comments"},
		"comments not a string":    {map[string]any{"decision": "APPROVED", "comments": 5}, "comments"},
	}
	for name, c := range cases {
		p := e.call(http.MethodPost, path, admin.Token, c.body).wantProblem(http.StatusBadRequest, "invalid_request")
		if len(p.Errors) == 0 || p.Errors[0].Field != c.field {
			t.Errorf("%s: errors %+v, want field %s", name, p.Errors, c.field)
		}
	}
	e.call(http.MethodPost, path, admin.Token, `{"decision":"APPROVED","extra":1}`).wantProblem(http.StatusBadRequest, "invalid_request")
	e.call(http.MethodPost, "/api/v1/approvals/0/decision", admin.Token, map[string]any{"decision": "APPROVED"}).wantProblem(http.StatusBadRequest, "invalid_request")
	e.call(http.MethodGet, "/api/v1/approvals?mine=maybe", admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
	e.call(http.MethodGet, "/api/v1/approvals?approval_type=LOCAL", admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
	for _, a := range e.requestApprovals(admin, list[0].RequestID) {
		if a.Status != "PENDING" {
			t.Errorf("a refused decision changed approval %d to %s", a.ApprovalID, a.Status)
		}
	}
	// Regions belong to regional approvers, and to them only.
	for name, body := range map[string]map[string]any{
		"regional approver without regions": {"email": "r1@bank.test", "full_name": "R", "role": "REGIONAL_APPROVER"},
		"validator with regions":            {"email": "r2@bank.test", "full_name": "R", "role": "VALIDATOR", "region_ids": []int32{eu}},
	} {
		p := e.call(http.MethodPost, "/api/v1/users", e.admin.Token, body).wantProblem(http.StatusBadRequest, "invalid_request")
		if len(p.Errors) != 1 || p.Errors[0].Field != "region_ids" {
			t.Errorf("%s: %+v", name, p.Errors)
		}
	}
	e.call(http.MethodPost, "/api/v1/users", e.admin.Token, map[string]any{"email": "r3@bank.test", "full_name": "R", "role": "REGIONAL_APPROVER", "region_ids": []int32{999}}).
		wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodGet, "/api/v1/users/me", admin.Token, nil).want(http.StatusOK)
}

// TestApprovalAuthorizationMatrix: each role (and owner, delegate, requestor, independent) against
// each approval endpoint. Separation of duties holds for ADMIN too.
func TestApprovalAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu, us := e.region(true).RegionID, e.region(true).RegionID
	validator := e.user(domain.RoleValidator)
	ownerUser := e.user(domain.RoleUser)
	model := e.vrModel(ownerUser, "Matrix model")
	delegateUser := e.user(domain.RoleUser)
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/delegates", model), ownerUser.Token, map[string]any{"user_id": delegateUser.ID}).want(http.StatusCreated)
	ownerAdmin := e.approverUser(domain.RoleAdmin)
	adminModel := e.vrModel(ownerAdmin, "Admin's model")

	type actor struct {
		name string
		u    fixtureUser
		// read is the status of GET /validation-requests/{id}/approvals; global and regional those
		// of deciding the request's GLOBAL and REGIONAL approvals (0 = allowed: 200).
		read, global, regional int
		// queued is how many of the request's approvals GET /approvals?mine=true lists.
		queued int
		// model is the model the request is made on (the owner-ADMIN's for the ADMIN owner row).
		model int32
	}
	actors := []actor{
		{"independent ADMIN", e.approverUser(domain.RoleAdmin), 200, 0, 0, 2, model},
		{"ADMIN owning the model", ownerAdmin, 200, 403, 403, 0, adminModel},
		{"requestor VALIDATOR", validator, 200, 403, 403, 0, model},
		{"other VALIDATOR", e.user(domain.RoleValidator), 200, 403, 403, 0, model},
		{"GLOBAL_APPROVER", e.approverUser(domain.RoleGlobalApprover), 200, 0, 403, 1, model},
		{"REGIONAL_APPROVER of EU", e.approverUser(domain.RoleRegionalApprover, eu), 200, 403, 0, 1, model},
		{"REGIONAL_APPROVER of US", e.approverUser(domain.RoleRegionalApprover, us), 200, 403, 403, 0, model},
		{"USER owner", ownerUser, 200, 403, 403, 0, model},
		{"USER delegate", delegateUser, 200, 403, 403, 0, model},
		{"independent USER", e.user(domain.RoleUser), 404, 403, 403, 0, model},
	}
	for _, a := range actors {
		t.Run(a.name, func(t *testing.T) {
			e := *e
			e.t = t
			req, list := e.pendingApprovalRequest(validator, a.model, eu)
			path := fmt.Sprintf("/api/v1/validation-requests/%d/approvals", req)
			if got := e.call(http.MethodGet, path, a.u.Token, nil).Status; got != a.read {
				t.Errorf("read approvals: %d, want %d", got, a.read)
			}
			var queue struct {
				Items []approvalAnswer `json:"items"`
			}
			e.call(http.MethodGet, fmt.Sprintf("/api/v1/approvals?mine=true&request_id=%d", req), a.u.Token, nil).want(http.StatusOK).decode(&queue)
			if len(queue.Items) != a.queued {
				t.Errorf("queue lists %d of the request's approvals, want %d", len(queue.Items), a.queued)
			}
			for i, want := range []int{a.global, a.regional} {
				approval := list[i].ApprovalID
				if i > 0 && a.global == 0 {
					// The allowed send-back moved the request to REVISION: judge this column on a
					// fresh request.
					_, fresh := e.pendingApprovalRequest(validator, a.model, eu)
					approval = fresh[i].ApprovalID
				}
				r := e.decide(a.u, approval, "SENT_BACK", "needs work")
				if want == 0 {
					r.want(http.StatusOK)
					continue
				}
				if r.Status != want {
					t.Errorf("decide %s: %d, want %d (%s)", list[i].ApprovalType, r.Status, want, r.Body)
				}
			}
			// Involved users are refused as not independent, whatever their role.
			if a.name == "ADMIN owning the model" || a.name == "requestor VALIDATOR" {
				e.decide(a.u, list[0].ApprovalID, "APPROVED", "").wantProblem(http.StatusForbidden, map[bool]string{true: "not_independent", false: "forbidden"}[a.u.Role == domain.RoleAdmin])
			}
		})
	}
	// Deciding the approval of a request the ADMIN requested itself is refused too.
	adminRequestor := e.approverUser(domain.RoleAdmin)
	r := e.vrCreate(adminRequestor, vrCreateBody("TARGETED", model))
	e.vrPrimary(r.RequestID)
	e.vrSetStatus(adminRequestor, r.RequestID, "IN_PROGRESS").want(http.StatusOK)
	e.vrOutcome(r.RequestID).want(http.StatusCreated)
	e.vrSetStatus(adminRequestor, r.RequestID, "PENDING_APPROVAL").want(http.StatusOK)
	own := e.requestApprovals(adminRequestor, r.RequestID)[0]
	e.decide(adminRequestor, own.ApprovalID, "APPROVED", "").wantProblem(http.StatusForbidden, "not_independent")
}
