package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"mrmflow/internal/domain"
	"mrmflow/internal/testdb"
)

type ruleExceptionBody struct {
	Kind          string `json:"kind"`
	RequestID     int32  `json:"request_id"`
	RequestStatus string `json:"request_status"`
	ModelID       int32  `json:"model_id"`
	RegionID      *int32 `json:"region_id"`
	DetectedFrom  *int64 `json:"detected_from"`
	Detail        string `json:"detail"`
}

const ruleExceptionsPath = "/api/v1/reports/rule-exceptions"

// TestRuleExceptionsReport: over data the new rules refuse (testdb.RuleExceptionsSeed, written in
// SQL because the service would refuse it), GET /reports/rule-exceptions lists exactly the model
// added in IN_PROGRESS to a request now PENDING_APPROVAL, the region outside its model's regions
// and the model added in REVIEW to a request since APPROVED — not the clean request, not the
// model added in PLANNING, not the closed request's region — in (request_id, kind, model_id,
// region_id) order, the same for ADMIN and VALIDATOR, filtered by kind, and page by page.
func TestRuleExceptionsReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.db.Pool.Exec(context.Background(), testdb.RuleExceptionsSeed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	region, audit1, audit3 := int32(9002), int64(9001), int64(9003)
	want := []ruleExceptionBody{
		{Kind: "MODELS_CHANGED_OUTSIDE_PLANNING", RequestID: 9001, RequestStatus: "PENDING_APPROVAL", ModelID: 9002, DetectedFrom: &audit1},
		{Kind: "REGION_OUTSIDE_MODEL_SCOPE", RequestID: 9002, RequestStatus: "PLANNING", ModelID: 9003, RegionID: &region},
		{Kind: "MODELS_CHANGED_OUTSIDE_PLANNING", RequestID: 9005, RequestStatus: "APPROVED", ModelID: 9001, DetectedFrom: &audit3},
	}
	withoutDetail := func(items []ruleExceptionBody) []ruleExceptionBody {
		out := make([]ruleExceptionBody, len(items))
		for i, it := range items {
			if it.Detail == "" {
				t.Errorf("row %d has no detail", i)
			}
			it.Detail = ""
			out[i] = it
		}
		return out
	}

	validator := e.user(domain.RoleValidator)
	for _, token := range []string{e.admin.Token, validator.Token} {
		var p page[ruleExceptionBody]
		e.call(http.MethodGet, ruleExceptionsPath, token, nil).want(http.StatusOK).decode(&p)
		if got := withoutDetail(p.Items); !reflect.DeepEqual(got, want) {
			t.Errorf("report:\n%+v\nwant:\n%+v", got, want)
		}
		if p.NextCursor != nil {
			t.Errorf("one page holds the report, next_cursor = %q", *p.NextCursor)
		}
		if len(p.Items) == 3 && !strings.Contains(p.Items[0].Detail, "IN_PROGRESS") {
			t.Errorf("detail %q does not say the status the model was added in", p.Items[0].Detail)
		}
	}

	var regions page[ruleExceptionBody]
	e.call(http.MethodGet, ruleExceptionsPath+"?kind=REGION_OUTSIDE_MODEL_SCOPE", validator.Token, nil).want(http.StatusOK).decode(&regions)
	if got := withoutDetail(regions.Items); !reflect.DeepEqual(got, want[1:2]) {
		t.Errorf("kind=REGION_OUTSIDE_MODEL_SCOPE: %+v, want %+v", got, want[1:2])
	}

	// limit=1: three pages, the same rows in the same order, the last without a cursor.
	var paged []ruleExceptionBody
	path := ruleExceptionsPath + "?limit=1"
	for range 4 {
		var p page[ruleExceptionBody]
		e.call(http.MethodGet, path, e.admin.Token, nil).want(http.StatusOK).decode(&p)
		paged = append(paged, p.Items...)
		if p.NextCursor == nil {
			break
		}
		path = ruleExceptionsPath + "?limit=1&cursor=" + *p.NextCursor
	}
	if got := withoutDetail(paged); !reflect.DeepEqual(got, want) {
		t.Errorf("paged by one:\n%+v\nwant:\n%+v", got, want)
	}
}

// TestRuleExceptionsReadTheRecordedStatus: a model change's audit row records the request's status
// the change was judged under (changes.status), and the report takes it over the history: a row
// recording IN_PROGRESS for a request the history has in PLANNING is an exception, one recording
// PLANNING for a request the history has in IN_PROGRESS is not; a row recording none (the seed's,
// written before) is judged by the history as before. A change through the service records its
// status.
func TestRuleExceptionsReadTheRecordedStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.db.Pool.Exec(context.Background(), testdb.RuleExceptionsSeed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	// Request 9002 is in PLANNING from 01:00 on, request 9003 in IN_PROGRESS from 03:00 on.
	e.exec(`INSERT INTO audit_logs (audit_id, entity_type, entity_id, action, user_id, changes, created_at) OVERRIDING SYSTEM VALUE
		VALUES (9101, 'validation_request', 9002, 'VALIDATION_MODELS_CHANGED', 9002, '{"added": [9003], "status": "IN_PROGRESS"}', '2026-06-01 01:30Z'),
		       (9102, 'validation_request', 9003, 'VALIDATION_MODELS_CHANGED', 9002, '{"added": [9002], "status": "PLANNING"}', '2026-06-01 03:30Z')`)
	recorded := int64(9101)
	var p page[ruleExceptionBody]
	e.call(http.MethodGet, ruleExceptionsPath+"?kind=MODELS_CHANGED_OUTSIDE_PLANNING", e.admin.Token, nil).want(http.StatusOK).decode(&p)
	var got []string
	for _, it := range p.Items {
		got = append(got, fmt.Sprintf("%d/%d/%d", it.RequestID, it.ModelID, *it.DetectedFrom))
	}
	want := []string{"9001/9002/9001", fmt.Sprintf("9002/9003/%d", recorded), "9005/9001/9003"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("models changed outside planning: %v, want %v", got, want)
	}
	if !strings.Contains(p.Items[1].Detail, "IN_PROGRESS") {
		t.Errorf("detail %q does not say the recorded status", p.Items[1].Detail)
	}

	owner := e.user(domain.RoleUser)
	m1, m2 := e.model(owner).ModelID, e.model(owner).ModelID
	var created struct {
		RequestID int32 `json:"request_id"`
	}
	e.call(http.MethodPost, "/api/v1/validation-requests", e.admin.Token, createBody(m1)).want(http.StatusCreated).decode(&created)
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/models", created.RequestID), e.admin.Token,
		map[string]any{"add": []int32{m2}}).want(http.StatusOK)
	var status string
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT changes ->> 'status' FROM audit_logs
		WHERE action = 'VALIDATION_MODELS_CHANGED' AND entity_id = $1`, created.RequestID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "INTAKE" {
		t.Errorf("the service's model change records status %q, want INTAKE", status)
	}
}

// TestRuleExceptionsAccessAndInput: only ADMIN and VALIDATOR read the report (403 forbidden for
// the others); a bad kind, an unknown or repeated parameter, a bad limit and a cursor this report
// did not make are 400 invalid_request naming the parameter.
func TestRuleExceptionsAccessAndInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, role := range []domain.Role{domain.RoleUser, domain.RoleGlobalApprover, domain.RoleRegionalApprover} {
		e.call(http.MethodGet, ruleExceptionsPath, e.user(role).Token, nil).wantProblem(http.StatusForbidden, "forbidden")
	}
	e.call(http.MethodGet, ruleExceptionsPath, "", nil).wantProblem(http.StatusUnauthorized, "unauthenticated")

	for query, field := range map[string]string{
		"kind=NOPE":                       "kind",
		"status=APPROVED":                 "status",
		"Kind=REGION_OUTSIDE_MODEL_SCOPE": "Kind",
		"kind=REGION_OUTSIDE_MODEL_SCOPE&kind=MODELS_CHANGED_OUTSIDE_PLANNING": "kind",
		"limit=0":                        "limit",
		"limit=501":                      "limit",
		"cursor=nope":                    "cursor",
		"cursor=" + cursorFor(5):         "cursor", // another list's cursor: one value, not four
		"cursor=" + keyCursor("1.3.1.0"): "cursor", // no third kind
		"cursor=" + keyCursor("0.1.1.0"): "cursor",
	} {
		r := e.call(http.MethodGet, ruleExceptionsPath+"?"+query, e.admin.Token, nil)
		wantField(t, r.wantProblem(http.StatusBadRequest, "invalid_request"), field)
	}
}

// keyCursor forges a composite cursor (values joined by dots), as a client tampering with one would.
func keyCursor(key string) string {
	return "c1." + base64.RawURLEncoding.EncodeToString([]byte(key))
}
