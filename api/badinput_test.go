package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"mrmflow/api"
	"mrmflow/internal/domain"
)

// cursorFor forges a cursor for a keyset position, as a client tampering with one would.
func cursorFor(after int64) string {
	return "c1." + base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(after, 10)))
}

// TestBadInput sends invalid input to every foundation endpoint. Each case must be refused with
// its status and code, name the offending field, change no row (audit rows included) and never be
// a 500.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	other := e.user(domain.RoleUser)
	reg := e.region(false)
	m := e.model(owner, reg.RegionID)
	var tok tokenBody
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", owner.ID), owner.Token, map[string]any{"name": "spare"}).
		want(http.StatusCreated).decode(&tok)

	long := func(n int) string { return strings.Repeat("é", n) } // multi-byte: limits count characters
	user := func(kv ...any) map[string]any {
		b := map[string]any{"email": "new@bank.test", "full_name": "New User", "role": "USER"}
		for i := 0; i+1 < len(kv); i += 2 {
			b[kv[i].(string)] = kv[i+1]
		}
		return b
	}
	version := func(kv ...any) map[string]any {
		b := map[string]any{"version_number": "9.9", "change_description": "change", "scope": "GLOBAL"}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(b, kv[i].(string))
				continue
			}
			b[kv[i].(string)] = kv[i+1]
		}
		return b
	}
	users := "/api/v1/users"
	tokens := fmt.Sprintf("/api/v1/users/%d/tokens", owner.ID)
	regions := "/api/v1/regions"
	models := "/api/v1/models"
	delegates := fmt.Sprintf("/api/v1/models/%d/delegates", m.ModelID)
	versions := fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID)
	huge := `{"model_name":"` + strings.Repeat("a", api.MaxBodyBytes+1) + `"}`

	cases := []struct {
		name    string
		method  string
		path    string
		token   string // "" means the ADMIN's
		body    any
		headers []string
		status  int
		code    string
		field   string // "" when the problem has no field (413, 415)
	}{
		// Decoding: the shape of the body.
		{"unknown field", "POST", users, "", user("nickname", "ada"), nil, 400, "invalid_request", "nickname"},
		{"trailing object", "POST", users, "", `{"email":"a@b.test","full_name":"A","role":"USER"} {}`, nil, 400, "invalid_request", "body"},
		{"trailing garbage", "POST", models, "", `{"model_name":"x"}x`, nil, 400, "invalid_request", "body"},
		{"empty body", "POST", users, "", "", nil, 400, "invalid_request", "body"},
		{"whitespace body", "POST", regions, "", "  \n ", nil, 400, "invalid_request", "body"},
		{"array instead of object", "POST", users, "", `[{"email":"a@b.test"}]`, nil, 400, "invalid_request", "body"},
		{"string instead of object", "POST", regions, "", `"EU"`, nil, 400, "invalid_request", "body"},
		{"truncated JSON", "POST", users, "", `{"email":"a@b.test",`, nil, 400, "invalid_request", "body"},
		{"null body", "POST", regions, "", `null`, nil, 400, "invalid_request", "code"},
		{"wrong content type", "POST", users, "", user(), []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", ""},
		{"form content type", "POST", models, "", "model_name=x", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", ""},
		{"missing content type", "POST", regions, "", `{"code":"X","name":"X"}`, []string{"Content-Type", ""}, 415, "unsupported_media_type", ""},
		{"body over 1 MiB", "POST", models, "", huge, nil, 413, "body_too_large", ""},

		// Users and tokens.
		{"email wrong type", "POST", users, "", user("email", 5), nil, 400, "invalid_request", "email"},
		{"email missing", "POST", users, "", `{"full_name":"A","role":"USER"}`, nil, 400, "invalid_request", "email"},
		{"email without @", "POST", users, "", user("email", "nobody.bank.test"), nil, 400, "invalid_request", "email"},
		{"email 201 chars", "POST", users, "", user("email", long(195)+"@b.test"), nil, 400, "invalid_request", "email"},
		{"full_name 201 chars", "POST", users, "", user("full_name", long(201)), nil, 400, "invalid_request", "full_name"},
		{"full_name empty", "POST", users, "", user("full_name", ""), nil, 400, "invalid_request", "full_name"},
		{"unknown role", "POST", users, "", user("role", "ROOT"), nil, 400, "invalid_request", "role"},
		{"role null", "POST", users, "", user("role", nil), nil, 400, "invalid_request", "role"},
		{"token name 201 chars", "POST", tokens, "", map[string]any{"name": long(201)}, nil, 400, "invalid_request", "name"},
		{"token name missing", "POST", tokens, "", map[string]any{}, nil, 400, "invalid_request", "name"},
		{"token name number", "POST", tokens, "", map[string]any{"name": 7}, nil, 400, "invalid_request", "name"},

		// Regions.
		{"region code 201 chars", "POST", regions, "", map[string]any{"code": long(201), "name": "X"}, nil, 400, "invalid_request", "code"},
		{"region name empty", "POST", regions, "", map[string]any{"code": "X1", "name": ""}, nil, 400, "invalid_request", "name"},
		{"approval flag as string", "POST", regions, "", map[string]any{"code": "X1", "name": "X", "requires_regional_approval": "yes"}, nil, 400, "invalid_request", "requires_regional_approval"},

		// Models: names, text and ids.
		{"model_name 201 chars", "POST", models, "", map[string]any{"model_name": long(201)}, nil, 400, "invalid_request", "model_name"},
		{"model_name missing", "POST", models, "", map[string]any{"description": "x"}, nil, 400, "invalid_request", "model_name"},
		{"description 4001 chars", "POST", models, "", map[string]any{"model_name": "x", "description": long(4001)}, nil, 400, "invalid_request", "description"},
		{"owner_id 0", "POST", models, "", map[string]any{"model_name": "x", "owner_id": 0}, nil, 400, "invalid_request", "owner_id"},
		{"owner_id -1", "POST", models, "", map[string]any{"model_name": "x", "owner_id": -1}, nil, 400, "invalid_request", "owner_id"},
		{"owner_id 2147483648", "POST", models, "", `{"model_name":"x","owner_id":2147483648}`, nil, 400, "invalid_request", "owner_id"},
		{"owner_id 1.5", "POST", models, "", `{"model_name":"x","owner_id":1.5}`, nil, 400, "invalid_request", "owner_id"},
		{"owner_id string", "POST", models, "", `{"model_name":"x","owner_id":"1"}`, nil, 400, "invalid_request", "owner_id"},
		{"owner_id huge", "POST", models, "", `{"model_name":"x","owner_id":1e30}`, nil, 400, "invalid_request", "owner_id"},
		{"region_ids duplicate", "POST", models, "", map[string]any{"model_name": "x", "region_ids": []int32{reg.RegionID, reg.RegionID}}, nil, 400, "invalid_request", "region_ids[1]"},
		{"region_ids zero", "POST", models, "", map[string]any{"model_name": "x", "region_ids": []int{0}}, nil, 400, "invalid_request", "region_ids[0]"},
		{"region_ids out of int4", "POST", models, "", `{"model_name":"x","region_ids":[1,2147483648]}`, nil, 400, "invalid_request", "region_ids[1]"},
		{"region_ids not an array", "POST", models, "", `{"model_name":"x","region_ids":1}`, nil, 400, "invalid_request", "region_ids"},
		{"region_ids string item", "POST", models, "", `{"model_name":"x","region_ids":["1"]}`, nil, 400, "invalid_request", "region_ids"},

		// Delegates.
		{"delegate user_id 0", "POST", delegates, "", map[string]any{"user_id": 0}, nil, 400, "invalid_request", "user_id"},
		{"delegate user_id string", "POST", delegates, "", `{"user_id":"2"}`, nil, 400, "invalid_request", "user_id"},
		{"delegate user_id missing", "POST", delegates, "", map[string]any{}, nil, 400, "invalid_request", "user_id"},
		{"delegate is the owner", "POST", delegates, owner.Token, map[string]any{"user_id": owner.ID}, nil, 400, "invalid_request", "user_id"},

		// Versions.
		{"date month 13", "POST", versions, owner.Token, version("planned_production_date", "2026-13-01"), nil, 400, "invalid_request", "planned_production_date"},
		{"date short form", "POST", versions, owner.Token, version("planned_production_date", "26-1-1"), nil, 400, "invalid_request", "planned_production_date"},
		{"date with time", "POST", versions, owner.Token, version("planned_production_date", "2026-01-01T00:00:00Z"), nil, 400, "invalid_request", "planned_production_date"},
		{"date Feb 30", "POST", versions, owner.Token, version("planned_production_date", "2026-02-30"), nil, 400, "invalid_request", "planned_production_date"},
		{"date number", "POST", versions, owner.Token, version("planned_production_date", 20260101), nil, 400, "invalid_request", "planned_production_date"},
		{"unknown scope", "POST", versions, owner.Token, version("scope", "LOCAL"), nil, 400, "invalid_request", "scope"},
		{"version_number missing", "POST", versions, owner.Token, version("version_number", nil), nil, 400, "invalid_request", "version_number"},
		{"version_number 201 chars", "POST", versions, owner.Token, version("version_number", long(201)), nil, 400, "invalid_request", "version_number"},
		{"version_number number", "POST", versions, owner.Token, version("version_number", 2), nil, 400, "invalid_request", "version_number"},
		{"change_description 4001 chars", "POST", versions, owner.Token, version("change_description", long(4001)), nil, 400, "invalid_request", "change_description"},
		{"change_description empty", "POST", versions, owner.Token, version("change_description", ""), nil, 400, "invalid_request", "change_description"},
		{"REGIONAL without regions", "POST", versions, owner.Token, version("scope", "REGIONAL"), nil, 400, "invalid_request", "region_ids"},
		{"GLOBAL with regions", "POST", versions, owner.Token, version("region_ids", []int32{reg.RegionID}), nil, 400, "invalid_request", "region_ids"},
		{"version region_ids duplicate", "POST", versions, owner.Token, version("scope", "REGIONAL", "region_ids", []int32{reg.RegionID, reg.RegionID}), nil, 400, "invalid_request", "region_ids[1]"},
		{"version unknown field", "POST", versions, owner.Token, version("validation_request_id", 1), nil, 400, "invalid_request", "validation_request_id"},

		// Path ids.
		{"model id not a number", "GET", "/api/v1/models/abc", "", nil, nil, 400, "invalid_request", "model_id"},
		{"model id 0", "GET", "/api/v1/models/0", "", nil, nil, 400, "invalid_request", "model_id"},
		{"model id -1", "GET", "/api/v1/models/-1", "", nil, nil, 400, "invalid_request", "model_id"},
		{"model id 2147483648", "GET", "/api/v1/models/2147483648", "", nil, nil, 400, "invalid_request", "model_id"},
		{"model id 1.5", "GET", "/api/v1/models/1.5", "", nil, nil, 400, "invalid_request", "model_id"},
		{"version id not a number", "GET", "/api/v1/versions/v1", "", nil, nil, 400, "invalid_request", "version_id"},
		{"versions of model x", "GET", "/api/v1/models/x/versions", "", nil, nil, 400, "invalid_request", "model_id"},
		{"version create on model 0", "POST", "/api/v1/models/0/versions", "", version(), nil, 400, "invalid_request", "model_id"},
		{"token id not a number", "DELETE", "/api/v1/tokens/abc", "", nil, nil, 400, "invalid_request", "token_id"},
		{"token id 0", "DELETE", "/api/v1/tokens/0", "", nil, nil, 400, "invalid_request", "token_id"},
		{"tokens of user 1.5", "POST", "/api/v1/users/1.5/tokens", "", map[string]any{"name": "x"}, nil, 400, "invalid_request", "user_id"},
		{"delegate revoke user abc", "DELETE", fmt.Sprintf("/api/v1/models/%d/delegates/abc", m.ModelID), "", nil, nil, 400, "invalid_request", "user_id"},
		{"delegate revoke model 0", "DELETE", fmt.Sprintf("/api/v1/models/0/delegates/%d", other.ID), "", nil, nil, 400, "invalid_request", "model_id"},
		{"delegate add model x", "POST", "/api/v1/models/x/delegates", "", map[string]any{"user_id": other.ID}, nil, 400, "invalid_request", "model_id"},

		// Query parameters.
		{"limit 0", "GET", "/api/v1/regions?limit=0", "", nil, nil, 400, "invalid_request", "limit"},
		{"limit 501", "GET", "/api/v1/models?limit=501", "", nil, nil, 400, "invalid_request", "limit"},
		{"limit -1", "GET", "/api/v1/audit-logs?limit=-1", "", nil, nil, 400, "invalid_request", "limit"},
		{"limit not a number", "GET", "/api/v1/regions?limit=ten", "", nil, nil, 400, "invalid_request", "limit"},
		{"limit 1.5", "GET", versions + "?limit=1.5", "", nil, nil, 400, "invalid_request", "limit"},
		{"cursor garbage", "GET", "/api/v1/regions?cursor=garbage", "", nil, nil, 400, "invalid_request", "cursor"},
		{"cursor bad base64", "GET", "/api/v1/models?cursor=c1.%21%21", "", nil, nil, 400, "invalid_request", "cursor"},
		{"cursor zero position", "GET", "/api/v1/audit-logs?cursor=c1.MA", "", nil, nil, 400, "invalid_request", "cursor"},
		{"audit entity_id without entity_type", "GET", "/api/v1/audit-logs?entity_id=1", "", nil, nil, 400, "invalid_request", "entity_id"},
		{"audit entity_id 0", "GET", "/api/v1/audit-logs?entity_id=0", "", nil, nil, 400, "invalid_request", "entity_id"},
		{"audit entity_id 2147483648", "GET", "/api/v1/audit-logs?entity_id=2147483648", "", nil, nil, 400, "invalid_request", "entity_id"},
		{"audit user_id abc", "GET", "/api/v1/audit-logs?user_id=abc", "", nil, nil, 400, "invalid_request", "user_id"},
		{"audit action 201 chars", "GET", "/api/v1/audit-logs?action=" + strings.Repeat("A", 201), "", nil, nil, 400, "invalid_request", "action"},
		{"audit entity_type 201 chars", "GET", "/api/v1/audit-logs?entity_type=" + strings.Repeat("a", 201), "", nil, nil, 400, "invalid_request", "entity_type"},
		{"audit action not UTF-8", "GET", "/api/v1/audit-logs?action=%FF", "", nil, nil, 400, "invalid_request", "action"},
		{"audit entity_type with NUL", "GET", "/api/v1/audit-logs?entity_type=a%00b", "", nil, nil, 400, "invalid_request", "entity_type"},
		{"cursor past int4 ids", "GET", "/api/v1/regions?cursor=" + cursorFor(4294967297), "", nil, nil, 400, "invalid_request", "cursor"},
		{"cursor just past int4", "GET", "/api/v1/models?cursor=" + cursorFor(2147483648), "", nil, nil, 400, "invalid_request", "cursor"},

		// Text PostgreSQL cannot store: refused up front, never a 500.
		{"region code with NUL", "POST", regions, "", `{"code":"a\u0000b","name":"n"}`, nil, 400, "invalid_request", "code"},
		{"model name with NUL", "POST", models, "", `{"model_name":"x\u0000y"}`, nil, 400, "invalid_request", "model_name"},
		{"token name with NUL", "POST", tokens, "", `{"name":"\u0000"}`, nil, 400, "invalid_request", "name"},
		{"version description with NUL", "POST", versions, "", version("change_description", "a\x00b"), nil, 400, "invalid_request", "change_description"},
		{"planned date year 0", "POST", versions, "", version("planned_production_date", "0000-01-01"), nil, 400, "invalid_request", "planned_production_date"},
		{"planned date year 1", "POST", versions, "", version("planned_production_date", "0001-01-01"), nil, 400, "invalid_request", "planned_production_date"},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}

	before := e.rowCounts()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := e.as(t)
			token := tc.token
			if token == "" {
				token = e.admin.Token
			}
			r := e.call(tc.method, tc.path, token, tc.body, tc.headers...)
			if r.Status >= 500 {
				t.Fatalf("%s %s: %d: %s", tc.method, tc.path, r.Status, r.Body)
			}
			p := r.wantProblem(tc.status, tc.code)
			if tc.field != "" {
				wantField(t, p, tc.field)
			}
			if p.Detail == "" || p.RequestID == "" {
				t.Errorf("problem without detail or request_id: %s", r.Body)
			}
			e.wantUnchanged(before)
		})
	}
}
