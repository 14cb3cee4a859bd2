package database_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// TestVersionBelongsToItsModel writes, with raw SQL that bypasses the service, each row that
// names a version next to a model: with a version of that model it is accepted, with another
// model's version the schema refuses it (23503, naming the composite foreign key).
func TestVersionBelongsToItsModel(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	user := scalar(t, d.Pool, `INSERT INTO users (email, full_name, role) VALUES ('o@bank.test', 'Owner', 'USER') RETURNING user_id`)
	region := scalar(t, d.Pool, `INSERT INTO regions (code, name) VALUES ('EU', 'EU') RETURNING region_id`)
	modelA := scalar(t, d.Pool, `INSERT INTO models (model_name, owner_id) VALUES ('A', $1) RETURNING model_id`, user)
	modelB := scalar(t, d.Pool, `INSERT INTO models (model_name, owner_id) VALUES ('B', $1) RETURNING model_id`, user)
	for _, m := range []int32{modelA, modelB} {
		exec(t, d.Pool, `INSERT INTO model_regions (model_id, region_id) VALUES ($1, $2)`, m, region)
	}
	version := func(m int32) int32 {
		return scalar(t, d.Pool, `INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by)
			VALUES ($1, '1.0', 'first', 'GLOBAL', $2) RETURNING version_id`, m, user)
	}
	versionA, versionB := version(modelA), version(modelB)
	request := scalar(t, d.Pool, `INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
		VALUES ($1, 'TARGETED', 'LOW', '2027-01-01') RETURNING request_id`, user)

	cases := []struct {
		name, sql, constraint string
		args                  func(version int32) []any
	}{
		{"deployment task", `INSERT INTO version_deployment_tasks (version_id, model_id, assigned_to_id, planned_production_date)
			VALUES ($1, $2, $3, '2027-01-01')`, "version_deployment_tasks_model_version_fkey",
			func(v int32) []any { return []any{v, modelA, user} }},
		{"validation request model link", `INSERT INTO validation_request_models (request_id, model_id, version_id, blocks_model)
			VALUES ($1, $2, $3, false)`, "validation_request_models_model_version_fkey",
			func(v int32) []any { return []any{request, modelA, v} }},
		{"model region's version", `UPDATE model_regions SET version_id = $1, deployed_at = now()
			WHERE model_id = $2 AND region_id = $3`, "model_regions_model_version_fkey",
			func(v int32) []any { return []any{v, modelA, region} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Pool.Exec(ctx, tc.sql, tc.args(versionB)...)
			if !pgtx.IsSQLState(err, pgtx.ForeignKeyViolation) {
				t.Fatalf("another model's version: %v, want SQLSTATE 23503", err)
			}
			if pgErr := pgtx.PgError(err); pgErr.ConstraintName != tc.constraint {
				t.Errorf("refused by %q, want %q", pgErr.ConstraintName, tc.constraint)
			}
			// The control: the same statement with the model's own version is accepted.
			if _, err := d.Pool.Exec(ctx, tc.sql, tc.args(versionA)...); err != nil {
				t.Errorf("the model's own version: %v", err)
			}
		})
	}
}

func scalar(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int32 {
	t.Helper()
	var id int32
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
