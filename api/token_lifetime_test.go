package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"mrmflow/api"
	"mrmflow/internal/app"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
)

type lifetimeToken struct {
	TokenID   int32     `json:"token_id"`
	Token     string    `json:"token"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// newToken creates a token for u through the API, as the caller whose token is given.
func (e *testEnv) newToken(callerToken string, u fixtureUser, body map[string]any) lifetimeToken {
	e.t.Helper()
	var tok lifetimeToken
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", u.ID), callerToken, body).want(http.StatusCreated).decode(&tok)
	return tok
}

// exec runs raw SQL on the test's database (to move a token's expiry, which no endpoint does).
func (e *testEnv) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.db.Pool.Exec(context.Background(), sql, args...); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

// TestTokenExpiry: a token expires — at its expires_at, or TOKEN_TTL (90 days) from creation — and
// an expired token is 401 like any bad token; an expires_at in the past is refused.
func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user(domain.RoleUser)

	tok := e.newToken(u.Token, u, map[string]any{"name": "default"})
	if d := tok.ExpiresAt.Sub(tok.CreatedAt); d < 89*24*time.Hour || d > 91*24*time.Hour {
		t.Errorf("default lifetime %v, want 90 days", d)
	}
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	chosen := e.newToken(u.Token, u, map[string]any{"name": "chosen", "expires_at": at.Format(time.RFC3339)})
	if !chosen.ExpiresAt.Equal(at) {
		t.Errorf("expires_at %v, want %v", chosen.ExpiresAt, at)
	}
	for _, bad := range []string{"2020-01-01T00:00:00Z", "tomorrow"} {
		r := e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", u.ID), u.Token, map[string]any{"name": "x", "expires_at": bad})
		wantField(t, r.wantProblem(http.StatusBadRequest, "invalid_request"), "expires_at")
	}

	e.call(http.MethodGet, "/api/v1/users/me", chosen.Token, nil).want(http.StatusOK)
	e.exec(`UPDATE api_tokens SET expires_at = created_at + interval '1 microsecond' WHERE token_id = $1`, chosen.TokenID)
	e.call(http.MethodGet, "/api/v1/users/me", chosen.Token, nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
	e.call(http.MethodGet, "/api/v1/users/me", tok.Token, nil).want(http.StatusOK)
}

// TestTokenCannotOutliveItsCreator: a token whose own expiry is an hour away cannot create a
// token that lives longer — an explicit later expires_at is 400, the default is cut to its expiry.
func TestTokenCannotOutliveItsCreator(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user(domain.RoleUser)
	short := e.newToken(u.Token, u, map[string]any{"name": "short", "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})

	r := e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", u.ID), short.Token,
		map[string]any{"name": "longer", "expires_at": time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)})
	wantField(t, r.wantProblem(http.StatusBadRequest, "invalid_request"), "expires_at")

	minted := e.newToken(short.Token, u, map[string]any{"name": "default"})
	if minted.ExpiresAt.After(short.ExpiresAt) {
		t.Errorf("a token expiring %v minted one expiring %v", short.ExpiresAt, minted.ExpiresAt)
	}
	// ADMIN is bound the same way when minting for someone else.
	admin := e.newToken(e.admin.Token, e.admin, map[string]any{"name": "admin-short", "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	forUser := e.newToken(admin.Token, u, map[string]any{"name": "from-admin"})
	if forUser.ExpiresAt.After(admin.ExpiresAt) {
		t.Errorf("an ADMIN token expiring %v minted one expiring %v", admin.ExpiresAt, forUser.ExpiresAt)
	}
}

// TestRevokeAllTokens: DELETE /users/{id}/tokens revokes every token of the user (ADMIN, or the
// user themselves; nobody else), each with its audit row.
func TestRevokeAllTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u, other := e.user(domain.RoleUser), e.user(domain.RoleUser)
	second := e.newToken(u.Token, u, map[string]any{"name": "second"})
	path := fmt.Sprintf("/api/v1/users/%d/tokens", u.ID)

	e.call(http.MethodDelete, path, other.Token, nil).wantProblem(http.StatusForbidden, "forbidden")
	e.call(http.MethodDelete, "/api/v1/users/999999/tokens", e.admin.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodGet, "/api/v1/users/me", u.Token, nil).want(http.StatusOK)

	e.call(http.MethodDelete, path, e.admin.Token, nil).want(http.StatusNoContent)
	for _, tok := range []string{u.Token, second.Token} {
		e.call(http.MethodGet, "/api/v1/users/me", tok, nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
	}
	e.wantAudit("TOKEN_REVOKED", "api_token", second.TokenID, e.admin.ID)
	e.call(http.MethodGet, "/api/v1/users/me", other.Token, nil).want(http.StatusOK)

	// A user may revoke all of their own, the calling token included; again changes nothing.
	self := e.user(domain.RoleUser)
	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/users/%d/tokens", self.ID), self.Token, nil).want(http.StatusNoContent)
	e.call(http.MethodGet, "/api/v1/users/me", self.Token, nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
	e.call(http.MethodDelete, path, e.admin.Token, nil).want(http.StatusNoContent)
}

// TestDisableUser: once an ADMIN disables a user, every token of the user is 401 at once, on
// this replica and on another one serving the same database; enabling brings them back. Only
// ADMIN may, not on themselves, and each change is audited once.
func TestDisableUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user(domain.RoleUser)
	second := e.newToken(u.Token, u, map[string]any{"name": "second"})
	m := metrics.New()
	replica := httptest.NewServer(api.New(api.Deps{
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: m, Pool: e.db.Pool,
		Services: app.New(e.db.Pool, pgtx.Limits{}, m, 0),
	}).Handler())
	t.Cleanup(replica.Close)
	other := &testEnv{t: t, db: e.db, srv: replica, admin: e.admin}

	disable := fmt.Sprintf("/api/v1/users/%d/disable", u.ID)
	enable := fmt.Sprintf("/api/v1/users/%d/enable", u.ID)
	e.call(http.MethodPost, disable, u.Token, nil).wantProblem(http.StatusForbidden, "forbidden")
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/disable", e.admin.ID), e.admin.Token, nil).wantProblem(http.StatusConflict, "conflict")
	e.call(http.MethodPost, "/api/v1/users/999999/disable", e.admin.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	other.call(http.MethodGet, "/api/v1/users/me", u.Token, nil).want(http.StatusOK)

	e.call(http.MethodPost, disable, e.admin.Token, nil).want(http.StatusNoContent)
	e.call(http.MethodPost, disable, e.admin.Token, nil).want(http.StatusNoContent)
	for _, env := range []*testEnv{e, other} {
		for _, tok := range []string{u.Token, second.Token} {
			env.call(http.MethodGet, "/api/v1/users/me", tok, nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
		}
	}
	e.wantAudit("USER_DISABLED", "user", u.ID, e.admin.ID)

	e.call(http.MethodPost, enable, e.admin.Token, nil).want(http.StatusNoContent)
	other.call(http.MethodGet, "/api/v1/users/me", second.Token, nil).want(http.StatusOK)
	e.wantAudit("USER_ENABLED", "user", u.ID, e.admin.ID)
	if rows := e.audits(url.Values{"entity_type": {"user"}, "entity_id": {fmt.Sprint(u.ID)}}); len(rows) != 3 {
		t.Errorf("%d audit rows for the user, want 3 (created, disabled, enabled)", len(rows))
	}
}
