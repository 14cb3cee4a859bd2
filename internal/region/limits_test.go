package region_test

import (
	"context"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/region"
	"mrmflow/internal/testdb"
)

// TestBusyCodeEndsInLockTimeout: while another transaction has inserted a region with the same
// code and not committed, Create waits for it only as long as its lock timeout (55P03), not
// until the statement timeout. The call gets ten seconds; without a lock timeout it would end in
// that deadline instead.
func TestBusyCodeEndsInLockTimeout(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 4)
	ctx := context.Background()
	holder, err := d.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(context.Background()) }()
	if _, err := holder.Exec(ctx, `INSERT INTO regions (code, name) VALUES ('EU', 'European Union')`); err != nil {
		t.Fatal(err)
	}
	callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = region.NewService(d.Pool, pgtx.Limits{LockTimeout: 100 * time.Millisecond}).Create(callCtx, domain.Actor{UserID: 1, Role: domain.RoleAdmin},
		region.CreateInput{Code: "EU", Name: "EU"}, nil)
	if !pgtx.IsSQLState(err, pgtx.LockNotAvailable) {
		t.Fatalf("%v, want SQLSTATE 55P03 (lock timeout)", err)
	}
}
