package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"mrmflow/internal/domain"
)

// The rules of docs/rules.md over HTTP: each refusal's wire answer (checked against openapi.yaml
// by call) and that the request is as it was.
func TestValidationRulesOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.user(domain.RoleValidator)
	var eu, us struct {
		RegionID int32 `json:"region_id"`
	}
	e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{"code": "EU", "name": "Europe"}).want(http.StatusCreated).decode(&eu)
	e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{"code": "US", "name": "United States"}).want(http.StatusCreated).decode(&us)
	var m struct {
		ModelID int32 `json:"model_id"`
	}
	e.call(http.MethodPost, "/api/v1/models", v.Token, map[string]any{"model_name": "PD", "region_ids": []int32{eu.RegionID}}).want(http.StatusCreated).decode(&m)
	var ver struct {
		VersionID int32 `json:"version_id"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), v.Token, map[string]any{
		"version_number": "2.0", "change_description": "Recalibration", "scope": "GLOBAL", "planned_production_date": "2027-03-01",
	}).want(http.StatusCreated).decode(&ver)
	other := e.vrModel(v, "LGD")
	var otherVer struct {
		VersionID int32 `json:"version_id"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", other), v.Token, map[string]any{
		"version_number": "1.1", "change_description": "New segment", "scope": "GLOBAL",
	}).want(http.StatusCreated).decode(&otherVer)
	addOther := map[string]any{"add": []int32{other}, "model_versions": map[string]int32{fmt.Sprint(other): otherVer.VersionID}}

	body := vrCreateBody("CHANGE", m.ModelID)
	body["model_versions"] = map[string]int32{fmt.Sprint(m.ModelID): ver.VersionID}
	body["region_ids"] = []int32{us.RegionID}
	p := e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body).wantProblem(http.StatusBadRequest, "invalid_request")
	wantField(t, p, "region_ids")

	body["region_ids"] = []int32{eu.RegionID}
	body["target_completion_date"] = "2027-03-02"
	res := e.call(http.MethodPost, "/api/v1/validation-requests", v.Token, body)
	res.wantProblem(http.StatusConflict, "target_after_implementation")
	var late struct {
		Versions []struct {
			ModelID        int32  `json:"model_id"`
			VersionID      int32  `json:"version_id"`
			ProductionDate string `json:"production_date"`
		} `json:"versions"`
	}
	res.decode(&late)
	if len(late.Versions) != 1 || late.Versions[0].VersionID != ver.VersionID || late.Versions[0].ModelID != m.ModelID || late.Versions[0].ProductionDate != "2027-03-01" {
		t.Fatalf("versions %+v", late.Versions)
	}

	body["target_completion_date"] = "2027-03-01"
	r := e.vrCreate(v, body)
	path := fmt.Sprintf("/api/v1/validation-requests/%d", r.RequestID)
	before := e.insideState(r.RequestID)
	e.call(http.MethodPatch, path, v.Token, map[string]any{"region_ids": []int32{eu.RegionID, us.RegionID}}).wantProblem(http.StatusBadRequest, "invalid_request")
	e.call(http.MethodPatch, path, v.Token, map[string]any{"target_completion_date": "2027-04-01"}).wantProblem(http.StatusConflict, "target_after_implementation")
	p = e.call(http.MethodPost, path+"/models", v.Token, addOther).wantProblem(http.StatusBadRequest, "invalid_request")
	wantField(t, p, "add")
	if after := e.insideState(r.RequestID); after != before {
		t.Fatalf("refused calls changed the request:\n%s\n%s", before, after)
	}

	e.vrPrimary(r.RequestID)
	e.vrSetStatus(v, r.RequestID, "IN_PROGRESS").want(http.StatusOK)
	e.runsIn(other, eu.RegionID)
	p = e.call(http.MethodPost, path+"/models", v.Token, addOther).wantProblem(http.StatusConflict, "invalid_status")
	if want := fmt.Sprintf("validation request %d is IN_PROGRESS: its models change only in INTAKE or PLANNING", r.RequestID); p.Detail != want {
		t.Fatalf("detail %q, want %q", p.Detail, want)
	}
	e.vrOutcome(r.RequestID).want(http.StatusCreated)
	e.vrSetStatus(v, r.RequestID, "PENDING_APPROVAL").want(http.StatusOK)
	before = e.insideState(r.RequestID)
	e.call(http.MethodPatch, path, v.Token, map[string]any{"priority": "URGENT"}).wantProblem(http.StatusConflict, "invalid_status")
	e.call(http.MethodPost, path+"/models", v.Token, addOther).wantProblem(http.StatusConflict, "invalid_status")
	if after := e.insideState(r.RequestID); after != before {
		t.Fatalf("refused calls changed the request:\n%s\n%s", before, after)
	}
}
