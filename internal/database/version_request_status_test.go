package database_test

import (
	"context"
	"testing"

	"mrmflow/internal/database"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// TestVersionRequestStatusFollowsItsVersion writes with raw SQL, bypassing the service, every
// statement that can change which versions have a request status row or what it holds: a version
// inserted with a request, and without; a version linked, moved to another request, and unlinked;
// a request and a version inserted by one statement (as ValidationRequestCreate does); the
// request's status changes; a version deleted. After each, every row equals its version's request
// (database.VersionRequestStatusDrift), and a direct write of a status the request does not have
// is refused (23503, naming the foreign key). The controls, in this test's own database: without the trigger a
// linked version has no row, and without the foreign key a status change leaves the row behind —
// both seen by the same drift count, so the checks above can fail.
func TestVersionRequestStatusFollowsItsVersion(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	user := scalar(t, d.Pool, `INSERT INTO users (email, full_name, role) VALUES ('o@bank.test', 'Owner', 'USER') RETURNING user_id`)
	model := scalar(t, d.Pool, `INSERT INTO models (model_name, owner_id) VALUES ('Retail PD', $1) RETURNING model_id`, user)
	request := func() int32 {
		return scalar(t, d.Pool, `INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
			VALUES ($1, 'TARGETED', 'LOW', '2027-01-01') RETURNING request_id`, user)
	}
	version := func(number string, request any) int32 {
		return scalar(t, d.Pool, `INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by, validation_request_id)
			VALUES ($1, $2, 'change', 'GLOBAL', $3, $4) RETURNING version_id`, model, number, user, request)
	}
	drift := func() int32 {
		t.Helper()
		return scalar(t, d.Pool, database.VersionRequestStatusDrift)
	}
	rows := func() int32 {
		t.Helper()
		return scalar(t, d.Pool, `SELECT count(*)::int FROM model_version_request_status`)
	}
	want := func(step string, wantRows int32) {
		t.Helper()
		if n := drift(); n != 0 {
			t.Errorf("%s: %d versions' request status rows differ from their request", step, n)
		}
		if n := rows(); n != wantRows {
			t.Errorf("%s: %d request status rows, want %d", step, n, wantRows)
		}
	}

	r1, r2 := request(), request()
	v1 := version("1.0", r1)
	want("version inserted with a request", 1)
	v2 := version("2.0", nil)
	want("version inserted without a request", 1)
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'PLANNING' WHERE request_id = $1`, r1)
	want("request's status", 1)
	exec(t, d.Pool, `UPDATE model_versions SET validation_request_id = $1 WHERE version_id = $2`, r2, v1)
	want("version moved to another request", 1)
	exec(t, d.Pool, `UPDATE model_versions SET validation_request_id = $1 WHERE version_id = $2`, r1, v2)
	want("version linked", 2)
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'CANCELLED' WHERE request_id = $1`, r1)
	want("closing status", 2)
	exec(t, d.Pool, `UPDATE model_versions SET validation_request_id = NULL WHERE version_id = $1`, v2)
	want("version unlinked", 1)
	exec(t, d.Pool, `WITH r AS (
			INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
			VALUES ($1, 'TARGETED', 'LOW', '2027-01-01') RETURNING request_id)
		UPDATE model_versions v SET validation_request_id = r.request_id FROM r WHERE v.version_id = $2`, user, v2)
	want("request and link in one statement", 2)
	exec(t, d.Pool, `DELETE FROM model_versions WHERE version_id = $1`, v2)
	want("version deleted", 1)

	_, err := d.Pool.Exec(ctx, `UPDATE model_version_request_status SET request_status = 'APPROVED' WHERE version_id = $1`, v1)
	if !pgtx.IsSQLState(err, pgtx.ForeignKeyViolation) {
		t.Fatalf("a status the request does not have: %v, want SQLSTATE 23503", err)
	}
	if c := pgtx.PgError(err).ConstraintName; c != "model_version_request_status_request_mirror_fkey" {
		t.Errorf("refused by %q, want model_version_request_status_request_mirror_fkey", c)
	}
	want("refused write", 1)

	// The controls: without the trigger a newly linked version has no row; without the foreign
	// key the row misses its request's status change. The drift count sees both.
	exec(t, d.Pool, `ALTER TABLE model_versions DISABLE TRIGGER model_versions_keep_request_status`)
	version("3.0", r2)
	if n := drift(); n != 1 {
		t.Errorf("without the trigger a linked version's row is missing, yet the drift count is %d, want 1", n)
	}
	exec(t, d.Pool, `DELETE FROM model_versions WHERE version_number = '3.0'`)
	exec(t, d.Pool, `ALTER TABLE model_version_request_status DROP CONSTRAINT model_version_request_status_request_mirror_fkey`)
	exec(t, d.Pool, `UPDATE validation_requests SET status = 'PLANNING' WHERE request_id = $1`, r2)
	if n := drift(); n != 1 {
		t.Errorf("without the foreign key the row followed its request (drift %d, want 1): the checks above could not fail", n)
	}
}
