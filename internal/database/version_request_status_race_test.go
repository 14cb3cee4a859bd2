package database_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/database"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// TestStatusChangeNeverWaitsForAConfirmedVersion: a request's status change rewrites its
// versions' request status rows (model_version_request_status, by its cascading foreign key), and
// a confirmation locks its versions, then their requests (docs/locks.md, steps 4 and 5). The two
// are forced into the order that would deadlock if the status copy lived on model_versions: the
// confirmation holds the version, the status change holds the request, then the confirmation
// waits for the request and the status change writes its copies. With the copies in their own
// table, which no confirmation locks, the status change commits and the confirmation follows it.
// The control, in its own database, adds the copy to model_versions as a cascading foreign key
// (the design 20261206004000 rejects): the same interleaving deadlocks (40P01).
func TestStatusChangeNeverWaitsForAConfirmedVersion(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		copyOnVersion bool
	}{{"copies in their own table", false}, {"control: copy on model_versions", true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := testdb.New(t, 4)
			ctx := context.Background()
			f := newReadyFixture(t, d.Pool) // the request covers v1 and v2, PENDING_APPROVAL
			if c.copyOnVersion {
				exec(t, d.Pool, `CREATE UNIQUE INDEX validation_requests_status_copy_key ON validation_requests (request_id, status)`)
				exec(t, d.Pool, `ALTER TABLE model_versions ADD COLUMN request_status_copy text`)
				exec(t, d.Pool, `UPDATE model_versions v SET request_status_copy = vr.status
					FROM validation_requests vr WHERE vr.request_id = v.validation_request_id`)
				exec(t, d.Pool, `ALTER TABLE model_versions ADD FOREIGN KEY (validation_request_id, request_status_copy)
					REFERENCES validation_requests (request_id, status) ON UPDATE CASCADE`)
			}
			begin := func() pgx.Tx {
				tx, err := d.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = tx.Rollback(context.WithoutCancel(ctx)) })
				if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
					t.Fatal(err)
				}
				return tx
			}
			confirm, change := begin(), begin()
			versions := []int32{f.v1}
			if err := gen.New(confirm).DeploymentVersionsLock(ctx, versions); err != nil {
				t.Fatal(err)
			}
			if _, err := gen.New(change).ValidationRequestLockForUpdate(ctx, f.request); err != nil {
				t.Fatal(err)
			}
			var confirmPID int32
			if err := confirm.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&confirmPID); err != nil {
				t.Fatal(err)
			}
			// The confirmation ends its transaction as soon as its lock statement returns, so the
			// control's deadlock victim releases its locks at once.
			confirmed := make(chan error, 1)
			go func() {
				err := gen.New(confirm).DeploymentValidationsLock(ctx, versions)
				if err == nil {
					err = confirm.Commit(ctx)
				} else {
					_ = confirm.Rollback(ctx)
				}
				confirmed <- err
			}()
			// Run the status change against a confirmation already blocked.
			testdb.WaitForBackend(t, d.Pool, 10*time.Second, "pid = $1 AND wait_event_type = 'Lock'", confirmPID)

			changed := gen.New(change).ValidationRequestSetStatus(ctx, gen.ValidationRequestSetStatusParams{
				RequestID: f.request, Status: "APPROVED",
			})
			if changed == nil {
				changed = change.Commit(ctx)
			} else {
				_ = change.Rollback(ctx)
			}
			err := <-confirmed
			deadlocked := pgtx.IsSQLState(changed, "40P01") || pgtx.IsSQLState(err, "40P01")
			if c.copyOnVersion {
				if !deadlocked {
					t.Fatalf("the control did not deadlock (status change: %v, confirmation: %v): the test cannot tell the designs apart", changed, err)
				}
				return
			}
			if changed != nil || err != nil {
				t.Fatalf("status change: %v; confirmation: %v", changed, err)
			}
			if n := scalar(t, d.Pool, database.VersionRequestStatusDrift); n != 0 {
				t.Fatalf("%d versions' request status rows differ from their request", n)
			}
		})
	}
}
