package database_test

import (
	"context"
	"fmt"
	"testing"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// mirrorCopy is a row's copy of its request's columns (docs/lists.md, "Mirrors of the request on
// its assignments").
type mirrorCopy struct {
	Closed bool
	Status string
	Target string
}

// requestMirror is a table whose rows keep a copy of their request's closed flag, status and
// target date through a cascading foreign key (fkey), as checkRequestMirror drives it: key names
// the one row the scenario writes (insert makes it on a request, with a copy the request does not
// have, and returns its key's value); refuse is a direct write of a copy no request has; control
// is a change of the request that the copy must miss once fkey is dropped.
type requestMirror struct {
	table, key, fkey, refuse, control string
	insert                            func(request int32) int32
}

// checkRequestMirror writes with raw SQL, bypassing the service, every statement that can change a
// row's copy of its request: the row's insert (filled from the request, whatever the writer sends),
// the request's status, its closed flag, its target date, and moving the row to another request.
// After each, every copy in the table equals its request's columns; a direct write of another value
// is refused (23503, naming the foreign key). The control drops the foreign key in this test's own
// database: the control's change then leaves the copy behind, so the checks above can fail.
func checkRequestMirror(t *testing.T, d *testdb.DB, user int32, m requestMirror) {
	t.Helper()
	ctx := context.Background()
	request := func(target string) int32 {
		return scalar(t, d.Pool, `INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
			VALUES ($1, 'TARGETED', 'LOW', $2::date) RETURNING request_id`, user, target)
	}
	r1, r2 := request("2027-01-01"), request("2027-02-01")
	row := m.insert(r1)
	copyOf := func() mirrorCopy {
		t.Helper()
		var c mirrorCopy
		if err := d.Pool.QueryRow(ctx, fmt.Sprintf(`SELECT request_is_closed, request_status, request_target_date::text
			FROM %s WHERE %s = $1`, m.table, m.key), row).Scan(&c.Closed, &c.Status, &c.Target); err != nil {
			t.Fatal(err)
		}
		return c
	}
	want := func(step string, w mirrorCopy) {
		t.Helper()
		if got := copyOf(); got != w {
			t.Errorf("%s: the %s copy is %+v, want %+v", step, m.table, got, w)
		}
		var stale int
		if err := d.Pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s x
			JOIN validation_requests vr ON vr.request_id = x.request_id
			WHERE (x.request_is_closed, x.request_status, x.request_target_date)
			      IS DISTINCT FROM (vr.is_closed, vr.status, vr.target_completion_date)`, m.table)).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Errorf("%s: %d rows of %s differ from their request", step, stale, m.table)
		}
	}
	want("insert", mirrorCopy{false, "INTAKE", "2027-01-01"})
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'PLANNING' WHERE request_id = $1`, r1)
	want("status", mirrorCopy{false, "PLANNING", "2027-01-01"})
	exec(t, d.Pool, `UPDATE validation_requests SET target_completion_date = '2027-03-01' WHERE request_id = $1`, r1)
	want("target date", mirrorCopy{false, "PLANNING", "2027-03-01"})
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'CANCELLED' WHERE request_id = $1`, r1)
	want("closing status", mirrorCopy{true, "CANCELLED", "2027-03-01"})
	exec(t, d.Pool, fmt.Sprintf(`UPDATE %s SET request_id = $1 WHERE %s = $2`, m.table, m.key), r2, row)
	want("moved to another request", mirrorCopy{false, "INTAKE", "2027-02-01"})

	_, err := d.Pool.Exec(ctx, fmt.Sprintf(`UPDATE %s SET %s WHERE %s = $1`, m.table, m.refuse, m.key), row)
	if !pgtx.IsSQLState(err, pgtx.ForeignKeyViolation) {
		t.Fatalf("a copy the request does not have: %v, want SQLSTATE 23503", err)
	}
	if c := pgtx.PgError(err).ConstraintName; c != m.fkey {
		t.Errorf("refused by %q, want %s", c, m.fkey)
	}
	want("refused write", mirrorCopy{false, "INTAKE", "2027-02-01"})

	// The control: without the foreign key nothing carries the request's change to the copy.
	exec(t, d.Pool, fmt.Sprintf(`ALTER TABLE %s DROP CONSTRAINT %s`, m.table, m.fkey))
	exec(t, d.Pool, fmt.Sprintf(`UPDATE validation_requests SET %s WHERE request_id = $1`, m.control), r2)
	if got := copyOf(); got != (mirrorCopy{false, "INTAKE", "2027-02-01"}) {
		t.Errorf("without the foreign key the copy followed the request (%+v): the checks above could not fail", got)
	}
}

// TestAssignmentMirrorsItsRequest: an assignment's copy of its request (migration
// 20261205003000), by checkRequestMirror.
func TestAssignmentMirrorsItsRequest(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	user := scalar(t, d.Pool, `INSERT INTO users (email, full_name, role) VALUES ('v@bank.test', 'Validator', 'VALIDATOR') RETURNING user_id`)
	checkRequestMirror(t, d, user, requestMirror{
		table: "validation_assignments", key: "assignment_id", fkey: "validation_assignments_request_mirror_fkey",
		refuse: "request_status = 'REVIEW'", control: "status = 'PLANNING'",
		// The writer names a closed flag, status and date its request does not have: the trigger
		// fills the request's own.
		insert: func(request int32) int32 {
			return scalar(t, d.Pool, `INSERT INTO validation_assignments (request_id, validator_id, is_primary, assigned_by,
					request_is_closed, request_status, request_target_date)
				VALUES ($1, $2, true, $2, true, 'APPROVED', '1999-01-01') RETURNING assignment_id`, request, user)
		},
	})
}

// TestModelLinkMirrorsItsRequest: a model link's copy of its request (validation_request_models,
// migration 20261206002000), by checkRequestMirror.
func TestModelLinkMirrorsItsRequest(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	user := scalar(t, d.Pool, `INSERT INTO users (email, full_name, role) VALUES ('o@bank.test', 'Owner', 'USER') RETURNING user_id`)
	model := scalar(t, d.Pool, `INSERT INTO models (model_name, owner_id) VALUES ('Retail PD', $1) RETURNING model_id`, user)
	checkRequestMirror(t, d, user, requestMirror{
		table: "validation_request_models", key: "model_id", fkey: "validation_request_models_request_mirror_fkey",
		refuse: "request_target_date = '2030-01-01'", control: "target_completion_date = '2027-04-01'",
		// The writer names a closed flag, status and date its request does not have: the trigger
		// fills the request's own.
		insert: func(request int32) int32 {
			exec(t, d.Pool, `INSERT INTO validation_request_models (request_id, model_id, blocks_model,
					request_is_closed, request_status, request_target_date)
				VALUES ($1, $2, false, true, 'APPROVED', '1999-01-01')`, request, model)
			return model
		},
	})
}
