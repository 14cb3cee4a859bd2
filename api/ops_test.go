package api_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mrmflow/api"
	"mrmflow/internal/app"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	for _, path := range []string{"/healthz", "/livez"} {
		var h struct{ Status string }
		e.call(http.MethodGet, path, "", nil).want(http.StatusOK).decode(&h)
		if h.Status != "ok" {
			t.Errorf("%s status = %q", path, h.Status)
		}
	}
	var ready struct{ Status string }
	e.call(http.MethodGet, "/readyz", "", nil).want(http.StatusOK).decode(&ready)
	if ready.Status != "ready" {
		t.Errorf("/readyz status = %q", ready.Status)
	}

	// Operations endpoints need no token, and a token does not hurt.
	e.call(http.MethodGet, "/healthz", e.admin.Token, nil).want(http.StatusOK)

	r := e.call(http.MethodGet, "/metrics", "", nil).want(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics content type %q", ct)
	}
	for _, want := range []string{
		"mrmflow_http_request_duration_seconds",
		`route="/healthz"`,
		`route="/readyz"`,
	} {
		if !bytes.Contains(r.Body, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	r = e.call(http.MethodGet, "/openapi.yaml", "", nil).want(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/yaml" {
		t.Errorf("/openapi.yaml content type %q", ct)
	}
	if !bytes.Equal(r.Body, api.OpenAPIDocument) {
		t.Error("/openapi.yaml does not serve the embedded document")
	}
}

func TestReadyzWhileDraining(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	m := metrics.New()
	srv := api.New(api.Deps{
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics:  m,
		Pool:     d.Pool,
		Services: app.New(d.Pool, pgtx.Limits{}, m, 0),
	})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &testEnv{t: t, db: d, srv: ts}

	e.call(http.MethodGet, "/readyz", "", nil).want(http.StatusOK)
	srv.SetDraining()
	r := e.call(http.MethodGet, "/readyz", "", nil)
	r.wantProblem(http.StatusServiceUnavailable, "unavailable")
	if r.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	// Liveness is unaffected: the process is still up.
	e.call(http.MethodGet, "/livez", "", nil).want(http.StatusOK)
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	// A well-formed id is echoed, on successes and on problems (in the body too).
	r := e.call(http.MethodGet, "/healthz", "", nil, "X-Request-ID", "abc-123.DEF_4")
	if got := r.Header.Get("X-Request-ID"); got != "abc-123.DEF_4" {
		t.Errorf("X-Request-ID = %q, want the one sent", got)
	}
	r = e.call(http.MethodGet, "/api/v1/users/me", "", nil, "X-Request-ID", "trace-42")
	p := r.wantProblem(http.StatusUnauthorized, "unauthenticated")
	if r.Header.Get("X-Request-ID") != "trace-42" || p.RequestID != "trace-42" {
		t.Errorf("request id header %q body %q, want trace-42", r.Header.Get("X-Request-ID"), p.RequestID)
	}

	// A missing or unsafe id is replaced by a generated one.
	generated := regexp.MustCompile(`^[0-9a-f]{24}$`)
	for _, sent := range []string{"", "has space", "<script>", strings.Repeat("a", 65)} {
		r := e.call(http.MethodGet, "/livez", "", nil, "X-Request-ID", sent)
		if got := r.Header.Get("X-Request-ID"); !generated.MatchString(got) {
			t.Errorf("sent %q: X-Request-ID = %q, want a generated id", sent, got)
		}
	}
	a := e.call(http.MethodGet, "/livez", "", nil).Header.Get("X-Request-ID")
	b := e.call(http.MethodGet, "/livez", "", nil).Header.Get("X-Request-ID")
	if a == b {
		t.Errorf("two requests share the generated id %q", a)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	notFound := []struct{ method, path, token string }{
		{http.MethodGet, "/nope", ""},
		{http.MethodGet, "/api/v1/nope", e.admin.Token},
		{http.MethodGet, "/api/v1/nope", ""},
		{http.MethodGet, "/api/v2/users/me", e.admin.Token},
		{http.MethodGet, "/api/v1/models/1/nope", e.admin.Token},
		{http.MethodPost, "/healthz/x", ""},
	}
	for _, c := range notFound {
		r := e.call(c.method, c.path, c.token, nil)
		p := r.wantProblem(http.StatusNotFound, "not_found")
		if p.Status != http.StatusNotFound || p.RequestID == "" {
			t.Errorf("%s %s: problem = %+v", c.method, c.path, p)
		}
	}
	methodNotAllowed := []struct{ method, path string }{
		{http.MethodPost, "/healthz"},
		{http.MethodDelete, "/metrics"},
		{http.MethodPut, "/api/v1/users"},
		// GET /api/v1/users is the users directory now; a GET on a POST-only collection still is 405.
		{http.MethodGet, "/api/v1/versions/1/deployments"},
		{http.MethodDelete, "/api/v1/users/1"},
		// PATCH /api/v1/models/{id} sets the risk tier now; PUT on a model still is 405.
		{http.MethodPut, "/api/v1/models/1"},
		{http.MethodGet, "/api/v1/tokens/1"},
		{http.MethodDelete, "/api/v1/regions"},
	}
	for _, c := range methodNotAllowed {
		for _, token := range []string{"", e.admin.Token} {
			r := e.call(c.method, c.path, token, nil)
			p := r.wantProblem(http.StatusMethodNotAllowed, "method_not_allowed")
			if p.Status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: problem = %+v", c.method, c.path, p)
			}
		}
	}
	// Nothing was written by any of them.
	if n := len(e.audits(url.Values{"user_id": {fmt.Sprint(e.admin.ID)}})); n != 0 {
		t.Errorf("%d audit rows by the admin after only refused requests", n)
	}
}

func TestProblemBodyShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.call(http.MethodGet, "/api/v1/models/999999", e.admin.Token, nil)
	r.wantProblem(http.StatusNotFound, "not_found")
	for _, want := range []string{
		`"type":"urn:mrmflow:problem:not_found"`, `"title":"Not found"`, `"status":404`,
		`"instance":"/api/v1/models/999999"`, `"code":"not_found"`,
	} {
		if !bytes.Contains(r.Body, []byte(want)) {
			t.Errorf("problem body lacks %s: %s", want, r.Body)
		}
	}
}
