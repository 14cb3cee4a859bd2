package load

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
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

// newServer starts the real API (middleware and all) in-process over a fresh migrated database,
// the way the api package's tests do, creates an ADMIN and returns a Client with its token.
func newServer(t *testing.T, clients int) *Client {
	t.Helper()
	d := testdb.New(t, 20)
	m := metrics.New()
	srv := api.New(api.Deps{
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics:        m,
		Pool:           d.Pool,
		Services:       app.New(d.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, m, 0),
		RequestTimeout: 30 * time.Second,
	})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	_, tok, err := user.NewService(d.Pool, pgtx.Limits{}, 0).Bootstrap(context.Background(),
		user.CreateInput{Email: "load-admin@bank.test", FullName: "Load Admin", Role: domain.RoleAdmin}, "load")
	if err != nil {
		t.Fatalf("create admin: %v", err)
	}
	c := NewClient([]string{ts.URL}, tok.Token, clients)
	t.Cleanup(c.Close)
	return c
}

// prepare runs Prepare and fails the test on error.
func prepare(t *testing.T, c *Client) Fixture {
	t.Helper()
	fx, err := Prepare(t.Context(), c)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return fx
}
