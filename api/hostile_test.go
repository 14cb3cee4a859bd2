package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"mrmflow/internal/domain"
)

// TestHostileInputOnWorkflowEndpoints sends text PostgreSQL cannot store, and Idempotency-Keys
// that are not printable ASCII, to the validation and deployment endpoints: each is a 400 naming
// the field (never a 500, and never a per-task db_error inside a 200), and nothing changes.
func TestHostileInputOnWorkflowEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	_, _, versionID := e.deploymentSetup(owner)
	modelID := e.vrModel(owner, "Hostile")
	created := e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", modelID))

	withReason := vrCreateBody("TARGETED", modelID)
	withReason["trigger_reason"] = "bad\x00reason"
	cases := []struct {
		name, path string
		body       any
		headers    []string
		field      string
	}{
		{"trigger_reason with NUL", "/api/v1/validation-requests", withReason, nil, "trigger_reason"},
		{"status reason with NUL", fmt.Sprintf("/api/v1/validation-requests/%d/status", created.RequestID),
			map[string]any{"status": "PLANNING", "reason": "x\x00"}, nil, "reason"},
		{"deployment notes with NUL", fmt.Sprintf("/api/v1/versions/%d/deployments", versionID),
			map[string]any{"targets": []map[string]any{{"region_id": nil, "planned_production_date": "2027-01-01", "notes": "\x00"}}}, nil, "targets[0].notes"},
		{"bulk adjust reason with NUL", "/api/v1/deployment-tasks/bulk/adjust",
			map[string]any{"task_ids": []int{1, 2}, "planned_production_date": "2027-01-02", "adjustment_reason": "a\x00"}, nil, "adjustment_reason"},
		{"bulk cancel Idempotency-Key not ASCII", "/api/v1/deployment-tasks/bulk/cancel",
			map[string]any{"task_ids": []int{1}, "cancellation_reason": "dup"}, []string{"Idempotency-Key", "\xff\xfe"}, "Idempotency-Key"},
		{"create Idempotency-Key with a space", "/api/v1/validation-requests",
			vrCreateBody("TARGETED", modelID), []string{"Idempotency-Key", "two words"}, "Idempotency-Key"},
	}
	before := e.rowCounts()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := e.as(t)
			r := e.call(http.MethodPost, tc.path, e.admin.Token, tc.body, tc.headers...)
			wantField(t, r.wantProblem(http.StatusBadRequest, "invalid_request"), tc.field)
			e.wantUnchanged(before)
		})
	}
}
