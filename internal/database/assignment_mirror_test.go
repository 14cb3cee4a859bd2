package database_test

import (
	"context"
	"testing"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// mirrorCopy is an assignment's copy of its request's columns (docs/lists.md, "Mirrors of the
// request on its assignments").
type mirrorCopy struct {
	Closed bool
	Status string
	Target string
}

// TestAssignmentMirrorsItsRequest writes with raw SQL, bypassing the service, every statement that
// can change an assignment's copy of its request: the assignment's insert (filled from the
// request, whatever the writer sends), the request's status, its closed flag, its target date,
// and moving the assignment to another request. After each, every copy equals the request's
// columns; a direct write of another value is refused (23503, naming the foreign key). The
// control drops the foreign key in this test's own database: the same status change then leaves
// the copy behind, so the checks above can fail.
func TestAssignmentMirrorsItsRequest(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	user := scalar(t, d.Pool, `INSERT INTO users (email, full_name, role) VALUES ('v@bank.test', 'Validator', 'VALIDATOR') RETURNING user_id`)
	request := func(target string) int32 {
		return scalar(t, d.Pool, `INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
			VALUES ($1, 'TARGETED', 'LOW', $2::date) RETURNING request_id`, user, target)
	}
	r1, r2 := request("2027-01-01"), request("2027-02-01")
	// The writer names a closed flag, status and date its request does not have: the trigger
	// fills the request's own.
	a := scalar(t, d.Pool, `INSERT INTO validation_assignments (request_id, validator_id, is_primary, assigned_by,
			request_is_closed, request_status, request_target_date)
		VALUES ($1, $2, true, $2, true, 'APPROVED', '1999-01-01') RETURNING assignment_id`, r1, user)

	copyOf := func() mirrorCopy {
		t.Helper()
		var c mirrorCopy
		if err := d.Pool.QueryRow(ctx, `SELECT request_is_closed, request_status, request_target_date::text
			FROM validation_assignments WHERE assignment_id = $1`, a).Scan(&c.Closed, &c.Status, &c.Target); err != nil {
			t.Fatal(err)
		}
		return c
	}
	want := func(step string, w mirrorCopy) {
		t.Helper()
		if got := copyOf(); got != w {
			t.Errorf("%s: the assignment's copy is %+v, want %+v", step, got, w)
		}
		var stale int
		if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM validation_assignments a
			JOIN validation_requests vr ON vr.request_id = a.request_id
			WHERE (a.request_is_closed, a.request_status, a.request_target_date)
			      IS DISTINCT FROM (vr.is_closed, vr.status, vr.target_completion_date)`).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Errorf("%s: %d assignments differ from their request", step, stale)
		}
	}
	want("insert", mirrorCopy{false, "INTAKE", "2027-01-01"})
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'PLANNING' WHERE request_id = $1`, r1)
	want("status", mirrorCopy{false, "PLANNING", "2027-01-01"})
	exec(t, d.Pool, `UPDATE validation_requests SET target_completion_date = '2027-03-01' WHERE request_id = $1`, r1)
	want("target date", mirrorCopy{false, "PLANNING", "2027-03-01"})
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'CANCELLED' WHERE request_id = $1`, r1)
	want("closing status", mirrorCopy{true, "CANCELLED", "2027-03-01"})
	exec(t, d.Pool, `UPDATE validation_assignments SET request_id = $1 WHERE assignment_id = $2`, r2, a)
	want("moved to another request", mirrorCopy{false, "INTAKE", "2027-02-01"})

	_, err := d.Pool.Exec(ctx, `UPDATE validation_assignments SET request_status = 'REVIEW' WHERE assignment_id = $1`, a)
	if !pgtx.IsSQLState(err, pgtx.ForeignKeyViolation) {
		t.Fatalf("a copy the request does not have: %v, want SQLSTATE 23503", err)
	}
	if c := pgtx.PgError(err).ConstraintName; c != "validation_assignments_request_mirror_fkey" {
		t.Errorf("refused by %q, want validation_assignments_request_mirror_fkey", c)
	}
	want("refused write", mirrorCopy{false, "INTAKE", "2027-02-01"})

	// The control: without the foreign key nothing carries the request's change to the copy.
	exec(t, d.Pool, `ALTER TABLE validation_assignments DROP CONSTRAINT validation_assignments_request_mirror_fkey`)
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'PLANNING' WHERE request_id = $1`, r2)
	if got := copyOf(); got.Status != "INTAKE" {
		t.Errorf("without the foreign key the copy followed the request (%+v): the checks above could not fail", got)
	}
}
