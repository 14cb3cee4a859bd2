package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"mrmflow/internal/domain"
)

// The target-date warnings (docs/rules.md, "Target-date warnings"): LEAD_TIME and
// REVALIDATION_OVERDUE on create and PATCH, their acknowledgement, and POST
// /validation-requests/check agreeing with create.

// targetWarning is a warning as the API shows it.
type targetWarning struct {
	Code      string         `json:"code"`
	ModelID   int32          `json:"model_id"`
	VersionID *int32         `json:"version_id"`
	Message   string         `json:"message"`
	Details   map[string]any `json:"details"`
}

// checkAnswer is the answer of POST /validation-requests/check.
type checkAnswer struct {
	Warnings   []targetWarning  `json:"warnings"`
	Errors     []map[string]any `json:"errors"`
	CanProceed bool             `json:"can_proceed"`
}

// setTier sets model's risk tier in SQL ("" clears it), a fixture step: PATCH /models/{id} is
// tested on its own (revalidation_settings_test.go).
func (e *testEnv) setTier(model int32, tier string) {
	e.t.Helper()
	var t *string
	if tier != "" {
		t = &tier
	}
	e.exec(`UPDATE models SET risk_tier = $2 WHERE model_id = $1`, model, t)
}

// approvedFull writes, in SQL, an APPROVED COMPREHENSIVE validation of model that became
// APPROVED at approvedAt (its history row): the model's last full validation.
func (e *testEnv) approvedFull(model int32, approvedAt string) int32 {
	e.t.Helper()
	request := e.id(`INSERT INTO validation_requests (requestor_id, validation_type, is_targeted, priority, status, is_closed, target_completion_date)
		VALUES ($1, 'COMPREHENSIVE', false, 'MEDIUM', 'APPROVED', true, '2025-01-31') RETURNING request_id`, e.admin.ID)
	e.exec(`INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, false)`, request, model)
	e.exec(`INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at)
		VALUES ($1, 'PENDING_APPROVAL', 'APPROVED', $2, $3::timestamptz)`, request, e.admin.ID, approvedAt)
	return request
}

// plannedVersion creates a version of model planned for production on planned.
func (e *testEnv) plannedVersion(u fixtureUser, model int32, planned string) int32 {
	e.t.Helper()
	var ver struct {
		VersionID int32 `json:"version_id"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", model), u.Token, map[string]any{
		"version_number": fmt.Sprintf("v-%s", planned), "change_description": "Recalibration", "scope": "GLOBAL", "planned_production_date": planned,
	}).want(http.StatusCreated).decode(&ver)
	return ver.VersionID
}

// validationDue reads model's validation_due from the schedule view (NULL: "").
func (e *testEnv) validationDue(model int32) string {
	e.t.Helper()
	var due *string
	if err := e.db.Pool.QueryRow(context.Background(),
		`SELECT validation_due::text FROM model_revalidation_schedule WHERE model_id = $1`, model).Scan(&due); err != nil {
		e.t.Fatal(err)
	}
	if due == nil {
		return ""
	}
	return *due
}

// auditChanges returns the changes of request's latest audit row of action.
func (e *testEnv) auditChanges(request int32, action string) map[string]json.RawMessage {
	e.t.Helper()
	var raw []byte
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT changes FROM audit_logs
		WHERE entity_type = 'validation_request' AND entity_id = $1 AND action = $2 ORDER BY audit_id DESC LIMIT 1`,
		request, action).Scan(&raw); err != nil {
		e.t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// warningsOf decodes the warnings of a warnings_not_acknowledged answer.
func warningsOf(t *testing.T, r *result) []targetWarning {
	t.Helper()
	r.wantProblem(http.StatusConflict, "warnings_not_acknowledged")
	var body struct {
		Warnings []targetWarning `json:"warnings"`
	}
	r.decode(&body)
	return body.Warnings
}

// wantWarning fails unless ws is exactly one warning of code for model (and version, 0: none)
// whose details hold want.
func wantWarning(t *testing.T, ws []targetWarning, code string, model, version int32, want map[string]any) {
	t.Helper()
	if len(ws) != 1 {
		t.Fatalf("warnings %+v, want one %s", ws, code)
	}
	w := ws[0]
	if w.Code != code || w.ModelID != model || (version == 0) != (w.VersionID == nil) || (version != 0 && *w.VersionID != version) || w.Message == "" {
		t.Fatalf("warning %+v, want %s on model %d version %d", w, code, model, version)
	}
	for k, v := range want {
		if fmt.Sprint(w.Details[k]) != fmt.Sprint(v) {
			t.Fatalf("details[%s] = %v, want %v (details %v)", k, w.Details[k], v, w.Details)
		}
	}
}

func TestTargetWarningRevalidationOverdueOnCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m := e.vrModel(v, "PD")
	e.setTier(m, "TIER_2") // 18 months, 3 months grace, 90 lead days
	e.approvedFull(m, "2025-01-31T12:00:00Z")
	// 2025-01-31 + 18 months = 2026-07-31; + 3 months = 2026-10-31; + 90 days = 2027-01-29.
	if due := e.validationDue(m); due != "2027-01-29" {
		t.Fatalf("validation_due %s, want 2027-01-29", due)
	}
	body := vrCreateBody("COMPREHENSIVE", m)

	// The due day itself is in time.
	body["target_completion_date"] = "2027-01-29"
	r := e.vrCreate(v, body)
	e.vrSetStatus(v, r.RequestID, "CANCELLED").want(http.StatusOK)
	if _, ok := e.auditChanges(r.RequestID, "VALIDATION_REQUEST_CREATED")["acknowledged_warnings"]; ok {
		t.Fatal("a create without warnings recorded acknowledged warnings")
	}

	// The day after warns, and nothing is written.
	body["target_completion_date"] = "2027-01-30"
	before := e.rowCounts()
	ws := warningsOf(t, e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body))
	wantWarning(t, ws, "REVALIDATION_OVERDUE", m, 0, map[string]any{
		"validation_due": "2027-01-29", "days_after_validation_due": 1, "target_completion_date": "2027-01-30", "risk_tier": "TIER_2",
	})
	e.wantUnchanged(before)

	// Acknowledged, it goes through and its audit row records the warnings.
	body["acknowledge_warnings"] = true
	r = e.vrCreate(v, body)
	var recorded []targetWarning
	if err := json.Unmarshal(e.auditChanges(r.RequestID, "VALIDATION_REQUEST_CREATED")["acknowledged_warnings"], &recorded); err != nil {
		t.Fatal(err)
	}
	wantWarning(t, recorded, "REVALIDATION_OVERDUE", m, 0, map[string]any{"validation_due": "2027-01-29"})
	e.vrSetStatus(v, r.RequestID, "CANCELLED").want(http.StatusOK)

	// A policy edit moves the due date at once: TIER_2 with 120 lead days is due 2027-02-28.
	e.exec(`UPDATE validation_policies SET model_change_lead_time_days = 120 WHERE risk_tier = 'TIER_2'`)
	delete(body, "acknowledge_warnings")
	body["target_completion_date"] = "2027-02-28"
	r = e.vrCreate(v, body)
	e.vrSetStatus(v, r.RequestID, "CANCELLED").want(http.StatusOK)

	// Month ends: completed 31 January 2024 (leap year), TIER_1: + 12 months = 2025-01-31,
	// + 2 months = 2025-03-31, + 120 days = 2025-07-29. A model without a tier never warns.
	leap := e.vrModel(v, "Leap")
	e.setTier(leap, "TIER_1")
	e.approvedFull(leap, "2024-01-31T08:00:00Z")
	if due := e.validationDue(leap); due != "2025-07-29" {
		t.Fatalf("validation_due %s, want 2025-07-29", due)
	}
	leapBody := vrCreateBody("COMPREHENSIVE", leap)
	leapBody["target_completion_date"] = "2025-07-30"
	wantWarning(t, warningsOf(t, e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, leapBody)),
		"REVALIDATION_OVERDUE", leap, 0, map[string]any{"validation_due": "2025-07-29", "days_after_validation_due": 1})
	e.setTier(leap, "")
	leapBody["target_completion_date"] = "2030-01-01"
	e.vrCreate(v, leapBody)
}

func TestTargetWarningLeadTimeOnCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m := e.vrModel(v, "Scorecard")
	e.setTier(m, "TIER_2") // 90 lead days; never validated: no REVALIDATION_OVERDUE
	ver := e.plannedVersion(v, m, "2027-06-30")
	body := vrCreateBody("CHANGE", m)
	body["model_versions"] = map[string]int32{fmt.Sprint(m): ver}

	// Exactly the lead time (2027-06-30 - 2027-04-01 = 90 days) does not warn.
	body["target_completion_date"] = "2027-04-01"
	r := e.vrCreate(v, body)
	e.vrSetStatus(v, r.RequestID, "CANCELLED").want(http.StatusOK)

	// A day less does.
	body["target_completion_date"] = "2027-04-02"
	wantWarning(t, warningsOf(t, e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body)),
		"LEAD_TIME", m, ver, map[string]any{
			"production_date": "2027-06-30", "lead_time_days": 90, "days_before_production": 89, "risk_tier": "TIER_2", "target_completion_date": "2027-04-02",
		})

	// The actual production date wins over the planned one.
	e.exec(`UPDATE model_versions SET actual_production_date = '2027-07-01' WHERE version_id = $1`, ver)
	r = e.vrCreate(v, body)
	e.vrSetStatus(v, r.RequestID, "CANCELLED").want(http.StatusOK)
	e.exec(`UPDATE model_versions SET actual_production_date = NULL WHERE version_id = $1`, ver)

	// Acknowledged, it goes through and is recorded.
	body["acknowledge_warnings"] = true
	r = e.vrCreate(v, body)
	var recorded []targetWarning
	if err := json.Unmarshal(e.auditChanges(r.RequestID, "VALIDATION_REQUEST_CREATED")["acknowledged_warnings"], &recorded); err != nil {
		t.Fatal(err)
	}
	wantWarning(t, recorded, "LEAD_TIME", m, ver, map[string]any{"days_before_production": 89})
	e.vrSetStatus(v, r.RequestID, "CANCELLED").want(http.StatusOK)

	// Without a tier there is no policy and no LEAD_TIME, however close the production date.
	e.setTier(m, "")
	delete(body, "acknowledge_warnings")
	body["target_completion_date"] = "2027-06-30"
	e.vrCreate(v, body)
}

func TestTargetWarningsOnPatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	m := e.vrModel(v, "Pricing")
	e.setTier(m, "TIER_2")
	ver := e.plannedVersion(v, m, "2027-06-30")
	body := vrCreateBody("CHANGE", m)
	body["model_versions"] = map[string]int32{fmt.Sprint(m): ver}
	body["target_completion_date"] = "2027-03-01"
	r := e.vrCreate(v, body)
	path := fmt.Sprintf("/api/v1/validation-requests/%d", r.RequestID)

	e.call(http.MethodPatch, path, v.Token, map[string]any{"target_completion_date": "2027-04-01"}).want(http.StatusOK)
	before := e.insideState(r.RequestID)
	wantWarning(t, warningsOf(t, e.call(http.MethodPatch, path, v.Token, map[string]any{"target_completion_date": "2027-04-02", "priority": "URGENT"})),
		"LEAD_TIME", m, ver, map[string]any{"days_before_production": 89, "lead_time_days": 90})
	if after := e.insideState(r.RequestID); after != before {
		t.Fatalf("a refused PATCH changed the request:\n%s\n%s", before, after)
	}
	var got vrAnswer
	e.call(http.MethodPatch, path, v.Token, map[string]any{"target_completion_date": "2027-04-02", "acknowledge_warnings": true}).want(http.StatusOK).decode(&got)
	if got.TargetCompletionDate != "2027-04-02" {
		t.Fatalf("target %s", got.TargetCompletionDate)
	}
	var recorded []targetWarning
	if err := json.Unmarshal(e.auditChanges(r.RequestID, "VALIDATION_REQUEST_UPDATED")["acknowledged_warnings"], &recorded); err != nil {
		t.Fatal(err)
	}
	wantWarning(t, recorded, "LEAD_TIME", m, ver, nil)
	// A PATCH that leaves the target date alone is not judged for warnings.
	e.call(http.MethodPatch, path, v.Token, map[string]any{"priority": "LOW"}).want(http.StatusOK)
	if _, ok := e.auditChanges(r.RequestID, "VALIDATION_REQUEST_UPDATED")["acknowledged_warnings"]; ok {
		t.Fatal("a PATCH without a target date recorded warnings")
	}

	// REVALIDATION_OVERDUE over the request's models: a validated model due 2027-01-29.
	old := e.vrModel(v, "Old")
	e.setTier(old, "TIER_2")
	e.approvedFull(old, "2025-01-31T00:00:00Z")
	oldBody := vrCreateBody("COMPREHENSIVE", old)
	oldBody["target_completion_date"] = "2027-01-29"
	ro := e.vrCreate(v, oldBody)
	oldPath := fmt.Sprintf("/api/v1/validation-requests/%d", ro.RequestID)
	wantWarning(t, warningsOf(t, e.call(http.MethodPatch, oldPath, v.Token, map[string]any{"target_completion_date": "2027-01-30"})),
		"REVALIDATION_OVERDUE", old, 0, map[string]any{"validation_due": "2027-01-29", "days_after_validation_due": 1})
	e.call(http.MethodPatch, oldPath, v.Token, map[string]any{"target_completion_date": "2027-01-28"}).want(http.StatusOK)
}

// TestCheckAgreesWithCreate runs each body through POST /validation-requests/check, then through
// create: check writes nothing (no request, no audit row, and the request id sequence does not
// advance) and its errors, warnings and can_proceed are what the create then does.
func TestCheckAgreesWithCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	var region struct {
		RegionID int32 `json:"region_id"`
	}
	e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{"code": "EU", "name": "Europe"}).want(http.StatusCreated).decode(&region)
	validated := func(name string) int32 {
		m := e.vrModel(v, name)
		e.setTier(m, "TIER_2")
		e.approvedFull(m, "2025-01-31T12:00:00Z") // due 2027-01-29
		return m
	}
	withVersion := func(name, tier, planned string, target string) map[string]any {
		m := e.vrModel(v, name)
		e.setTier(m, tier)
		ver := e.plannedVersion(v, m, planned)
		b := vrCreateBody("CHANGE", m)
		b["model_versions"] = map[string]int32{fmt.Sprint(m): ver}
		b["target_completion_date"] = target
		return b
	}
	busy := func(name string) int32 {
		m := e.vrModel(v, name)
		e.vrCreate(v, vrCreateBody("COMPREHENSIVE", m))
		return m
	}
	cases := []struct {
		name string
		body func() map[string]any
		want string // check's error codes, warning codes and can_proceed, as the comparison below spells them
	}{
		{"clean", func() map[string]any { return vrCreateBody("COMPREHENSIVE", e.vrModel(v, "Clean")) }, "errors [], warnings [], can_proceed true"},
		{"due day", func() map[string]any {
			b := vrCreateBody("COMPREHENSIVE", validated("Due"))
			b["target_completion_date"] = "2027-01-29"
			return b
		}, "errors [], warnings [], can_proceed true"},
		{"revalidation overdue", func() map[string]any {
			b := vrCreateBody("COMPREHENSIVE", validated("Late"))
			b["target_completion_date"] = "2027-01-30"
			return b
		}, "errors [], warnings [REVALIDATION_OVERDUE], can_proceed false"},
		{"revalidation overdue, acknowledged", func() map[string]any {
			b := vrCreateBody("COMPREHENSIVE", validated("LateAck"))
			b["target_completion_date"] = "2027-01-30"
			b["acknowledge_warnings"] = true
			return b
		}, "errors [], warnings [REVALIDATION_OVERDUE], can_proceed true"},
		{"lead time exactly", func() map[string]any { return withVersion("LeadOK", "TIER_2", "2027-06-30", "2027-04-01") }, "errors [], warnings [], can_proceed true"},
		{"lead time short", func() map[string]any { return withVersion("LeadShort", "TIER_2", "2027-06-30", "2027-04-02") }, "errors [], warnings [LEAD_TIME], can_proceed false"},
		{"lead time, no tier", func() map[string]any { return withVersion("NoTier", "", "2027-06-30", "2027-06-30") }, "errors [], warnings [], can_proceed true"},
		{"two warnings on two models", func() map[string]any {
			b := withVersion("Both", "TIER_2", "2027-06-30", "2027-04-02")
			late := validated("BothLate")
			b["model_ids"] = append(b["model_ids"].([]int32), late)
			b["validation_type"] = "COMPREHENSIVE"
			return b
		}, "errors [], warnings [LEAD_TIME REVALIDATION_OVERDUE], can_proceed false"},
		{"validation conflict", func() map[string]any { return vrCreateBody("COMPREHENSIVE", busy("Busy")) }, "errors [validation_conflict], warnings [], can_proceed false"},
		{"target after implementation, with a warning", func() map[string]any {
			return withVersion("AfterImpl", "TIER_2", "2027-03-01", "2027-03-02")
		}, "errors [target_after_implementation], warnings [LEAD_TIME], can_proceed false"},
		{"conflict and target after implementation", func() map[string]any {
			b := withVersion("Two", "", "2027-03-01", "2027-03-02")
			b["model_ids"] = append(b["model_ids"].([]int32), busy("TwoBusy"))
			b["validation_type"] = "COMPREHENSIVE"
			return b
		}, "errors [validation_conflict target_after_implementation], warnings [], can_proceed false"},
		{"model not found", func() map[string]any { return vrCreateBody("COMPREHENSIVE", 2147483000) }, "errors [not_found], warnings [], can_proceed false"},
		{"region scope", func() map[string]any {
			b := vrCreateBody("COMPREHENSIVE", e.vrModel(v, "Nowhere"))
			b["region_ids"] = []int32{region.RegionID}
			return b
		}, "errors [invalid_request], warnings [], can_proceed false"},
	}
	statusOf := map[string]int{"validation_conflict": 409, "target_after_implementation": 409, "not_found": 404, "invalid_request": 400}
	for _, c := range cases {
		body := c.body()
		before := e.writeCounts()
		res := e.call(http.MethodPost, "/api/v1/validation-requests/check", v.Token, body).want(http.StatusOK)
		var check checkAnswer
		res.decode(&check)
		var rawCheck struct {
			Warnings json.RawMessage `json:"warnings"`
		}
		res.decode(&rawCheck)
		if after := e.writeCounts(); after != before {
			t.Fatalf("%s: check wrote: %s, then %s", c.name, before, after)
		}

		created := e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body)
		switch {
		case len(check.Errors) > 0:
			code := fmt.Sprint(check.Errors[0]["code"])
			p := created.wantProblem(statusOf[code], code)
			if p.Detail != check.Errors[0]["message"] {
				t.Fatalf("%s: create said %q, check %q", c.name, p.Detail, check.Errors[0]["message"])
			}
			if check.CanProceed {
				t.Fatalf("%s: can_proceed with errors", c.name)
			}
		case !check.CanProceed:
			created.wantProblem(http.StatusConflict, "warnings_not_acknowledged")
			var refused struct {
				Warnings json.RawMessage `json:"warnings"`
			}
			created.decode(&refused)
			if !bytes.Equal(refused.Warnings, rawCheck.Warnings) || len(check.Warnings) == 0 {
				t.Fatalf("%s: create warned %s, check %s", c.name, refused.Warnings, rawCheck.Warnings)
			}
		default:
			created.want(http.StatusCreated)
		}
		var errorCodes, warningCodes []string
		for _, x := range check.Errors {
			errorCodes = append(errorCodes, fmt.Sprint(x["code"]))
		}
		for _, w := range check.Warnings {
			warningCodes = append(warningCodes, w.Code)
		}
		if got := fmt.Sprintf("errors %v, warnings %v, can_proceed %v", errorCodes, warningCodes, check.CanProceed); got != c.want {
			t.Errorf("%s: check answered %s, want %s", c.name, got, c.want)
		}
	}
}

// writeCounts is what a check must leave as it was: the requests, the audit rows and the
// request id sequence.
func (e *testEnv) writeCounts() string {
	e.t.Helper()
	var requests, audits, seq int64
	var called bool
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM validation_requests), (SELECT count(*) FROM audit_logs),
		last_value, is_called FROM validation_requests_request_id_seq`).Scan(&requests, &audits, &seq, &called); err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprintf("requests %d, audit rows %d, sequence %d/%v", requests, audits, seq, called)
}

func TestCheckRefusesAsCreateDoes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	v := e.user(domain.RoleValidator)
	m := e.vrModel(v, "PD")
	e.call(http.MethodPost, "/api/v1/validation-requests/check", owner.Token, vrCreateBody("COMPREHENSIVE", m)).wantProblem(http.StatusForbidden, "forbidden")
	bad := vrCreateBody("COMPREHENSIVE", m)
	delete(bad, "target_completion_date")
	wantField(t, e.call(http.MethodPost, "/api/v1/validation-requests/check", v.Token, bad).wantProblem(http.StatusBadRequest, "invalid_request"), "target_completion_date")
	wantField(t, e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, bad).wantProblem(http.StatusBadRequest, "invalid_request"), "target_completion_date")
	bad = vrCreateBody("COMPREHENSIVE", m)
	bad["acknowledge_warnings"] = "yes"
	e.call(http.MethodPost, "/api/v1/validation-requests/check", v.Token, bad).wantProblem(http.StatusBadRequest, "invalid_request")
}
