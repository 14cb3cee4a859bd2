package database_test

import (
	"context"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/db"
	"mrmflow/internal/database"
	"mrmflow/internal/testdb"
)

// hardeningVersion is the first migration of the hardening (append-only audit log, composite
// version keys, token expiry): upgradeFrom applies the ones before it.
const hardeningVersion = "20261203000200"

// upgradeFrom migrates an empty database up to (not including) hardeningVersion, runs seed on it,
// then applies every migration: what an existing installation goes through.
func upgradeFrom(t *testing.T, seed string) (*pgx.Conn, error) {
	t.Helper()
	url := testdb.URLFor(t)
	before := fstest.MapFS{}
	err := fs.WalkDir(db.Migrations, db.MigrationsDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() >= hardeningVersion {
			return err
		}
		b, err := fs.ReadFile(db.Migrations, path)
		before[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := database.Migrator(url, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m.FS = before
	if err := m.CreateAndMigrate(); err != nil {
		t.Fatalf("migrate to before %s: %v", hardeningVersion, err)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	if _, err := conn.Exec(context.Background(), seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return conn, database.Migrate(url, io.Discard)
}

// seedConsistent is data the service could have written before the hardening: a token (which had
// no expiry), and a model whose version is linked from a task, a validation request and a region.
const seedConsistent = `
INSERT INTO users (email, full_name, role) VALUES ('o@bank.test', 'Owner', 'ADMIN');
INSERT INTO api_tokens (user_id, name, secret_hash) VALUES (1, 'old', sha256('s'));
INSERT INTO regions (code, name) VALUES ('EU', 'EU');
INSERT INTO models (model_name, owner_id) VALUES ('A', 1), ('B', 1);
INSERT INTO model_regions (model_id, region_id) VALUES (1, 1), (2, 1);
INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by)
VALUES (1, '1', 'c', 'GLOBAL', 1), (2, '1', 'c', 'GLOBAL', 1);
UPDATE model_regions SET version_id = model_id, deployed_at = now();
INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, planned_production_date)
VALUES (1, 1, 1, 1, '2027-01-01'), (2, 2, 1, 1, '2027-01-01');
INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
VALUES (1, 'TARGETED', 'LOW', '2027-01-01');
INSERT INTO validation_request_models (request_id, model_id, version_id, blocks_model) VALUES (1, 1, 1, false);
INSERT INTO audit_logs (entity_type, entity_id, action) VALUES ('user', 1, 'USER_CREATED');
`

// TestHardeningUpgradesExistingData: the hardening migrations apply to a database with data in
// it — existing tokens get an expiry 90 days out, and the composite keys are validated (not left
// NOT VALID) — and they do check the existing rows: a task linked to another model's version
// stops the upgrade, naming the constraint.
func TestHardeningUpgradesExistingData(t *testing.T) {
	t.Parallel()
	conn, err := upgradeFrom(t, seedConsistent)
	if err != nil {
		t.Fatalf("upgrade a database with consistent data: %v", err)
	}
	var expires time.Time
	if err := conn.QueryRow(context.Background(), `SELECT expires_at FROM api_tokens WHERE name = 'old'`).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expires); d < 89*24*time.Hour || d > 91*24*time.Hour {
		t.Errorf("an existing token expires in %v, want 90 days", d)
	}
	var notValid int64
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_constraint WHERE NOT convalidated`).Scan(&notValid); err != nil {
		t.Fatal(err)
	}
	if notValid != 0 {
		t.Errorf("%d constraints left NOT VALID", notValid)
	}

	_, err = upgradeFrom(t, seedConsistent+`
		INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by)
		VALUES (1, '2', 'c', 'GLOBAL', 1);
		INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, planned_production_date)
		VALUES (3, 2, 1, 1, '2027-01-01');`)
	if err == nil || !strings.Contains(err.Error(), "version_deployment_tasks_model_version_fkey") {
		t.Errorf("upgrade with a task of another model's version: %v, want a refusal naming the constraint", err)
	}
}
