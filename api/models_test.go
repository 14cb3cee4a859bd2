package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"mrmflow/internal/domain"
)

func TestRegionCreateErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var reg regionBody
	e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{
		"code": "EU", "name": "Europe", "requires_regional_approval": true,
	}).want(http.StatusCreated).decode(&reg)
	if reg.RegionID < 1 || reg.Code != "EU" || reg.Name != "Europe" || !reg.RequiresRegionalApproval || reg.CreatedAt.IsZero() {
		t.Fatalf("region = %+v", reg)
	}
	// requires_regional_approval defaults to false.
	var us regionBody
	e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{"code": "US", "name": "United States"}).
		want(http.StatusCreated).decode(&us)
	if us.RequiresRegionalApproval {
		t.Fatalf("requires_regional_approval defaulted to true")
	}

	validator, plain := e.user(domain.RoleValidator), e.user(domain.RoleUser)
	before := e.rowCounts()
	e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{"code": "EU", "name": "Again"}).
		wantProblem(http.StatusConflict, "conflict")
	for _, u := range []fixtureUser{validator, plain} {
		e.call(http.MethodPost, "/api/v1/regions", u.Token, map[string]any{"code": "XX", "name": "X"}).
			wantProblem(http.StatusForbidden, "forbidden")
	}
	e.wantUnchanged(before)

	// Any authenticated user lists regions.
	var p page[regionBody]
	e.call(http.MethodGet, "/api/v1/regions", e.user(domain.RoleUser).Token, nil).want(http.StatusOK).decode(&p)
	if len(p.Items) != 2 {
		t.Fatalf("regions = %+v", p.Items)
	}
}

func TestModelCreateGetList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu, us := e.region(false), e.region(true)
	owner := e.user(domain.RoleUser)

	// A user registers a model they own; regions come back in id order whatever the input order.
	var m modelBody
	e.call(http.MethodPost, "/api/v1/models", owner.Token, map[string]any{
		"model_name": "PD", "description": "Retail PD", "region_ids": []int32{us.RegionID, eu.RegionID},
	}).want(http.StatusCreated).decode(&m)
	if m.ModelID < 1 || m.ModelName != "PD" || m.Description != "Retail PD" || m.OwnerID != owner.ID ||
		len(m.Regions) != 2 || m.Regions[0].RegionID != eu.RegionID || m.Regions[1].RegionID != us.RegionID ||
		m.Regions[0].Code != eu.Code || m.Regions[0].VersionID != nil || m.Regions[0].DeployedAt != nil ||
		m.CreatedAt.IsZero() || m.UpdatedAt.IsZero() {
		t.Fatalf("model = %+v", m)
	}

	var got modelBody
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d", m.ModelID), e.user(domain.RoleValidator).Token, nil).
		want(http.StatusOK).decode(&got)
	if fmt.Sprint(got) != fmt.Sprint(m) {
		t.Fatalf("get model = %+v, want %+v", got, m)
	}

	// Minimal body: no description, no regions, owned by the caller.
	var bare modelBody
	e.call(http.MethodPost, "/api/v1/models", owner.Token, map[string]any{"model_name": "LGD"}).
		want(http.StatusCreated).decode(&bare)
	if bare.Description != "" || len(bare.Regions) != 0 || bare.OwnerID != owner.ID {
		t.Fatalf("bare model = %+v", bare)
	}
	// ADMIN names another owner.
	var adminMade modelBody
	e.call(http.MethodPost, "/api/v1/models", e.admin.Token, map[string]any{"model_name": "EAD", "owner_id": owner.ID}).
		want(http.StatusCreated).decode(&adminMade)
	if adminMade.OwnerID != owner.ID {
		t.Fatalf("owner_id = %d, want %d", adminMade.OwnerID, owner.ID)
	}

	var p page[modelBody]
	e.call(http.MethodGet, "/api/v1/models", owner.Token, nil).want(http.StatusOK).decode(&p)
	if len(p.Items) != 3 || p.Items[0].ModelID != m.ModelID || len(p.Items[0].Regions) != 2 || p.NextCursor != nil {
		t.Fatalf("models = %+v", p)
	}

	before := e.rowCounts()
	// Only ADMIN names another owner.
	e.call(http.MethodPost, "/api/v1/models", owner.Token, map[string]any{"model_name": "X", "owner_id": e.admin.ID}).
		wantProblem(http.StatusForbidden, "forbidden")
	// Unknown owner and unknown regions are 404s naming what is missing.
	e.call(http.MethodPost, "/api/v1/models", e.admin.Token, map[string]any{"model_name": "X", "owner_id": 999999}).
		wantProblem(http.StatusNotFound, "not_found")
	r := e.call(http.MethodPost, "/api/v1/models", owner.Token, map[string]any{"model_name": "X", "region_ids": []int32{eu.RegionID, 999998}})
	r.wantProblem(http.StatusNotFound, "not_found")
	if !strings.Contains(string(r.Body), `"missing_ids":[999998]`) || !strings.Contains(string(r.Body), `"field":"region_ids"`) {
		t.Errorf("unknown region problem does not name it: %s", r.Body)
	}
	e.call(http.MethodGet, "/api/v1/models/999999", owner.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.wantUnchanged(before)
}

func TestDelegates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	d := e.user(domain.RoleUser)
	m := e.model(owner)
	path := fmt.Sprintf("/api/v1/models/%d/delegates", m.ModelID)

	var first delegateBody
	e.call(http.MethodPost, path, owner.Token, map[string]any{"user_id": d.ID}).want(http.StatusCreated).decode(&first)
	if first.DelegateID < 1 || first.ModelID != m.ModelID || first.UserID != d.ID || first.GrantedBy != owner.ID ||
		first.GrantedAt.IsZero() || first.RevokedAt != nil {
		t.Fatalf("delegate = %+v", first)
	}

	// Granting again returns the existing grant with 200 and records nothing.
	before := e.rowCounts()
	var again delegateBody
	e.call(http.MethodPost, path, e.admin.Token, map[string]any{"user_id": d.ID}).want(http.StatusOK).decode(&again)
	if again.DelegateID != first.DelegateID || again.GrantedBy != owner.ID {
		t.Fatalf("second grant = %+v, want the first %+v", again, first)
	}
	e.wantUnchanged(before)

	// Errors: the owner as delegate, unknown user, unknown model, revoking a non-delegate.
	p := e.call(http.MethodPost, path, owner.Token, map[string]any{"user_id": owner.ID}).wantProblem(http.StatusBadRequest, "invalid_request")
	wantField(t, p, "user_id")
	e.call(http.MethodPost, path, owner.Token, map[string]any{"user_id": 999999}).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodPost, "/api/v1/models/999999/delegates", e.admin.Token, map[string]any{"user_id": d.ID}).
		wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodDelete, fmt.Sprintf("%s/%d", path, e.admin.ID), owner.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/models/999999/delegates/%d", d.ID), e.admin.Token, nil).
		wantProblem(http.StatusNotFound, "not_found")
	e.wantUnchanged(before)

	// Revoke returns the grant with revoked_at; a second revoke is 404; a new grant is a new row.
	var revoked delegateBody
	e.call(http.MethodDelete, fmt.Sprintf("%s/%d", path, d.ID), owner.Token, nil).want(http.StatusOK).decode(&revoked)
	if revoked.DelegateID != first.DelegateID || revoked.RevokedAt == nil || revoked.RevokedAt.Before(revoked.GrantedAt) {
		t.Fatalf("revoked = %+v", revoked)
	}
	e.call(http.MethodDelete, fmt.Sprintf("%s/%d", path, d.ID), owner.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	var regrant delegateBody
	e.call(http.MethodPost, path, owner.Token, map[string]any{"user_id": d.ID}).want(http.StatusCreated).decode(&regrant)
	if regrant.DelegateID == first.DelegateID || regrant.RevokedAt != nil {
		t.Fatalf("re-grant = %+v", regrant)
	}
	// A revoked delegate may no longer add versions.
	e.call(http.MethodDelete, fmt.Sprintf("%s/%d", path, d.ID), e.admin.Token, nil).want(http.StatusOK)
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), d.Token, map[string]any{
		"version_number": "1", "change_description": "x", "scope": "GLOBAL",
	}).wantProblem(http.StatusForbidden, "forbidden")
}

func TestVersions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu, us, asia := e.region(false), e.region(false), e.region(false)
	owner := e.user(domain.RoleUser)
	m := e.model(owner, eu.RegionID, us.RegionID)
	base := fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID)

	var g versionBody
	e.call(http.MethodPost, base, owner.Token, map[string]any{
		"version_number": "1.0", "change_description": "initial", "scope": "GLOBAL", "planned_production_date": "2026-12-31",
	}).want(http.StatusCreated).decode(&g)
	if g.VersionID < 1 || g.ModelID != m.ModelID || g.VersionNumber != "1.0" || g.Scope != "GLOBAL" ||
		len(g.RegionIDs) != 0 || g.ValidationRequestID != nil || g.PlannedProductionDate == nil ||
		*g.PlannedProductionDate != "2026-12-31" || g.ActualProductionDate != nil {
		t.Fatalf("global version = %+v", g)
	}
	var rg versionBody
	e.call(http.MethodPost, base, owner.Token, map[string]any{
		"version_number": "1.1", "change_description": "EU and US recalibration", "scope": "REGIONAL",
		"region_ids": []int32{us.RegionID, eu.RegionID},
	}).want(http.StatusCreated).decode(&rg)
	if fmt.Sprint(rg.RegionIDs) != fmt.Sprint([]int32{eu.RegionID, us.RegionID}) || rg.PlannedProductionDate != nil {
		t.Fatalf("regional version = %+v", rg)
	}

	var got versionBody
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/versions/%d", rg.VersionID), e.user(domain.RoleUser).Token, nil).
		want(http.StatusOK).decode(&got)
	if fmt.Sprint(got) != fmt.Sprint(rg) {
		t.Fatalf("get version = %+v, want %+v", got, rg)
	}
	var p page[versionBody]
	e.call(http.MethodGet, base+"?limit=1", owner.Token, nil).want(http.StatusOK).decode(&p)
	if len(p.Items) != 1 || p.Items[0].VersionID != g.VersionID || p.NextCursor == nil {
		t.Fatalf("versions page 1 = %+v", p)
	}
	e.call(http.MethodGet, base+"?limit=1&cursor="+*p.NextCursor, owner.Token, nil).want(http.StatusOK).decode(&p)
	if len(p.Items) != 1 || p.Items[0].VersionID != rg.VersionID || p.NextCursor != nil {
		t.Fatalf("versions page 2 = %+v", p)
	}

	before := e.rowCounts()
	e.call(http.MethodPost, base, owner.Token, map[string]any{
		"version_number": "1.0", "change_description": "dup", "scope": "GLOBAL",
	}).wantProblem(http.StatusConflict, "conflict")
	pr := e.call(http.MethodPost, base, owner.Token, map[string]any{
		"version_number": "2.0", "change_description": "asia", "scope": "REGIONAL", "region_ids": []int32{asia.RegionID},
	}).wantProblem(http.StatusBadRequest, "invalid_request")
	wantField(t, pr, "region_ids")
	e.call(http.MethodPost, "/api/v1/models/999999/versions", e.admin.Token, map[string]any{
		"version_number": "1", "change_description": "x", "scope": "GLOBAL",
	}).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodGet, "/api/v1/models/999999/versions", owner.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodGet, "/api/v1/versions/999999", owner.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.wantUnchanged(before)
}

// TestAuthorizationMatrix checks who may add and revoke delegates and create versions: every role
// as the model's owner, as an active delegate and as an outsider.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()

	type relation string
	const (
		owner    relation = "owner"
		delegate relation = "delegate"
		outsider relation = "outsider"
	)
	for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleValidator, domain.RoleUser} {
		for _, rel := range []relation{owner, delegate, outsider} {
			t.Run(fmt.Sprintf("%s_%s", role, rel), func(t *testing.T) {
				t.Parallel()
				// Each case has its own database, so row counts see only its own requests.
				e := newEnv(t)
				other := e.user(domain.RoleUser) // owns the model when the actor does not
				actor := e.user(role)
				m := e.model(other)
				if rel == owner {
					m = e.model(actor)
				}
				if rel == delegate {
					e.delegate(m.ModelID, actor)
				}
				delegates := fmt.Sprintf("/api/v1/models/%d/delegates", m.ModelID)
				mayManage := role == domain.RoleAdmin || rel == owner
				mayVersion := mayManage || rel == delegate

				// Add a delegate.
				target := e.user(domain.RoleUser)
				before := e.rowCounts()
				r := e.call(http.MethodPost, delegates, actor.Token, map[string]any{"user_id": target.ID})
				if mayManage {
					r.want(http.StatusCreated)
					e.wantAudit("DELEGATE_ADDED", "model", m.ModelID, actor.ID)
				} else {
					r.wantProblem(http.StatusForbidden, "forbidden")
					e.wantUnchanged(before)
					e.delegate(m.ModelID, target) // so the revoke below has a grant to refuse
				}

				// Revoke it.
				before = e.rowCounts()
				r = e.call(http.MethodDelete, fmt.Sprintf("%s/%d", delegates, target.ID), actor.Token, nil)
				if mayManage {
					r.want(http.StatusOK)
					e.wantAudit("DELEGATE_REVOKED", "model", m.ModelID, actor.ID)
				} else {
					r.wantProblem(http.StatusForbidden, "forbidden")
					e.wantUnchanged(before)
				}

				// Create a version.
				before = e.rowCounts()
				r = e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), actor.Token, map[string]any{
					"version_number": "1.0", "change_description": "matrix", "scope": "GLOBAL",
				})
				if mayVersion {
					var v versionBody
					r.want(http.StatusCreated).decode(&v)
					e.wantAudit("VERSION_CREATED", "model_version", v.VersionID, actor.ID)
				} else {
					r.wantProblem(http.StatusForbidden, "forbidden")
					e.wantUnchanged(before)
				}

				// Reading is open to everyone.
				e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d", m.ModelID), actor.Token, nil).want(http.StatusOK)
				e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), actor.Token, nil).want(http.StatusOK)
			})
		}
	}
}
