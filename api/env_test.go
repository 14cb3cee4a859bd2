package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"mrmflow/api"
	"mrmflow/internal/app"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
	"mrmflow/internal/user"
)

// testEnv is one test's running API on its own database.
type testEnv struct {
	t     *testing.T
	db    *testdb.DB
	srv   *httptest.Server
	admin fixtureUser
}

// fixtureUser is a user made for a test, with a token to call the API as them.
type fixtureUser struct {
	ID    int32
	Email string
	Role  domain.Role
	Token string
}

var userSeq atomic.Int64

// newEnv starts the API (middleware and all) over a fresh database and creates an ADMIN.
func newEnv(t *testing.T) *testEnv { return newEnvWith(t, nil) }

// newEnvWith is newEnv with the server's dependencies changed by tweak first (nil: none).
func newEnvWith(t *testing.T, tweak func(*api.Deps)) *testEnv {
	t.Helper()
	d := testdb.New(t, 20)
	m := metrics.New()
	deps := api.Deps{
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics:        m,
		Pool:           d.Pool,
		Services:       app.New(d.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, m, 0),
		RequestTimeout: 30 * time.Second,
	}
	if tweak != nil {
		tweak(&deps)
	}
	srv := api.New(deps)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &testEnv{t: t, db: d, srv: ts}
	e.admin = e.user(domain.RoleAdmin)
	return e
}

// user creates a user with role and returns it with a token. A REGIONAL_APPROVER belongs to a
// region of its own, made for it.
func (e *testEnv) user(role domain.Role) fixtureUser {
	e.t.Helper()
	n := userSeq.Add(1)
	email := fmt.Sprintf("user%d-%s@bank.test", n, role)
	var regions []int32
	if role == domain.RoleRegionalApprover {
		var id int32
		if err := e.db.Pool.QueryRow(context.Background(), `INSERT INTO regions (code, name) VALUES ($1, $1) RETURNING region_id`,
			fmt.Sprintf("U%d", n)).Scan(&id); err != nil {
			e.t.Fatalf("create a region for a regional approver: %v", err)
		}
		regions = []int32{id}
	}
	u, tok, err := user.NewService(e.db.Pool, pgtx.Limits{}, 0).Bootstrap(context.Background(),
		user.CreateInput{Email: email, FullName: fmt.Sprintf("Test %s %d", role, n), Role: role, RegionIDs: regions}, "test")
	if err != nil {
		e.t.Fatalf("create %s user: %v", role, err)
	}
	return fixtureUser{ID: u.UserID, Email: email, Role: role, Token: tok.Token}
}

// result is one HTTP exchange.
type result struct {
	t      *testing.T
	Status int
	Header http.Header
	Body   []byte
}

// call sends a request as the user whose token is given ("" sends none). body is encoded as JSON
// unless it is a string or []byte, which are sent as they are. Every exchange is checked against
// openapi.yaml.
func (e *testEnv) call(method, path, token string, body any, headers ...string) *result {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatalf("encode request body: %v", err)
		}
	}
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatalf("build request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read response: %v", err)
	}
	checkAgainstOpenAPI(e.t, req, raw, resp, respBody)
	return &result{t: e.t, Status: resp.StatusCode, Header: resp.Header, Body: respBody}
}

// want fails the test unless the status is status.
func (r *result) want(status int) *result {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// decode decodes the body into v.
func (r *result) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem is the problem+json body of an error answer.
type problem struct {
	Code      string              `json:"code"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	RequestID string              `json:"request_id"`
	Errors    []domain.FieldError `json:"errors"`
	Unmet     []string            `json:"unmet"`
	Extra     map[string]any      `json:"-"`
}

// wantProblem fails unless the answer is a problem+json with status and code; it returns it.
func (r *result) wantProblem(status int, code string) problem {
	r.t.Helper()
	r.want(status)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("content type %q, want application/problem+json", ct)
	}
	var p problem
	r.decode(&p)
	if p.Code != code {
		r.t.Fatalf("problem code %q, want %q; body: %s", p.Code, code, r.Body)
	}
	return p
}
