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

// The first migrations of two upgrades: v1.1's validation lifecycle (assignments, outcomes,
// approver roles, approvals) and the hardening (append-only audit log, composite version keys,
// token expiry).
const (
	lifecycleVersion = "20261203000100"
	hardeningVersion = "20261203000200"
)

// upgradeFrom migrates an empty database up to (not including) the migration version, runs seed
// on it, then applies every migration: what an existing installation goes through.
func upgradeFrom(t *testing.T, version, seed string) (*pgx.Conn, error) {
	t.Helper()
	url := testdb.URLFor(t)
	before := fstest.MapFS{}
	err := fs.WalkDir(db.Migrations, db.MigrationsDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() >= version {
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
		t.Fatalf("migrate to before %s: %v", version, err)
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
	conn, err := upgradeFrom(t, hardeningVersion, seedConsistent)
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

	_, err = upgradeFrom(t, hardeningVersion, seedConsistent+`
		INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by)
		VALUES (1, '2', 'c', 'GLOBAL', 1);
		INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, planned_production_date)
		VALUES (3, 2, 1, 1, '2027-01-01');`)
	if err == nil || !strings.Contains(err.Error(), "version_deployment_tasks_model_version_fkey") {
		t.Errorf("upgrade with a task of another model's version: %v, want a refusal naming the constraint", err)
	}
}

// seedV1 is what v1 could have written: a request approved by hand, one awaiting approval with
// no validator (v1 had no gates), and the regional approval a deployment confirmation created in a
// region outside the validation's regions (v1's only kind of approval).
const seedV1 = `
INSERT INTO users (email, full_name, role) VALUES ('o@bank.test', 'Owner', 'ADMIN'), ('v@bank.test', 'Val', 'VALIDATOR');
INSERT INTO regions (code, name, requires_regional_approval) VALUES ('EU', 'EU', true);
INSERT INTO models (model_name, owner_id) VALUES ('A', 1), ('B', 1);
INSERT INTO model_regions (model_id, region_id) VALUES (1, 1), (2, 1);
INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
VALUES (2, 'COMPREHENSIVE', 'LOW', '2027-01-01'), (2, 'COMPREHENSIVE', 'LOW', '2027-01-01');
INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES (1, 1, true), (2, 2, true);
UPDATE validation_requests SET status = 'PLANNING';
UPDATE validation_requests SET status = 'IN_PROGRESS';
UPDATE validation_requests SET status = 'REVIEW';
UPDATE validation_requests SET status = 'PENDING_APPROVAL';
UPDATE validation_requests SET status = 'APPROVED' WHERE request_id = 1;
INSERT INTO validation_approvals (request_id, region_id, approval_type) VALUES (2, 1, 'REGIONAL');
`

// TestLifecycleUpgradesV1Data: v1.1's migrations apply to a v1 database with data in it. The
// requests keep their statuses (gates judge later changes, not the past), and v1's regional
// approval, which only a deployment could create, is now that request's DEPLOYMENT approval,
// still pending and undecided, while the request's own approval round is still to come.
func TestLifecycleUpgradesV1Data(t *testing.T) {
	t.Parallel()
	conn, err := upgradeFrom(t, lifecycleVersion, seedV1)
	if err != nil {
		t.Fatalf("upgrade a v1 database: %v", err)
	}
	var statuses string
	if err := conn.QueryRow(context.Background(), `SELECT string_agg(status, ',' ORDER BY request_id) FROM validation_requests`).Scan(&statuses); err != nil {
		t.Fatal(err)
	}
	if statuses != "APPROVED,PENDING_APPROVAL" {
		t.Errorf("statuses after the upgrade: %s", statuses)
	}
	var kind, status string
	var decidedBy *int32
	if err := conn.QueryRow(context.Background(), `SELECT approval_type, status, decided_by_id FROM validation_approvals WHERE request_id = 2`).Scan(&kind, &status, &decidedBy); err != nil {
		t.Fatal(err)
	}
	if kind != "DEPLOYMENT" || status != "PENDING" || decidedBy != nil {
		t.Errorf("v1's regional approval became %s/%s decided by %v, want a pending DEPLOYMENT approval", kind, status, decidedBy)
	}
	var notValid int64
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_constraint WHERE NOT convalidated`).Scan(&notValid); err != nil {
		t.Fatal(err)
	}
	if notValid != 0 {
		t.Errorf("%d constraints left NOT VALID", notValid)
	}
}
