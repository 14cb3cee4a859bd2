package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mrmflow/internal/domain"
)

// This file holds the fixtures the foundation tests share (regions, models, versions, audit and
// row counts) and the tests of users, tokens and authentication.

// as returns a view of e whose failures are reported on t, so parallel subtests can share one
// running API and database.
func (e *testEnv) as(t *testing.T) *testEnv {
	c := *e
	c.t = t
	return &c
}

var codeSeq atomic.Int64

// uniqueCode returns a region code no other test of this run uses.
func uniqueCode(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, codeSeq.Add(1))
}

type regionBody struct {
	RegionID                 int32     `json:"region_id"`
	Code                     string    `json:"code"`
	Name                     string    `json:"name"`
	RequiresRegionalApproval bool      `json:"requires_regional_approval"`
	CreatedAt                time.Time `json:"created_at"`
}

type modelBody struct {
	ModelID     int32  `json:"model_id"`
	ModelName   string `json:"model_name"`
	Description string `json:"description"`
	OwnerID     int32  `json:"owner_id"`
	Regions     []struct {
		RegionID   int32      `json:"region_id"`
		Code       string     `json:"code"`
		VersionID  *int32     `json:"version_id"`
		DeployedAt *time.Time `json:"deployed_at"`
	} `json:"regions"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type delegateBody struct {
	DelegateID int32      `json:"delegate_id"`
	ModelID    int32      `json:"model_id"`
	UserID     int32      `json:"user_id"`
	GrantedBy  int32      `json:"granted_by"`
	GrantedAt  time.Time  `json:"granted_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

type versionBody struct {
	VersionID             int32   `json:"version_id"`
	ModelID               int32   `json:"model_id"`
	VersionNumber         string  `json:"version_number"`
	ChangeDescription     string  `json:"change_description"`
	Scope                 string  `json:"scope"`
	RegionIDs             []int32 `json:"region_ids"`
	ValidationRequestID   *int32  `json:"validation_request_id"`
	PlannedProductionDate *string `json:"planned_production_date"`
	ActualProductionDate  *string `json:"actual_production_date"`
}

type userBody struct {
	UserID    int32     `json:"user_id"`
	Email     string    `json:"email"`
	FullName  string    `json:"full_name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

type tokenBody struct {
	TokenID   int32     `json:"token_id"`
	Name      string    `json:"name"`
	Token     string    `json:"token"`
	CreatedAt time.Time `json:"created_at"`
}

type auditBody struct {
	AuditID    int64           `json:"audit_id"`
	EntityType string          `json:"entity_type"`
	EntityID   int32           `json:"entity_id"`
	Action     string          `json:"action"`
	UserID     *int32          `json:"user_id"`
	Changes    json.RawMessage `json:"changes"`
	CreatedAt  time.Time       `json:"created_at"`
}

type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// region creates a region as the ADMIN.
func (e *testEnv) region(approval bool) regionBody {
	e.t.Helper()
	var r regionBody
	e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{
		"code": uniqueCode("R"), "name": "Region", "requires_regional_approval": approval,
	}).want(http.StatusCreated).decode(&r)
	return r
}

// model creates a model owned by owner (created by the ADMIN) running in regionIDs.
func (e *testEnv) model(owner fixtureUser, regionIDs ...int32) modelBody {
	e.t.Helper()
	if regionIDs == nil {
		regionIDs = []int32{}
	}
	var m modelBody
	e.call(http.MethodPost, "/api/v1/models", e.admin.Token, map[string]any{
		"model_name": "PD model", "description": "probability of default", "owner_id": owner.ID, "region_ids": regionIDs,
	}).want(http.StatusCreated).decode(&m)
	return m
}

// delegate makes u a delegate of model modelID (as the ADMIN).
func (e *testEnv) delegate(modelID int32, u fixtureUser) {
	e.t.Helper()
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/delegates", modelID), e.admin.Token,
		map[string]any{"user_id": u.ID}).want(http.StatusCreated)
}

// audits lists audit rows (as the ADMIN) matching the query filters, newest first.
func (e *testEnv) audits(filters url.Values) []auditBody {
	e.t.Helper()
	filters.Set("limit", "500")
	var p page[auditBody]
	e.call(http.MethodGet, "/api/v1/audit-logs?"+filters.Encode(), e.admin.Token, nil).want(http.StatusOK).decode(&p)
	return p.Items
}

// wantAudit fails unless exactly one audit row with action exists for the entity written by by
// (each filter of GET /api/v1/audit-logs is used).
func (e *testEnv) wantAudit(action, entityType string, entityID int32, by int32) auditBody {
	e.t.Helper()
	rows := e.audits(url.Values{
		"action": {action}, "entity_type": {entityType}, "entity_id": {fmt.Sprint(entityID)}, "user_id": {fmt.Sprint(by)},
	})
	if len(rows) != 1 {
		e.t.Fatalf("%d %s audit rows for %s %d, want 1: %+v", len(rows), action, entityType, entityID, rows)
	}
	r := rows[0]
	if r.UserID == nil || *r.UserID != by {
		e.t.Fatalf("%s audit row user_id = %v, want %d", action, r.UserID, by)
	}
	if r.CreatedAt.IsZero() || len(r.Changes) == 0 || r.Changes[0] != '{' {
		e.t.Fatalf("%s audit row is incomplete: %+v", action, r)
	}
	return r
}

// foundationTables are the tables the foundation endpoints write.
var foundationTables = []string{
	"users", "api_tokens", "regions", "models", "model_regions", "model_delegates",
	"model_versions", "model_version_regions", "audit_logs",
}

// rowCounts counts the rows of every foundation table (revoked tokens and delegates too, so an
// update that should not have happened shows as well).
func (e *testEnv) rowCounts() map[string]int64 {
	e.t.Helper()
	counts := make(map[string]int64, len(foundationTables)+2)
	ctx := context.Background()
	for _, table := range foundationTables {
		var n int64
		if err := e.db.Pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			e.t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	var n int64
	if err := e.db.Pool.QueryRow(ctx, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NOT NULL").Scan(&n); err != nil {
		e.t.Fatalf("count revoked tokens: %v", err)
	}
	counts["api_tokens revoked"] = n
	if err := e.db.Pool.QueryRow(ctx, "SELECT count(*) FROM model_delegates WHERE revoked_at IS NOT NULL").Scan(&n); err != nil {
		e.t.Fatalf("count revoked delegates: %v", err)
	}
	counts["model_delegates revoked"] = n
	return counts
}

// wantUnchanged fails if any count differs from before.
func (e *testEnv) wantUnchanged(before map[string]int64) {
	e.t.Helper()
	after := e.rowCounts()
	for k, v := range before {
		if after[k] != v {
			e.t.Errorf("%s: %d rows, want %d (unchanged)", k, after[k], v)
		}
	}
}

// wantField fails unless the problem names field among its errors.
func wantField(t *testing.T, p problem, field string) {
	t.Helper()
	for _, f := range p.Errors {
		if f.Field == field {
			if f.Message == "" {
				t.Errorf("error for field %q has no message", field)
			}
			return
		}
	}
	t.Errorf("problem errors %+v do not name field %q", p.Errors, field)
}

func TestUserCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var u userBody
	r := e.call(http.MethodPost, "/api/v1/users", e.admin.Token, map[string]any{
		"email": "Ada.Lovelace@Bank.test", "full_name": "Ada Lovelace", "role": "VALIDATOR",
	}).want(http.StatusCreated)
	r.decode(&u)
	if u.UserID < 1 || u.Email != "Ada.Lovelace@Bank.test" || u.FullName != "Ada Lovelace" || u.Role != "VALIDATOR" || u.CreatedAt.IsZero() {
		t.Fatalf("created user = %+v", u)
	}
	a := e.wantAudit("USER_CREATED", "user", u.UserID, e.admin.ID)
	if !strings.Contains(string(a.Changes), `"role":"VALIDATOR"`) {
		t.Errorf("USER_CREATED changes = %s", a.Changes)
	}

	before := e.rowCounts()
	// Emails are unique case-insensitively.
	e.call(http.MethodPost, "/api/v1/users", e.admin.Token, map[string]any{
		"email": "ada.lovelace@bank.test", "full_name": "Another Ada", "role": "USER",
	}).wantProblem(http.StatusConflict, "conflict")
	e.wantUnchanged(before)
	for _, role := range []domain.Role{domain.RoleValidator, domain.RoleUser} {
		caller := e.user(role)
		before = e.rowCounts()
		e.call(http.MethodPost, "/api/v1/users", caller.Token, map[string]any{
			"email": "x" + string(role) + "@bank.test", "full_name": "X", "role": "ADMIN",
		}).wantProblem(http.StatusForbidden, "forbidden")
		e.wantUnchanged(before)
	}
}

func TestUserMe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleValidator, domain.RoleUser} {
		u := e.user(role)
		var me userBody
		e.call(http.MethodGet, "/api/v1/users/me", u.Token, nil).want(http.StatusOK).decode(&me)
		if me.UserID != u.ID || me.Email != u.Email || me.Role != string(role) {
			t.Errorf("me = %+v, want %+v", me, u)
		}
	}
}

func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user(domain.RoleUser)
	other := e.user(domain.RoleUser)

	// A user issues a token for themselves; it works at once and only its creation shows it.
	var tok tokenBody
	r := e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", u.ID), u.Token, map[string]any{"name": "laptop"}).
		want(http.StatusCreated)
	r.decode(&tok)
	if tok.TokenID < 1 || tok.Name != "laptop" || !strings.HasPrefix(tok.Token, "mrm_") || tok.CreatedAt.IsZero() {
		t.Fatalf("token = %+v", tok)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var me userBody
	e.call(http.MethodGet, "/api/v1/users/me", tok.Token, nil).want(http.StatusOK).decode(&me)
	if me.UserID != u.ID {
		t.Fatalf("new token authenticates user %d, want %d", me.UserID, u.ID)
	}
	e.wantAudit("TOKEN_CREATED", "api_token", tok.TokenID, u.ID)

	// ADMIN issues tokens for anyone; others only for themselves; unknown users are 404.
	var adminMade tokenBody
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", other.ID), e.admin.Token, map[string]any{"name": "ci"}).
		want(http.StatusCreated).decode(&adminMade)
	e.wantAudit("TOKEN_CREATED", "api_token", adminMade.TokenID, e.admin.ID)
	before := e.rowCounts()
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", other.ID), u.Token, map[string]any{"name": "steal"}).
		wantProblem(http.StatusForbidden, "forbidden")
	e.call(http.MethodPost, "/api/v1/users/999999/tokens", e.admin.Token, map[string]any{"name": "ghost"}).
		wantProblem(http.StatusNotFound, "not_found")
	e.wantUnchanged(before)

	// Only ADMIN and the token's owner may revoke it.
	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", tok.TokenID), other.Token, nil).
		wantProblem(http.StatusForbidden, "forbidden")
	e.call(http.MethodDelete, "/api/v1/tokens/999999", e.admin.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.wantUnchanged(before)

	r = e.call(http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", tok.TokenID), u.Token, nil).want(http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 has a body: %q", r.Body)
	}
	e.wantAudit("TOKEN_REVOKED", "api_token", tok.TokenID, u.ID)
	e.call(http.MethodGet, "/api/v1/users/me", tok.Token, nil).wantProblem(http.StatusUnauthorized, "unauthenticated")

	// Revoking again succeeds and records nothing more.
	before = e.rowCounts()
	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", tok.TokenID), e.admin.Token, nil).want(http.StatusNoContent)
	e.wantUnchanged(before)

	// ADMIN revokes someone else's token.
	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", adminMade.TokenID), e.admin.Token, nil).want(http.StatusNoContent)
	e.wantAudit("TOKEN_REVOKED", "api_token", adminMade.TokenID, e.admin.ID)
}

func TestAuthenticationFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user(domain.RoleUser)

	var revoked tokenBody
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", u.ID), u.Token, map[string]any{"name": "old"}).
		want(http.StatusCreated).decode(&revoked)
	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", revoked.TokenID), u.Token, nil).want(http.StatusNoContent)

	// A valid token id with another secret, and a well-formed token for an id that does not exist.
	tokenID, _, _ := strings.Cut(strings.TrimPrefix(u.Token, "mrm_"), "_")
	wrongSecret := "mrm_" + tokenID + "_" + strings.Repeat("A", 43)

	cases := []struct {
		name    string
		headers []string
	}{
		{"no Authorization header", nil},
		{"empty bearer", []string{"Authorization", "Bearer "}},
		{"other scheme", []string{"Authorization", "Basic " + u.Token}},
		{"no scheme", []string{"Authorization", u.Token}},
		{"malformed token", []string{"Authorization", "Bearer not-a-token"}},
		{"malformed token id", []string{"Authorization", "Bearer mrm_abc_secret"}},
		{"token id out of range", []string{"Authorization", "Bearer mrm_2147483648_secret"}},
		{"unknown token", []string{"Authorization", "Bearer mrm_999999_" + strings.Repeat("x", 43)}},
		{"wrong secret", []string{"Authorization", "Bearer " + wrongSecret}},
		{"revoked token", []string{"Authorization", "Bearer " + revoked.Token}},
	}
	paths := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/users/me"},
		{http.MethodGet, "/api/v1/regions"},
		{http.MethodGet, "/api/v1/models"},
		{http.MethodGet, "/api/v1/audit-logs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := e.as(t)
			for _, p := range paths {
				r := e.call(p.method, p.path, "", nil, tc.headers...)
				pr := r.wantProblem(http.StatusUnauthorized, "unauthenticated")
				if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("%s %s: WWW-Authenticate = %q", p.method, p.path, got)
				}
				if pr.RequestID == "" || pr.RequestID != r.Header.Get("X-Request-ID") {
					t.Errorf("problem request_id %q, header %q", pr.RequestID, r.Header.Get("X-Request-ID"))
				}
			}
			// A write is refused before anything is decoded or stored.
			before := e.rowCounts()
			e.call(http.MethodPost, "/api/v1/regions", "", map[string]any{"code": "NOPE", "name": "Nope"}, tc.headers...).
				wantProblem(http.StatusUnauthorized, "unauthenticated")
			e.wantUnchanged(before)
		})
	}
}

func TestAuditLogAccessAndFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	validator := e.user(domain.RoleValidator)
	plain := e.user(domain.RoleUser)
	reg := e.region(false)
	m := e.model(plain, reg.RegionID)

	// VALIDATOR reads the log; USER may not.
	var p page[auditBody]
	e.call(http.MethodGet, "/api/v1/audit-logs", validator.Token, nil).want(http.StatusOK).decode(&p)
	if len(p.Items) == 0 {
		t.Fatal("VALIDATOR sees no audit rows")
	}
	e.call(http.MethodGet, "/api/v1/audit-logs", plain.Token, nil).wantProblem(http.StatusForbidden, "forbidden")

	// Newest first.
	for i := 1; i < len(p.Items); i++ {
		if p.Items[i-1].AuditID <= p.Items[i].AuditID {
			t.Fatalf("audit rows not newest first: %d before %d", p.Items[i-1].AuditID, p.Items[i].AuditID)
		}
	}

	// Each filter narrows; together they pick one row.
	rows := e.audits(url.Values{"entity_type": {"model"}})
	if len(rows) != 1 || rows[0].EntityID != m.ModelID || rows[0].Action != "MODEL_CREATED" {
		t.Fatalf("entity_type=model rows = %+v", rows)
	}
	rows = e.audits(url.Values{"user_id": {fmt.Sprint(e.admin.ID)}, "action": {"REGION_CREATED"}})
	if len(rows) != 1 || rows[0].EntityID != reg.RegionID || rows[0].EntityType != "region" {
		t.Fatalf("user_id+action rows = %+v", rows)
	}
	rows = e.audits(url.Values{"entity_type": {"region"}, "entity_id": {fmt.Sprint(reg.RegionID)}})
	if len(rows) != 1 {
		t.Fatalf("entity_type+entity_id rows = %+v", rows)
	}
	// Users made by the test harness are operator actions: no acting user.
	rows = e.audits(url.Values{"entity_type": {"user"}, "entity_id": {fmt.Sprint(plain.ID)}})
	if len(rows) != 1 || rows[0].UserID != nil {
		t.Fatalf("bootstrap user audit rows = %+v", rows)
	}
	if rows := e.audits(url.Values{"action": {"NO_SUCH_ACTION"}}); len(rows) != 0 {
		t.Fatalf("unknown action matched %+v", rows)
	}
	if rows := e.audits(url.Values{"entity_type": {"no_such_type"}}); len(rows) != 0 {
		t.Fatalf("unknown entity type matched %+v", rows)
	}
}

// TestAuditTrailOfEveryMutation runs every foundation mutation once and finds its audit row
// through the API, written by the acting user.
func TestAuditTrailOfEveryMutation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	var u userBody
	e.call(http.MethodPost, "/api/v1/users", e.admin.Token, map[string]any{
		"email": "owner@bank.test", "full_name": "Model Owner", "role": "USER",
	}).want(http.StatusCreated).decode(&u)
	e.wantAudit("USER_CREATED", "user", u.UserID, e.admin.ID)

	var tok tokenBody
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", u.UserID), e.admin.Token, map[string]any{"name": "owner"}).
		want(http.StatusCreated).decode(&tok)
	e.wantAudit("TOKEN_CREATED", "api_token", tok.TokenID, e.admin.ID)
	owner := fixtureUser{ID: u.UserID, Token: tok.Token, Role: domain.RoleUser}

	reg := e.region(true)
	e.wantAudit("REGION_CREATED", "region", reg.RegionID, e.admin.ID)

	var m modelBody
	e.call(http.MethodPost, "/api/v1/models", owner.Token, map[string]any{
		"model_name": "LGD", "region_ids": []int32{reg.RegionID},
	}).want(http.StatusCreated).decode(&m)
	e.wantAudit("MODEL_CREATED", "model", m.ModelID, owner.ID)

	helper := e.user(domain.RoleUser)
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/delegates", m.ModelID), owner.Token, map[string]any{"user_id": helper.ID}).
		want(http.StatusCreated)
	a := e.wantAudit("DELEGATE_ADDED", "model", m.ModelID, owner.ID)
	if !strings.Contains(string(a.Changes), fmt.Sprintf(`"delegate_user_id":%d`, helper.ID)) {
		t.Errorf("DELEGATE_ADDED changes = %s", a.Changes)
	}

	var v versionBody
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), helper.Token, map[string]any{
		"version_number": "1.0", "change_description": "first", "scope": "GLOBAL",
	}).want(http.StatusCreated).decode(&v)
	e.wantAudit("VERSION_CREATED", "model_version", v.VersionID, helper.ID)

	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/models/%d/delegates/%d", m.ModelID, helper.ID), owner.Token, nil).
		want(http.StatusOK)
	e.wantAudit("DELEGATE_REVOKED", "model", m.ModelID, owner.ID)

	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/tokens/%d", tok.TokenID), owner.Token, nil).want(http.StatusNoContent)
	e.wantAudit("TOKEN_REVOKED", "api_token", tok.TokenID, owner.ID)
}

func TestPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var want []int32
	for range 5 {
		want = append(want, e.region(false).RegionID)
	}

	var got []int32
	cursor := ""
	var sizes []int
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		path := "/api/v1/regions?limit=2"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var p page[regionBody]
		r := e.call(http.MethodGet, path, e.admin.Token, nil).want(http.StatusOK)
		r.decode(&p)
		sizes = append(sizes, len(p.Items))
		for _, it := range p.Items {
			got = append(got, it.RegionID)
		}
		if p.NextCursor == nil {
			if !strings.Contains(string(r.Body), `"next_cursor":null`) {
				t.Fatalf("last page does not carry next_cursor: null: %s", r.Body)
			}
			break
		}
		cursor = *p.NextCursor
	}
	if fmt.Sprint(sizes) != "[2 2 1]" {
		t.Fatalf("page sizes %v, want [2 2 1]", sizes)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("regions %v, want %v in id order", got, want)
	}

	// Default limit and an empty list.
	var all page[regionBody]
	e.call(http.MethodGet, "/api/v1/regions", e.admin.Token, nil).want(http.StatusOK).decode(&all)
	if len(all.Items) != 5 || all.NextCursor != nil {
		t.Fatalf("default page = %d items, next %v", len(all.Items), all.NextCursor)
	}
	var models page[modelBody]
	r := e.call(http.MethodGet, "/api/v1/models?limit=500", e.admin.Token, nil).want(http.StatusOK)
	r.decode(&models)
	if len(models.Items) != 0 || models.NextCursor != nil || !strings.Contains(string(r.Body), `"items":[]`) {
		t.Fatalf("empty model list = %s", r.Body)
	}

	// Audit rows page newest first with the same cursor mechanics.
	var first, second page[auditBody]
	e.call(http.MethodGet, "/api/v1/audit-logs?action=REGION_CREATED&limit=3", e.admin.Token, nil).want(http.StatusOK).decode(&first)
	if len(first.Items) != 3 || first.NextCursor == nil {
		t.Fatalf("first audit page = %+v", first)
	}
	e.call(http.MethodGet, "/api/v1/audit-logs?action=REGION_CREATED&limit=3&cursor="+url.QueryEscape(*first.NextCursor),
		e.admin.Token, nil).want(http.StatusOK).decode(&second)
	if len(second.Items) != 2 || second.NextCursor != nil || second.Items[0].AuditID >= first.Items[2].AuditID {
		t.Fatalf("second audit page = %+v", second)
	}
}
