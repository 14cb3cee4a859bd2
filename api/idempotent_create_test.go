package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"mrmflow/internal/domain"
)

// TestCreatesReplayWithIdempotencyKey: every create POST that takes an Idempotency-Key answers a
// retry with the same key and body byte for byte, creating nothing more, and refuses the key with
// another body (422). Tokens take no key: a replay would have to store the plaintext secret.
func TestCreatesReplayWithIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	m := e.model(owner)
	cases := []struct {
		name, path, token string
		body, other       map[string]any
	}{
		{"user", "/api/v1/users", e.admin.Token,
			map[string]any{"email": "idem@bank.test", "full_name": "Idem", "role": "USER"},
			map[string]any{"email": "idem2@bank.test", "full_name": "Idem", "role": "USER"}},
		{"region", "/api/v1/regions", e.admin.Token,
			map[string]any{"code": "IDEM", "name": "Idem"}, map[string]any{"code": "IDEM2", "name": "Idem"}},
		{"model", "/api/v1/models", owner.Token,
			map[string]any{"model_name": "Idem"}, map[string]any{"model_name": "Idem 2"}},
		{"version", fmt.Sprintf("/api/v1/models/%d/versions", m.ModelID), owner.Token,
			map[string]any{"version_number": "1", "change_description": "first", "scope": "GLOBAL"},
			map[string]any{"version_number": "2", "change_description": "second", "scope": "GLOBAL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := e.as(t)
			key := []string{"Idempotency-Key", "create-" + tc.name}
			first := e.call(http.MethodPost, tc.path, tc.token, tc.body, key...).want(http.StatusCreated)
			before := e.rowCounts()
			again := e.call(http.MethodPost, tc.path, tc.token, tc.body, key...).want(http.StatusCreated)
			if !bytes.Equal(first.Body, again.Body) {
				t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
			}
			e.wantUnchanged(before)
			e.call(http.MethodPost, tc.path, tc.token, tc.other, key...).wantProblem(http.StatusUnprocessableEntity, "idempotency_key_reused")
			e.wantUnchanged(before)
		})
	}
}
