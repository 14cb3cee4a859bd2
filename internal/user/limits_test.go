package user_test

import (
	"context"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
	"mrmflow/internal/user"
)

// TestBusyRowsEndInLockTimeout: while another transaction holds the row a user service call must
// wait for, the call gives up after its lock timeout (55P03) instead of holding its pool
// connection until the statement timeout. The calls get ten seconds, far past the 100 ms lock
// timeout: without one they would end in that deadline instead.
func TestBusyRowsEndInLockTimeout(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 4)
	ctx := context.Background()
	svc := user.NewService(d.Pool, pgtx.Limits{LockTimeout: 100 * time.Millisecond}, 0)
	u, tok, err := user.NewService(d.Pool, pgtx.Limits{}, 0).Bootstrap(ctx, user.CreateInput{Email: "a@bank.test", FullName: "Admin", Role: domain.RoleAdmin}, "t")
	if err != nil {
		t.Fatal(err)
	}
	admin := domain.Actor{UserID: u.UserID, Role: domain.RoleAdmin}

	cases := []struct {
		name, hold string
		args       []any
		call       func(ctx context.Context) error
	}{
		{"create user (same email inserted, not committed)", `INSERT INTO users (email, full_name, role) VALUES ('b@bank.test', 'B', 'USER')`, nil,
			func(ctx context.Context) error {
				_, err := svc.Create(ctx, admin, user.CreateInput{Email: "b@bank.test", FullName: "B", Role: domain.RoleUser}, nil)
				return err
			}},
		{"create token (user row busy)", `SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE`, []any{u.UserID},
			func(ctx context.Context) error {
				_, err := svc.CreateToken(ctx, admin, u.UserID, user.TokenInput{Name: "second"})
				return err
			}},
		{"revoke token (token row busy)", `SELECT 1 FROM api_tokens WHERE token_id = $1 FOR UPDATE`, []any{tok.TokenID},
			func(ctx context.Context) error { return svc.RevokeToken(ctx, admin, tok.TokenID) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			holder, err := d.Pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = holder.Rollback(context.Background()) }()
			if _, err := holder.Exec(ctx, tc.hold, tc.args...); err != nil {
				t.Fatal(err)
			}
			callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := tc.call(callCtx); !pgtx.IsSQLState(err, pgtx.LockNotAvailable) {
				t.Fatalf("%v, want SQLSTATE 55P03 (lock timeout)", err)
			}
		})
	}
}
