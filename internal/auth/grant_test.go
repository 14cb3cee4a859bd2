package auth_test

import (
	"context"
	"errors"
	"testing"

	"mrmflow/internal/auth"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
	"mrmflow/internal/user"
)

// TestGrantQueuedAgainForgetsTheEarlierCaller: a grant queued again — as a transaction retried
// after a lost connection queues it — whose token is refused the second time reports no caller,
// not the one the first attempt read: the access log and the caller's settling must not name a
// user the database has just refused.
func TestGrantQueuedAgainForgetsTheEarlierCaller(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 1)
	ctx := context.Background()
	u, tok, err := user.NewService(d.Pool, pgtx.Limits{}, 0).Bootstrap(ctx, user.CreateInput{
		Email: "grant@bank.test", FullName: "Grant Test", Role: domain.RoleAdmin,
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	creds, ok := auth.ParseCredentials(tok.Token)
	if !ok {
		t.Fatalf("token %q does not parse", tok.Token)
	}
	g := auth.NewGrant(creds)

	first := &pgtx.Pipeline{}
	g.Queue(ctx, first, domain.MRMRoles, nil)
	if err := first.Send(ctx, d.Pool); err != nil {
		t.Fatalf("first attempt: %v", err)
	}
	if got := g.Actor(); got.UserID != u.UserID {
		t.Fatalf("first attempt's caller %+v, want user %d", got, u.UserID)
	}

	if _, err := d.Pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE token_id = $1`, creds.TokenID); err != nil {
		t.Fatal(err)
	}
	again := &pgtx.Pipeline{}
	g.Queue(ctx, again, domain.MRMRoles, nil)
	if err := again.Send(ctx, d.Pool); !errors.Is(err, auth.ErrBadToken) {
		t.Fatalf("second attempt with the token revoked: %v, want ErrBadToken", err)
	}
	if got := g.Actor(); got != (domain.Actor{}) {
		t.Fatalf("after the refusal the grant still names %+v", got)
	}
}
