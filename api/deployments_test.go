package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
)

// deploymentTask is the task JSON as a client reads it.
type deploymentTask struct {
	TaskID                           int32   `json:"task_id"`
	VersionID                        int32   `json:"version_id"`
	ModelID                          int32   `json:"model_id"`
	RegionID                         *int32  `json:"region_id"`
	Status                           string  `json:"status"`
	PlannedProductionDate            string  `json:"planned_production_date"`
	ActualProductionDate             *string `json:"actual_production_date"`
	AssignedToID                     int32   `json:"assigned_to_id"`
	ConfirmedByID                    *int32  `json:"confirmed_by_id"`
	DeployedBeforeValidationApproved bool    `json:"deployed_before_validation_approved"`
	ValidationOverrideReason         *string `json:"validation_override_reason"`
}

type bulkAnswer struct {
	Succeeded []int32 `json:"succeeded"`
	Failed    []struct {
		TaskID  int32  `json:"task_id"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"failed"`
	SucceededCount int `json:"succeeded_count"`
	FailedCount    int `json:"failed_count"`
}

// deploymentSetup creates two regions (the first requiring regional approval), a model owned by
// owner in both and a version of it, and returns their ids.
func (e *testEnv) deploymentSetup(owner fixtureUser) (regions [2]int32, modelID, versionID int32) {
	e.t.Helper()
	for i := range regions {
		var reg struct {
			RegionID int32 `json:"region_id"`
		}
		n := userSeq.Add(1)
		e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{
			"code": fmt.Sprintf("D%d", n), "name": "Region", "requires_regional_approval": i == 0,
		}).want(http.StatusCreated).decode(&reg)
		regions[i] = reg.RegionID
	}
	var m struct {
		ModelID int32 `json:"model_id"`
	}
	e.call(http.MethodPost, "/api/v1/models", owner.Token, map[string]any{
		"model_name": "Pricing", "region_ids": regions[:],
	}).want(http.StatusCreated).decode(&m)
	var v struct {
		VersionID int32 `json:"version_id"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), owner.Token, map[string]any{
		"version_number": "2.0", "change_description": "recalibration", "scope": "GLOBAL",
	}).want(http.StatusCreated).decode(&v)
	return regions, m.ModelID, v.VersionID
}

func TestDeploymentTasksHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, stranger := e.user("USER"), e.user("USER")
	regions, modelID, versionID := e.deploymentSetup(owner)
	path := fmt.Sprintf("/api/v1/versions/%d/deployments", versionID)
	body := map[string]any{"targets": []map[string]any{
		{"region_id": regions[0], "planned_production_date": "2026-12-01", "notes": "first"},
		{"region_id": regions[1], "planned_production_date": "2026-12-02"},
	}}

	e.call(http.MethodPost, path, stranger.Token, body).wantProblem(http.StatusForbidden, "forbidden")
	first := e.call(http.MethodPost, path, owner.Token, body, "Idempotency-Key", "plan-1").want(http.StatusCreated)
	var created struct {
		Tasks                    []deploymentTask `json:"tasks"`
		RegionsRequiringApproval []string         `json:"regions_requiring_approval"`
	}
	first.decode(&created)
	if len(created.Tasks) != 2 || len(created.RegionsRequiringApproval) != 1 || created.Tasks[0].AssignedToID != owner.ID ||
		created.Tasks[0].Status != "PENDING" || created.Tasks[0].ModelID != modelID {
		t.Fatalf("created = %+v", created)
	}
	// The same key and body replay the first answer; another body is refused.
	replay := e.call(http.MethodPost, path, owner.Token, body, "Idempotency-Key", "plan-1").want(http.StatusCreated)
	if !bytes.Equal(replay.Body, first.Body) {
		t.Fatalf("replay %s != first %s", replay.Body, first.Body)
	}
	e.call(http.MethodPost, path, owner.Token, map[string]any{"targets": []map[string]any{{"planned_production_date": "2026-12-01"}}},
		"Idempotency-Key", "plan-1").wantProblem(http.StatusUnprocessableEntity, "idempotency_key_reused")
	e.call(http.MethodPost, path, owner.Token, body).wantProblem(http.StatusConflict, "conflict")
	e.call(http.MethodPost, path, owner.Token, map[string]any{"targets": []map[string]any{
		{"region_id": nil, "planned_production_date": "2026-12-01"}, {"region_id": regions[0], "planned_production_date": "2026-12-01"},
	}}).wantProblem(http.StatusBadRequest, "invalid_request")

	a, b := created.Tasks[0].TaskID, created.Tasks[1].TaskID
	var got deploymentTask
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/deployment-tasks/%d", a), owner.Token, nil).want(http.StatusOK).decode(&got)
	if got.TaskID != a || got.RegionID == nil || *got.RegionID != regions[0] {
		t.Fatalf("get = %+v", got)
	}
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/deployment-tasks/%d", a), stranger.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodGet, "/api/v1/deployment-tasks/abc", owner.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
	e.call(http.MethodGet, "/api/v1/deployment-tasks/bulk", owner.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")

	var page struct {
		Items      []deploymentTask `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/deployment-tasks?assigned_to=me&status=PENDING&model_id=%d&limit=1", modelID), owner.Token, nil).
		want(http.StatusOK).decode(&page)
	if len(page.Items) != 1 || page.Items[0].TaskID != a || page.NextCursor == nil {
		t.Fatalf("first page = %+v", page)
	}
	e.call(http.MethodGet, "/api/v1/deployment-tasks?assigned_to=me&limit=1&cursor="+*page.NextCursor, owner.Token, nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 1 || page.Items[0].TaskID != b || page.NextCursor != nil {
		t.Fatalf("second page = %+v", page)
	}
	e.call(http.MethodGet, "/api/v1/deployment-tasks?status=DONE", owner.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")

	// Single operations.
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/deployment-tasks/%d/adjust", a), owner.Token,
		map[string]any{"planned_production_date": "2027-01-15", "adjustment_reason": "freeze"}).want(http.StatusOK).decode(&got)
	if got.Status != "ADJUSTED" || got.PlannedProductionDate != "2027-01-15" {
		t.Fatalf("adjusted = %+v", got)
	}
	// A task the caller cannot see is not found, to GET and to POST alike: its existence cannot
	// be probed.
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/deployment-tasks/%d/confirm", a), stranger.Token,
		map[string]any{"actual_production_date": "2027-01-16"}).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/deployment-tasks/%d", a), stranger.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/deployment-tasks/%d/confirm", a), owner.Token,
		map[string]any{"actual_production_date": "2027-01-16", "confirmation_notes": "live"}).want(http.StatusOK).decode(&got)
	if got.Status != "CONFIRMED" || got.ActualProductionDate == nil || *got.ActualProductionDate != "2027-01-16" ||
		got.ConfirmedByID == nil || *got.ConfirmedByID != owner.ID {
		t.Fatalf("confirmed = %+v", got)
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/deployment-tasks/%d/cancel", a), owner.Token,
		map[string]any{"cancellation_reason": "late"}).wantProblem(http.StatusConflict, "invalid_status")
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/deployment-tasks/%d/confirm", b), owner.Token,
		map[string]any{"actual_production_date": "2027-01-16", "task_ids": []int32{b}}).wantProblem(http.StatusBadRequest, "invalid_request")
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/deployment-tasks/%d/confirm", b), owner.Token,
		map[string]any{"actual_production_date": "16/01/2027"}).wantProblem(http.StatusBadRequest, "invalid_request")
	e.call(http.MethodPost, "/api/v1/deployment-tasks/999999/cancel", owner.Token,
		map[string]any{"cancellation_reason": "x"}).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/deployment-tasks/%d/cancel", b), owner.Token,
		map[string]any{"cancellation_reason": "dropped"}).want(http.StatusOK).decode(&got)
	if got.Status != "CANCELLED" {
		t.Fatalf("cancelled = %+v", got)
	}
}

func TestDeploymentBulkHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user("USER")
	regions, _, versionID := e.deploymentSetup(owner)
	var created struct {
		Tasks []deploymentTask `json:"tasks"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/versions/%d/deployments", versionID), owner.Token, map[string]any{"targets": []map[string]any{
		{"region_id": regions[0], "planned_production_date": "2026-12-01"},
		{"region_id": regions[1], "planned_production_date": "2026-12-01"},
	}}).want(http.StatusCreated).decode(&created)
	// A second version linked to a validation that is still in progress.
	var requestID int32
	err := e.db.Pool.QueryRow(context.Background(), `INSERT INTO validation_requests
		(requestor_id, validation_type, priority, status, target_completion_date)
		VALUES ($1, 'CHANGE', 'HIGH', 'IN_PROGRESS', '2027-01-31') RETURNING request_id`, e.admin.ID).Scan(&requestID)
	if err != nil {
		t.Fatal(err)
	}
	var v2 struct {
		VersionID int32 `json:"version_id"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", created.Tasks[0].ModelID), owner.Token, map[string]any{
		"version_number": "3.0", "change_description": "next", "scope": "GLOBAL",
	}).want(http.StatusCreated).decode(&v2)
	if _, err := e.db.Pool.Exec(context.Background(), `UPDATE model_versions SET validation_request_id = $1 WHERE version_id = $2`, requestID, v2.VersionID); err != nil {
		t.Fatal(err)
	}
	var global struct {
		Tasks []deploymentTask `json:"tasks"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/versions/%d/deployments", v2.VersionID), owner.Token, map[string]any{"targets": []map[string]any{
		{"region_id": nil, "planned_production_date": "2026-12-01"},
	}}).want(http.StatusCreated).decode(&global)
	a, b, g := created.Tasks[0].TaskID, created.Tasks[1].TaskID, global.Tasks[0].TaskID

	body := map[string]any{"task_ids": []int32{g, 999999, b, a}, "actual_production_date": "2026-12-03"}
	first := e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/confirm", owner.Token, body, "Idempotency-Key", "bulk-1").want(http.StatusOK)
	var res bulkAnswer
	first.decode(&res)
	if fmt.Sprint(res.Succeeded) != fmt.Sprint([]int32{a, b}) || res.FailedCount != 2 || res.SucceededCount != 2 ||
		res.Failed[0].TaskID != g || res.Failed[0].Code != "validation_not_approved" || res.Failed[1].Code != "not_found" {
		t.Fatalf("bulk confirm = %s", first.Body)
	}
	replay := e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/confirm", owner.Token, body, "Idempotency-Key", "bulk-1").want(http.StatusOK)
	if !bytes.Equal(replay.Body, first.Body) {
		t.Fatalf("replay %s != first %s", replay.Body, first.Body)
	}
	e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/confirm", owner.Token, map[string]any{"task_ids": []int32{g}, "actual_production_date": "2026-12-03"},
		"Idempotency-Key", "bulk-1").wantProblem(http.StatusUnprocessableEntity, "idempotency_key_reused")
	// With an override reason the unapproved global task goes through.
	e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/confirm", owner.Token, map[string]any{
		"task_ids": []int32{g}, "actual_production_date": "2026-12-03", "validation_override_reason": "deadline",
	}).want(http.StatusOK).decode(&res)
	if res.SucceededCount != 1 {
		t.Fatalf("override bulk = %+v", res)
	}
	var got deploymentTask
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/deployment-tasks/%d", g), owner.Token, nil).want(http.StatusOK).decode(&got)
	if !got.DeployedBeforeValidationApproved || got.ValidationOverrideReason == nil || got.RegionID != nil {
		t.Fatalf("global task = %+v", got)
	}
	e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/cancel", owner.Token, map[string]any{"task_ids": []int32{a}, "cancellation_reason": "x"}).
		want(http.StatusOK).decode(&res)
	if res.FailedCount != 1 || res.Failed[0].Code != "invalid_status" {
		t.Fatalf("bulk cancel of a confirmed task = %+v", res)
	}
	e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/adjust", owner.Token, map[string]any{
		"task_ids": []int32{b}, "planned_production_date": "2027-01-01", "adjustment_reason": "x",
	}).want(http.StatusOK)

	// Strict input.
	many := make([]int, 1001)
	for i := range many {
		many[i] = i + 1
	}
	for name, bad := range map[string]any{
		"duplicate ids":  map[string]any{"task_ids": []int32{a, a}, "actual_production_date": "2026-12-03"},
		"no ids":         map[string]any{"task_ids": []int32{}, "actual_production_date": "2026-12-03"},
		"too many ids":   map[string]any{"task_ids": many, "actual_production_date": "2026-12-03"},
		"id out of int4": map[string]any{"task_ids": []int64{1 << 33}, "actual_production_date": "2026-12-03"},
		"missing date":   map[string]any{"task_ids": []int32{a}},
		"unknown field":  map[string]any{"task_ids": []int32{a}, "actual_production_date": "2026-12-03", "force": true},
	} {
		p := e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/confirm", owner.Token, bad).wantProblem(http.StatusBadRequest, "invalid_request")
		if len(p.Errors) == 0 {
			t.Errorf("%s: no field named", name)
		}
	}
	e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/cancel", owner.Token, map[string]any{"task_ids": []int32{a}}).
		wantProblem(http.StatusBadRequest, "invalid_request")
}
