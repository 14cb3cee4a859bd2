package database_test

import (
	"context"
	"testing"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// TestModelLinkMirrorsItsRequest is TestAssignmentMirrorsItsRequest for the model links
// (validation_request_models, migration 20261206002000): raw SQL, bypassing the service, writes
// every statement that can change a link's copy of its request — the link's insert (filled from
// the request, whatever the writer sends), the request's status, its closed flag, its target date,
// and moving the link to another request. After each, every link's copy equals its request's
// columns; a direct write of another value is refused (23503, naming the foreign key). The control
// drops the foreign key in this test's own database: the same status change then leaves the copy
// behind, so the checks above can fail.
func TestModelLinkMirrorsItsRequest(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	user := scalar(t, d.Pool, `INSERT INTO users (email, full_name, role) VALUES ('o@bank.test', 'Owner', 'USER') RETURNING user_id`)
	model := scalar(t, d.Pool, `INSERT INTO models (model_name, owner_id) VALUES ('Retail PD', $1) RETURNING model_id`, user)
	request := func(target string) int32 {
		return scalar(t, d.Pool, `INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
			VALUES ($1, 'TARGETED', 'LOW', $2::date) RETURNING request_id`, user, target)
	}
	r1, r2 := request("2027-01-01"), request("2027-02-01")
	// The writer names a closed flag, status and date its request does not have: the trigger
	// fills the request's own.
	exec(t, d.Pool, `INSERT INTO validation_request_models (request_id, model_id, blocks_model,
			request_is_closed, request_status, request_target_date)
		VALUES ($1, $2, false, true, 'APPROVED', '1999-01-01')`, r1, model)

	copyOf := func() mirrorCopy {
		t.Helper()
		var c mirrorCopy
		if err := d.Pool.QueryRow(ctx, `SELECT request_is_closed, request_status, request_target_date::text
			FROM validation_request_models WHERE model_id = $1`, model).Scan(&c.Closed, &c.Status, &c.Target); err != nil {
			t.Fatal(err)
		}
		return c
	}
	want := func(step string, w mirrorCopy) {
		t.Helper()
		if got := copyOf(); got != w {
			t.Errorf("%s: the link's copy is %+v, want %+v", step, got, w)
		}
		var stale int
		if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM validation_request_models l
			JOIN validation_requests vr ON vr.request_id = l.request_id
			WHERE (l.request_is_closed, l.request_status, l.request_target_date)
			      IS DISTINCT FROM (vr.is_closed, vr.status, vr.target_completion_date)`).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Errorf("%s: %d links differ from their request", step, stale)
		}
	}
	want("insert", mirrorCopy{false, "INTAKE", "2027-01-01"})
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'PLANNING' WHERE request_id = $1`, r1)
	want("status", mirrorCopy{false, "PLANNING", "2027-01-01"})
	exec(t, d.Pool, `UPDATE validation_requests SET target_completion_date = '2027-03-01' WHERE request_id = $1`, r1)
	want("target date", mirrorCopy{false, "PLANNING", "2027-03-01"})
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'CANCELLED' WHERE request_id = $1`, r1)
	want("closing status", mirrorCopy{true, "CANCELLED", "2027-03-01"})
	exec(t, d.Pool, `UPDATE validation_request_models SET request_id = $1 WHERE model_id = $2`, r2, model)
	want("moved to another request", mirrorCopy{false, "INTAKE", "2027-02-01"})

	_, err := d.Pool.Exec(ctx, `UPDATE validation_request_models SET request_target_date = '2030-01-01' WHERE model_id = $1`, model)
	if !pgtx.IsSQLState(err, pgtx.ForeignKeyViolation) {
		t.Fatalf("a copy the request does not have: %v, want SQLSTATE 23503", err)
	}
	if c := pgtx.PgError(err).ConstraintName; c != "validation_request_models_request_mirror_fkey" {
		t.Errorf("refused by %q, want validation_request_models_request_mirror_fkey", c)
	}
	want("refused write", mirrorCopy{false, "INTAKE", "2027-02-01"})

	// The control: without the foreign key nothing carries the request's change to the copy.
	exec(t, d.Pool, `ALTER TABLE validation_request_models DROP CONSTRAINT validation_request_models_request_mirror_fkey`)
	exec(t, d.Pool, `UPDATE validation_requests SET target_completion_date = '2027-04-01' WHERE request_id = $1`, r2)
	if got := copyOf(); got.Target != "2027-02-01" {
		t.Errorf("without the foreign key the copy followed the request (%+v): the checks above could not fail", got)
	}
}
