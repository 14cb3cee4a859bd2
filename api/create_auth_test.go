package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/api"
	"mrmflow/internal/app"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// createBody is a valid TARGETED create of model.
func createBody(model int32) map[string]any {
	return map[string]any{"model_ids": []int32{model}, "validation_type": "TARGETED", "priority": "MEDIUM", "target_completion_date": "2027-06-30"}
}

// TestCreateAuthenticatesInItsTransaction: a create without an Idempotency-Key has its token
// checked by the service, at the head of the transaction's first round trip, and answers exactly
// as a route authenticated up front: 201 for a VALIDATOR or ADMIN (with the use recorded), 403 for
// another role, 401 for every bad token — before a bad body's 400 — and nothing written. And
// nothing behind a refused token runs: with the model's validation lock held elsewhere, a bad
// token is 401 and a USER 403 at once, where a good token waits on the lock (the control: it
// meets lock_timeout, so the lock was there to be met).
func TestCreateAuthenticatesInItsTransaction(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(d *api.Deps) {
		d.Services = app.New(d.Pool, pgtx.Limits{LockTimeout: 300 * time.Millisecond}, d.Metrics, 0)
	})
	ctx := context.Background()
	owner := e.user(domain.RoleUser)
	validator := e.user(domain.RoleValidator)
	model := e.model(owner).ModelID

	// A good token: created by the token's user, its use recorded in the same transaction.
	e.exec(`UPDATE api_tokens SET last_used_at = NULL`)
	var created struct {
		RequestID   int32 `json:"request_id"`
		RequestorID int32 `json:"requestor_id"`
	}
	e.call(http.MethodPost, "/api/v1/validation-requests", validator.Token, createBody(model)).want(http.StatusCreated).decode(&created)
	if created.RequestorID != validator.ID {
		t.Errorf("requestor_id = %d, want the token's user %d", created.RequestorID, validator.ID)
	}
	e.wantAudit("VALIDATION_REQUEST_CREATED", "validation_request", created.RequestID, validator.ID)
	var used bool
	tokenID, _, _ := strings.Cut(strings.TrimPrefix(validator.Token, "mrm_"), "_")
	if err := e.db.Pool.QueryRow(ctx, `SELECT last_used_at IS NOT NULL FROM api_tokens WHERE token_id = $1::int`, tokenID).Scan(&used); err != nil {
		t.Fatal(err)
	}
	if !used {
		t.Error("the create did not record the token's use")
	}

	// Bad tokens and a role that may not create: refused, nothing written.
	revoked := e.user(domain.RoleValidator)
	e.exec(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1`, revoked.ID)
	expired := e.user(domain.RoleValidator)
	e.exec(`UPDATE api_tokens SET expires_at = created_at + interval '1 microsecond' WHERE user_id = $1`, expired.ID)
	disabled := e.user(domain.RoleValidator)
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/disable", disabled.ID), e.admin.Token, nil).want(http.StatusNoContent)
	bad := map[string]string{
		"unknown token": "mrm_999999_" + strings.Repeat("x", 43),
		"wrong secret":  "mrm_" + tokenID + "_" + strings.Repeat("A", 43),
		"malformed":     "not-a-token",
		"revoked":       revoked.Token,
		"expired":       expired.Token,
		"disabled user": disabled.Token,
	}
	before := e.rowCounts()
	for name, token := range bad {
		t.Log(name)
		e.call(http.MethodPost, "/api/v1/validation-requests", token, createBody(model)).wantProblem(http.StatusUnauthorized, "unauthenticated")
		// A bad token before a bad body, as on every route.
		e.call(http.MethodPost, "/api/v1/validation-requests", token, map[string]any{}).wantProblem(http.StatusUnauthorized, "unauthenticated")
		e.call(http.MethodPost, "/api/v1/validation-requests", token, "{not json").wantProblem(http.StatusUnauthorized, "unauthenticated")
	}
	e.call(http.MethodPost, "/api/v1/validation-requests", "", createBody(model)).wantProblem(http.StatusUnauthorized, "unauthenticated")
	e.call(http.MethodPost, "/api/v1/validation-requests", owner.Token, createBody(model)).wantProblem(http.StatusForbidden, "forbidden")
	e.call(http.MethodPost, "/api/v1/validation-requests", owner.Token, map[string]any{}).wantProblem(http.StatusBadRequest, "invalid_request")
	e.wantUnchanged(before)

	// With the model's validation lock held by another session, nothing behind a refused token
	// waits for it.
	holder, err := e.db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Release()
	if _, err := holder.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, pgtx.ModelLockNamespace, model); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = holder.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, pgtx.ModelLockNamespace, model) }()
	e.call(http.MethodPost, "/api/v1/validation-requests", bad["wrong secret"], createBody(model)).wantProblem(http.StatusUnauthorized, "unauthenticated")
	e.call(http.MethodPost, "/api/v1/validation-requests", owner.Token, createBody(model)).wantProblem(http.StatusForbidden, "forbidden")
	e.call(http.MethodPost, "/api/v1/validation-requests", validator.Token, createBody(model)).wantProblem(http.StatusServiceUnavailable, "lock_timeout")
	e.wantUnchanged(before)

	// With an Idempotency-Key the token is checked up front, as on any route.
	e.call(http.MethodPost, "/api/v1/validation-requests", bad["revoked"], createBody(model), "Idempotency-Key", "k1").
		wantProblem(http.StatusUnauthorized, "unauthenticated")
}

// TestCreateRetriedAfterEveryIdleConnectionDied: every idle connection of the pool is terminated
// (as a database restart does); the next create still answers 201. Its first round trip — which
// authenticates, so it is the request's first statement — fails on a dead connection before any
// COMMIT was sent, so nothing was written; pgtx.WithTxRetryV empties the pool and runs it once
// more on a fresh connection.
func TestCreateRetriedAfterEveryIdleConnectionDied(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 3)
	e := envOn(t, d, d.Pool)
	e.admin = e.user(domain.RoleAdmin)
	model := e.model(e.user(domain.RoleUser)).ModelID
	killIdle(t, d)
	e.call(http.MethodPost, "/api/v1/validation-requests", e.admin.Token, createBody(model)).want(http.StatusCreated)
	var n int
	if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM validation_requests`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// killIdle terminates the backend of every connection of d's pool (three), all idle, and returns
// well within the second after which the pool would ping them before use.
func killIdle(t *testing.T, d *testdb.DB) {
	t.Helper()
	ctx := context.Background()
	conns := make([]*pgxpool.Conn, 3)
	pids := make([]uint32, 3)
	for i := range conns {
		c, err := d.Pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns[i], pids[i] = c, c.Conn().PgConn().PID()
	}
	for _, c := range conns {
		c.Release()
	}
	killer, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = killer.Close(ctx) }()
	if _, err := killer.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid", pids); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
}

// TestCreateAuthenticatesInItsFirstRoundTrip: a create without an Idempotency-Key takes two round
// trips in all — its token's check rides in the first, with BEGIN, the limits, the model locks and
// the reads — where with an Idempotency-Key the check is sent first, on its own, before the
// transaction (the key is the user's, claimed in the transaction's first statements).
func TestCreateAuthenticatesInItsFirstRoundTrip(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 3)
	trace := &testdb.Trace{}
	e := envOn(t, d, d.TracedPool(t, trace, 0))
	e.admin = e.user(domain.RoleAdmin)
	owner := e.user(domain.RoleUser)
	models := []int32{e.model(owner).ModelID, e.model(owner).ModelID}
	// The token's use is recorded: no touch is due during the creates.
	e.exec(`UPDATE api_tokens SET last_used_at = now()`)

	trace.Start()
	e.call(http.MethodPost, "/api/v1/validation-requests", e.admin.Token, createBody(models[0])).want(http.StatusCreated)
	sent, trips := trace.Stop()
	if trips != 2 {
		t.Errorf("a create took %d round trips, want 2: its authentication is not in its first", trips)
	}
	if begin, check, lock := sentAt(sent, "begin"), sentAt(sent, "APITokenAuthorize"), sentAt(sent, "AcquireModelLock"); begin < 0 || check <= begin || lock <= check {
		t.Errorf("sent BEGIN at %d, the token's check at %d, the lock at %d: want the check inside the transaction, before the locks", begin, check, lock)
	}
	trace.Start()
	e.call(http.MethodPost, "/api/v1/validation-requests", e.admin.Token, createBody(models[1]), "Idempotency-Key", "once").
		want(http.StatusCreated)
	sent, _ = trace.Stop()
	if check, begin := sentAt(sent, "APITokenAuthorize"), sentAt(sent, "begin"); check != 0 || begin < 1 {
		t.Errorf("with an Idempotency-Key the token's check was sent at %d and BEGIN at %d: want the check first, on its own before the transaction", check, begin)
	}
}

// sentAt is the position in sent of the first statement that is sqlc query name (by its
// "-- name:" line) or begins with name ("begin"), or -1.
func sentAt(sent []string, name string) int {
	for i, sql := range sent {
		if strings.HasPrefix(sql, "-- name: "+name+" ") || strings.HasPrefix(sql, name) {
			return i
		}
	}
	return -1
}
