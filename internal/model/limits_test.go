package model_test

import (
	"context"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/model"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// TestBusyRowsEndInLockTimeout: while another transaction holds the row a model service call
// must wait for, the call gives up after its lock timeout (55P03) instead of holding its pool
// connection until the statement timeout. The calls get ten seconds, far past the 100 ms lock
// timeout: without one they would end in that deadline instead.
func TestBusyRowsEndInLockTimeout(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 4)
	ctx := context.Background()
	var owner, modelID int32
	err := d.Pool.QueryRow(ctx, `INSERT INTO users (email, full_name, role) VALUES ('o@bank.test', 'Owner', 'USER') RETURNING user_id`).Scan(&owner)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Pool.QueryRow(ctx, `INSERT INTO models (model_name, owner_id) VALUES ('M', $1) RETURNING model_id`, owner).Scan(&modelID); err != nil {
		t.Fatal(err)
	}
	var other int32
	if err := d.Pool.QueryRow(ctx, `INSERT INTO users (email, full_name, role) VALUES ('d@bank.test', 'Delegate', 'USER') RETURNING user_id`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	svc := model.NewService(d.Pool, pgtx.Limits{LockTimeout: 100 * time.Millisecond})
	actor := domain.Actor{UserID: owner, Role: domain.RoleUser}

	cases := []struct {
		name, hold string
		call       func(ctx context.Context) error
	}{
		{"create model (owner row busy)", `SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE`, func(ctx context.Context) error {
			_, err := svc.Create(ctx, actor, model.CreateInput{ModelName: "N"}, nil)
			return err
		}},
		{"create version (model row busy)", `SELECT 1 FROM models WHERE owner_id = $1 FOR UPDATE`, func(ctx context.Context) error {
			_, err := svc.CreateVersion(ctx, actor, modelID, model.CreateVersionInput{VersionNumber: "1", ChangeDescription: "c", Scope: "GLOBAL"}, nil)
			return err
		}},
		{"add delegate (model row busy)", `SELECT 1 FROM models WHERE owner_id = $1 FOR UPDATE`, func(ctx context.Context) error {
			_, _, err := svc.AddDelegate(ctx, actor, modelID, other)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			holder, err := d.Pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = holder.Rollback(context.Background()) }()
			if _, err := holder.Exec(ctx, tc.hold, owner); err != nil {
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
