package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"mrmflow/api"
	"mrmflow/internal/app"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
	"mrmflow/internal/validation"
)

// vrAnswer is the answer shape of the validation endpoints.
type vrAnswer struct {
	RequestID            int32   `json:"request_id"`
	Status               string  `json:"status"`
	ValidationType       string  `json:"validation_type"`
	Priority             string  `json:"priority"`
	RequestorID          int32   `json:"requestor_id"`
	TargetCompletionDate string  `json:"target_completion_date"`
	TriggerReason        *string `json:"trigger_reason"`
	Models               []struct {
		ModelID   int32  `json:"model_id"`
		ModelName string `json:"model_name"`
		VersionID *int32 `json:"version_id"`
	} `json:"models"`
	RegionIDs []int32 `json:"region_ids"`
	History   []struct {
		FromStatus *string `json:"from_status"`
		ToStatus   string  `json:"to_status"`
		Reason     *string `json:"reason"`
	} `json:"history"`
}

// model creates a model owned by u and returns its id.
func (e *testEnv) vrModel(u fixtureUser, name string) int32 {
	e.t.Helper()
	var m struct {
		ModelID int32 `json:"model_id"`
	}
	e.call(http.MethodPost, "/api/v1/models", u.Token, map[string]any{"model_name": name}).want(http.StatusCreated).decode(&m)
	return m.ModelID
}

// runsIn makes model run in region, as if created with it (no endpoint adds a region to a model).
func (e *testEnv) runsIn(model, region int32) {
	e.t.Helper()
	_, err := e.db.Pool.Exec(context.Background(), "INSERT INTO model_regions (model_id, region_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", model, region)
	if err != nil {
		e.t.Fatal(err)
	}
}

func vrCreateBody(typ string, models ...int32) map[string]any {
	return map[string]any{
		"model_ids": models, "validation_type": typ, "priority": "HIGH", "target_completion_date": "2027-03-31",
	}
}

// vrCreate creates a request as u and returns it.
func (e *testEnv) vrCreate(u fixtureUser, body any) vrAnswer {
	e.t.Helper()
	var v vrAnswer
	e.call(http.MethodPost, "/api/v1/validation-requests", u.Token, body).want(http.StatusCreated).decode(&v)
	return v
}

// vrReason is the reason vrSetStatus gives: long enough for ON_HOLD and CANCELLED.
const vrReason = "because the work calls for it"

func (e *testEnv) vrSetStatus(u fixtureUser, id int32, status string) *result {
	e.t.Helper()
	return e.call(http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/status", id), u.Token,
		map[string]any{"status": status, "reason": vrReason})
}

// vrAssign assigns validator to request id as u (primary or reviewer as asked) and returns the
// exchange.
func (e *testEnv) vrAssign(u fixtureUser, id int32, validator fixtureUser, primary, reviewer bool) *result {
	e.t.Helper()
	return e.call(http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/assignments", id), u.Token, map[string]any{
		"validator_id": validator.ID, "is_primary": primary, "is_reviewer": reviewer, "independence_attestation": true,
	})
}

// vrPrimary assigns a fresh, independent VALIDATOR as the primary of request id (as the ADMIN),
// which moves an INTAKE request to PLANNING, and returns the validator.
func (e *testEnv) vrPrimary(id int32) fixtureUser {
	e.t.Helper()
	w := e.user(domain.RoleValidator)
	e.vrAssign(e.admin, id, w, true, false).want(http.StatusCreated)
	return w
}

// vrOutcome records a PASS outcome of request id as the ADMIN.
func (e *testEnv) vrOutcome(id int32) *result {
	e.t.Helper()
	return e.call(http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/outcome", id), e.admin.Token, map[string]any{
		"overall_rating": "PASS", "executive_summary": "Fit for purpose.", "effective_date": "2027-01-01", "expiration_date": "2028-01-01",
	})
}

func TestValidationRequestCreateGetAndList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m1, m2 := e.vrModel(v, "PD model"), e.vrModel(v, "LGD model")
	var region struct {
		RegionID int32 `json:"region_id"`
	}
	e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{"code": "EU", "name": "Europe"}).want(http.StatusCreated).decode(&region)
	e.runsIn(m1, region.RegionID)
	e.runsIn(m2, region.RegionID)
	body := vrCreateBody("COMPREHENSIVE", m2, m1)
	body["region_ids"] = []int32{region.RegionID}
	body["trigger_reason"] = "annual review"
	r := e.vrCreate(v, body)
	if r.Status != "INTAKE" || r.RequestorID != v.ID || len(r.Models) != 2 || r.Models[0].ModelID != m1 ||
		r.Models[0].ModelName != "PD model" || len(r.RegionIDs) != 1 || r.TargetCompletionDate != "2027-03-31" ||
		r.TriggerReason == nil || r.History != nil {
		t.Fatalf("created %+v", r)
	}
	targeted := e.vrCreate(v, vrCreateBody("TARGETED", m1))

	// A USER sees only the requests of models they own or delegate for; others are not found.
	stranger, delegate := e.user(domain.RoleUser), e.user(domain.RoleUser)
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", r.RequestID), stranger.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.delegate(m2, delegate)
	var got vrAnswer
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", r.RequestID), delegate.Token, nil).want(http.StatusOK).decode(&got)
	if len(got.History) != 1 || got.History[0].ToStatus != "INTAKE" || got.History[0].FromStatus != nil {
		t.Fatalf("history %+v", got.History)
	}
	e.call(http.MethodGet, "/api/v1/validation-requests/999999", v.Token, nil).wantProblem(http.StatusNotFound, "not_found")

	var page struct {
		Items      []vrAnswer `json:"items"`
		NextCursor *string    `json:"next_cursor"`
	}
	list := func(query string) []vrAnswer {
		t.Helper()
		e.call(http.MethodGet, "/api/v1/validation-requests"+query, v.Token, nil).want(http.StatusOK).decode(&page)
		return page.Items
	}
	if items := list(fmt.Sprintf("?model_id=%d", m1)); len(items) != 2 {
		t.Fatalf("model filter: %d items", len(items))
	}
	if items := list("?validation_type=TARGETED"); len(items) != 1 || items[0].RequestID != targeted.RequestID {
		t.Fatalf("type filter: %+v", items)
	}
	if items := list("?limit=1"); len(items) != 1 || page.NextCursor == nil {
		t.Fatalf("first page: %+v %v", items, page.NextCursor)
	}
	if items := list("?limit=1&cursor=" + *page.NextCursor); len(items) != 1 || items[0].RequestID != targeted.RequestID || page.NextCursor != nil {
		t.Fatalf("second page: %+v", items)
	}
	e.vrSetStatus(v, targeted.RequestID, "CANCELLED").want(http.StatusOK)
	if items := list("?active=true"); len(items) != 1 || items[0].RequestID != r.RequestID {
		t.Fatalf("active: %+v", items)
	}
	if items := list("?active=false&status=CANCELLED"); len(items) != 1 || items[0].RequestID != targeted.RequestID {
		t.Fatalf("closed: %+v", items)
	}
	e.call(http.MethodGet, "/api/v1/validation-requests?active=maybe", v.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
	e.call(http.MethodGet, "/api/v1/validation-requests?status=DONE", v.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
}

func TestValidationRequestCreateRejects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m := e.vrModel(v, "PD model")
	post := func(u fixtureUser, body any) *result {
		return e.call(http.MethodPost, "/api/v1/validation-requests", u.Token, body)
	}
	body := vrCreateBody("INTERIM", m)
	body["model_versions"] = map[string]any{"abc": 1}
	p := post(v, body).wantProblem(http.StatusBadRequest, "invalid_request")
	if len(p.Errors) != 1 || p.Errors[0].Field != "model_versions.abc" {
		t.Fatalf("errors %+v", p.Errors)
	}
	body["model_versions"] = map[string]any{fmt.Sprint(m + 1): 1}
	if p := post(v, body).wantProblem(http.StatusBadRequest, "invalid_request"); p.Errors[0].Field != fmt.Sprintf("model_versions.%d", m+1) {
		t.Fatalf("errors %+v", p.Errors)
	}
	for _, bad := range []int64{0, 1 << 31} { // a version id out of range is named by its model
		body["model_versions"] = map[string]any{fmt.Sprint(m): bad}
		if p := post(v, body).wantProblem(http.StatusBadRequest, "invalid_request"); len(p.Errors) != 1 || p.Errors[0].Field != fmt.Sprintf("model_versions.%d", m) {
			t.Fatalf("version %d: errors %+v", bad, p.Errors)
		}
	}
	post(v, vrCreateBody("CHANGE", m)).wantProblem(http.StatusBadRequest, "invalid_request")
	post(v, `{"model_ids":[1,1],"validation_type":"INTERIM","priority":"HIGH","target_completion_date":"2027-01-01"}`).wantProblem(http.StatusBadRequest, "invalid_request")
	post(v, `{"model_ids":[1],"validation_type":"INTERIM","priority":"HIGH","target_completion_date":"2027-13-01"}`).wantProblem(http.StatusBadRequest, "invalid_request")
	post(v, `{"model_ids":[1],"extra":1}`).wantProblem(http.StatusBadRequest, "invalid_request")
	post(v, vrCreateBody("INTERIM", m, 999999)).wantProblem(http.StatusNotFound, "not_found")
	post(e.user(domain.RoleUser), vrCreateBody("INTERIM", m)).wantProblem(http.StatusForbidden, "forbidden")
}

func TestValidationRequestConflictProblem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m1, m2 := e.vrModel(v, "PD model"), e.vrModel(v, "LGD model")
	first := e.vrCreate(v, vrCreateBody("COMPREHENSIVE", m1))
	e.vrCreate(v, vrCreateBody("TARGETED", m1, m2))
	res := e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, vrCreateBody("INTERIM", m2, m1))
	res.wantProblem(http.StatusConflict, "validation_conflict")
	var body struct {
		Conflicts []struct {
			ModelID        int32  `json:"model_id"`
			ModelName      string `json:"model_name"`
			ActiveRequests []struct {
				RequestID      int32  `json:"request_id"`
				ValidationType string `json:"validation_type"`
				Status         string `json:"status"`
			} `json:"active_requests"`
		} `json:"conflicts"`
	}
	res.decode(&body)
	if len(body.Conflicts) != 1 || body.Conflicts[0].ModelID != m1 || body.Conflicts[0].ModelName != "PD model" ||
		len(body.Conflicts[0].ActiveRequests) != 1 || body.Conflicts[0].ActiveRequests[0].RequestID != first.RequestID ||
		body.Conflicts[0].ActiveRequests[0].Status != "INTAKE" || body.Conflicts[0].ActiveRequests[0].ValidationType != "COMPREHENSIVE" {
		t.Fatalf("conflicts %s", res.Body)
	}
}

// TestValidationRequestTransitions walks every transition of the map from a request brought to
// its status through the gates (an independent primary validator, an outcome), and checks what
// the gates now refuse by hand: REVISION (use_send_back), APPROVED (use_approvals), and
// PENDING_APPROVAL -> IN_PROGRESS for anyone but an ADMIN.
func TestValidationRequestTransitions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m := e.vrModel(v, "PD model")
	at := func(status string) int32 {
		t.Helper()
		id := e.vrCreate(v, vrCreateBody("TARGETED", m)).RequestID
		if status == "INTAKE" {
			return id
		}
		if status == "CANCELLED" {
			e.vrSetStatus(v, id, "CANCELLED").want(http.StatusOK)
			return id
		}
		e.vrPrimary(id)
		steps := map[string][]string{
			"PLANNING": {}, "IN_PROGRESS": {"IN_PROGRESS"}, "REVIEW": {"IN_PROGRESS", "REVIEW"},
			"PENDING_APPROVAL": {"IN_PROGRESS", "PENDING_APPROVAL"}, "REVISION": {"IN_PROGRESS", "PENDING_APPROVAL"},
			"APPROVED": {"IN_PROGRESS", "PENDING_APPROVAL"}, "ON_HOLD": {"IN_PROGRESS", "ON_HOLD"},
		}[status]
		for i, st := range steps {
			e.vrSetStatus(v, id, st).want(http.StatusOK)
			if i == 0 { // IN_PROGRESS: the outcome every later gate needs
				e.vrOutcome(id).want(http.StatusCreated)
			}
		}
		switch status { // approvers are the way to REVISION and APPROVED
		case "REVISION":
			approver := e.approverUser(domain.RoleAdmin)
			e.decide(approver, e.requestApprovals(approver, id)[0].ApprovalID, "SENT_BACK", "rework the back-testing").want(http.StatusOK)
		case "APPROVED":
			approver := e.approverUser(domain.RoleAdmin)
			for _, a := range e.requestApprovals(approver, id) {
				e.decide(approver, a.ApprovalID, "APPROVED", "").want(http.StatusOK)
			}
		}
		return id
	}
	for from, tos := range validation.Transitions() {
		for _, to := range tos {
			id := at(from)
			res := e.vrSetStatus(v, id, to)
			switch {
			case to == "APPROVED" || to == "REVISION":
				p := res.wantProblem(http.StatusConflict, "gate_not_met")
				want := map[string]string{"APPROVED": "use_approvals", "REVISION": "use_send_back"}[to]
				if len(p.Unmet) != 1 || p.Unmet[0] != want {
					t.Fatalf("%s -> %s: unmet %v, want [%s]", from, to, p.Unmet, want)
				}
				continue
			case from == "INTAKE" && to == "PLANNING":
				// By hand only with a primary validator; assigning one is the way.
				if p := res.wantProblem(http.StatusConflict, "gate_not_met"); len(p.Unmet) != 1 || p.Unmet[0] != "no_primary_validator" {
					t.Fatalf("INTAKE -> PLANNING: unmet %v", p.Unmet)
				}
				e.vrPrimary(id)
				var r vrAnswer
				e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", id), v.Token, nil).want(http.StatusOK).decode(&r)
				if last := r.History[len(r.History)-1]; r.Status != "PLANNING" || *last.FromStatus != "INTAKE" {
					t.Fatalf("after the first primary: %+v", r)
				}
				continue
			case from == "PENDING_APPROVAL" && to == "IN_PROGRESS":
				res.wantProblem(http.StatusForbidden, "forbidden")
				res = e.vrSetStatus(e.admin, id, to)
			}
			var r vrAnswer
			res.want(http.StatusOK).decode(&r)
			last := r.History[len(r.History)-1]
			if r.Status != to || *last.FromStatus != from || last.ToStatus != to || *last.Reason != vrReason {
				t.Fatalf("%s -> %s: %+v", from, to, r)
			}
		}
	}
	forbidden := [][2]string{{"INTAKE", "APPROVED"}, {"INTAKE", "REVIEW"}, {"PLANNING", "REVIEW"}, {"REVISION", "APPROVED"},
		{"APPROVED", "INTAKE"}, {"APPROVED", "CANCELLED"}, {"CANCELLED", "PLANNING"}, {"ON_HOLD", "APPROVED"}}
	for _, c := range forbidden {
		res := e.vrSetStatus(v, at(c[0]), c[1])
		res.wantProblem(http.StatusConflict, "invalid_transition")
		var body struct {
			Allowed []string `json:"allowed"`
		}
		res.decode(&body)
		if len(body.Allowed) != len(validation.Transitions()[c[0]]) {
			t.Fatalf("%s -> %s: allowed %v", c[0], c[1], body.Allowed)
		}
	}
	id := at("INTAKE")
	e.vrSetStatus(e.user(domain.RoleUser), id, "PLANNING").wantProblem(http.StatusForbidden, "forbidden")
	e.vrSetStatus(v, id, "FINISHED").wantProblem(http.StatusBadRequest, "invalid_request")
	e.vrSetStatus(v, 999999, "PLANNING").wantProblem(http.StatusNotFound, "not_found")
}

func TestValidationRequestIdempotencyReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m := e.vrModel(v, "PD model")
	body := fmt.Sprintf(`{"model_ids":[%d],"validation_type":"INTERIM","priority":"LOW","target_completion_date":"2027-01-31"}`, m)
	first := e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body, "Idempotency-Key", "k-1").want(http.StatusCreated)
	again := e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body, "Idempotency-Key", "k-1").want(http.StatusCreated)
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	var n int
	if err := e.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM validation_requests").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d requests (%v), want 1", n, err)
	}
	other := fmt.Sprintf(`{"model_ids":[%d],"validation_type":"INTERIM","priority":"HIGH","target_completion_date":"2027-01-31"}`, m)
	e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, other, "Idempotency-Key", "k-1").wantProblem(http.StatusUnprocessableEntity, "idempotency_key_reused")
	// Without the key, the same body is a new request and conflicts.
	e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body).wantProblem(http.StatusConflict, "validation_conflict")
}

func TestValidationRequestLockTimeout(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 5)
	reg := metrics.New()
	srv := api.New(api.Deps{
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: reg, Pool: d.Pool,
		Services: app.New(d.Pool, pgtx.Limits{LockTimeout: 150 * time.Millisecond}, reg, 0), RequestTimeout: 30 * time.Second,
	})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &testEnv{t: t, db: d, srv: ts}
	e.admin = e.user(domain.RoleAdmin)
	m := e.vrModel(e.admin, "PD model")

	ctx := context.Background()
	holder, err := d.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", pgtx.ModelLockNamespace, m); err != nil {
		t.Fatal(err)
	}
	res := e.call(http.MethodPost, "/api/v1/validation-requests", e.admin.Token, vrCreateBody("INTERIM", m))
	res.wantProblem(http.StatusServiceUnavailable, "lock_timeout")
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	_ = holder.Rollback(ctx)
	e.vrCreate(e.admin, vrCreateBody("INTERIM", m))
}
