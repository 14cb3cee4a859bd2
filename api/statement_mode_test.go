package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"mrmflow/internal/database"
	"mrmflow/internal/domain"
	"mrmflow/internal/testdb"
)

// TestEveryStatementModeServesTheWalkthrough runs the README's walkthrough — regions, a model, a
// version, deployments, a bulk confirmation, a validation request replayed by its
// Idempotency-Key, the audit log — with the service in each of pgx's statement modes a user may
// put in DATABASE_URL, directly and through a transaction-pooling PgBouncer (where pgx's default
// mode cannot work: TestPgBouncerTransactionPooling). Not parallel: few connections at a time.
func TestEveryStatementModeServesTheWalkthrough(t *testing.T) {
	for _, c := range []struct {
		route, mode string
	}{
		{"direct", "cache_statement"}, {"direct", "cache_describe"}, {"direct", "exec"},
		{"PgBouncer", "cache_describe"}, {"PgBouncer", "exec"},
	} {
		t.Run(c.route+"/"+c.mode, func(t *testing.T) {
			var d *testdb.DB
			if c.route == "PgBouncer" {
				d = testdb.NewThroughPgBouncer(t, 1)
			} else {
				d = testdb.New(t, 1)
			}
			u, err := url.Parse(d.URL)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Set("default_query_exec_mode", c.mode)
			u.RawQuery = q.Encode()
			pool, err := database.Open(context.Background(), u.String(), database.PoolOptions{MaxConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			e := envOn(t, d, pool)
			e.admin = e.user(domain.RoleAdmin)
			walkthrough(e)
		})
	}
}

// walkthrough is the README's walkthrough, each answer checked.
func walkthrough(e *testEnv) {
	e.t.Helper()
	r := e.region(false)
	m := e.model(e.admin, r.RegionID)
	var v struct {
		VersionID int32 `json:"version_id"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), e.admin.Token, map[string]any{
		"version_number": "2.0", "change_description": "recalibration", "scope": "GLOBAL", "planned_production_date": "2027-01-15",
	}).want(http.StatusCreated).decode(&v)
	var created struct {
		Tasks []struct {
			TaskID int32 `json:"task_id"`
		} `json:"tasks"`
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/versions/%d/deployments", v.VersionID), e.admin.Token, map[string]any{
		"targets": []map[string]any{{"region_id": r.RegionID, "planned_production_date": "2027-01-15"}},
	}).want(http.StatusCreated).decode(&created)
	var bulk bulkAnswer
	e.call(http.MethodPost, "/api/v1/deployment-tasks/bulk/confirm", e.admin.Token, map[string]any{
		"task_ids": []int32{created.Tasks[0].TaskID, 99999}, "actual_production_date": "2027-01-16", "validation_override_reason": "interim use",
	}).want(http.StatusOK).decode(&bulk)
	if bulk.SucceededCount != 1 || bulk.FailedCount != 1 {
		e.t.Fatalf("bulk confirm: %+v", bulk)
	}
	body := vrCreateBody("INTERIM", m.ModelID)
	first := e.call(http.MethodPost, "/api/v1/validation-requests", e.admin.Token, body, "Idempotency-Key", "mode-1").want(http.StatusCreated)
	again := e.call(http.MethodPost, "/api/v1/validation-requests", e.admin.Token, body, "Idempotency-Key", "mode-1").want(http.StatusCreated)
	if !bytes.Equal(first.Body, again.Body) {
		e.t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	e.call(http.MethodPost, "/api/v1/validation-requests", e.admin.Token, body).wantProblem(http.StatusConflict, "validation_conflict")
	e.wantAudit("DEPLOYMENT_CONFIRMED", "deployment_task", created.Tasks[0].TaskID, e.admin.ID)
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d", m.ModelID), e.admin.Token, nil).want(http.StatusOK)
}
