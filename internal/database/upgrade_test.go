package database_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/db"
	"mrmflow/gen"
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

// rulesVersion is the cut point of the upgrade that limits model changes to INTAKE and PLANNING
// and region scopes to the models' regions. Those rules live in the service: no migration checks
// or rewrites the data they would now refuse. The cut is the newest migration that existed when
// they were introduced, so the seed is old data that every later migration must accept.
const rulesVersion = "20261203000202"

// TestRulesUpgradeKeepsDataTheyRefuse: a database holding what the rules now refuse — a request in
// PENDING_APPROVAL whose audit log shows a model added while IN_PROGRESS, an APPROVED one whose
// model was added in REVIEW, a request scoped to a region its model does not run in — upgrades
// without an error, every row as it was, and the rule-exceptions report lists exactly those
// three (README, "Upgrading: data the new rules refuse").
func TestRulesUpgradeKeepsDataTheyRefuse(t *testing.T) {
	t.Parallel()
	conn, err := upgradeFrom(t, rulesVersion, testdb.RuleExceptionsSeed)
	if err != nil {
		t.Fatalf("upgrade a database with data the new rules refuse: %v", err)
	}
	ctx := context.Background()
	for _, c := range []struct{ what, query, want string }{
		{"statuses", `SELECT string_agg(request_id || ':' || status, ',' ORDER BY request_id) FROM validation_requests`,
			"9001:PENDING_APPROVAL,9002:PLANNING,9003:IN_PROGRESS,9004:CANCELLED,9005:APPROVED"},
		{"model links", `SELECT string_agg(request_id || ':' || model_id, ',' ORDER BY request_id, model_id) FROM validation_request_models`,
			"9001:9001,9001:9002,9002:9003,9003:9002,9003:9004,9004:9003,9005:9001,9005:9004"},
		{"regions", `SELECT string_agg(request_id || ':' || region_id, ',' ORDER BY request_id, region_id) FROM validation_request_regions`,
			"9002:9002,9003:9001,9004:9002"},
		{"model regions", `SELECT string_agg(model_id || ':' || region_id, ',' ORDER BY model_id, region_id) FROM model_regions`,
			"9001:9001,9002:9001,9003:9001,9004:9001,9004:9002"},
		{"history", `SELECT count(*)::text FROM validation_status_history`, "18"},
		{"audit", `SELECT string_agg(audit_id || ':' || (changes->'added')::text, ',' ORDER BY audit_id) FROM audit_logs`,
			"9001:[9002],9002:[9004],9003:[9001],9004:null"},
	} {
		var got string
		if err := conn.QueryRow(ctx, c.query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if got != c.want {
			t.Errorf("%s after the upgrade: %s, want %s (untouched)", c.what, got, c.want)
		}
	}

	rows, err := gen.New(conn).ReportRuleExceptions(ctx, gen.ReportRuleExceptionsParams{PageLimit: 100})
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s %d %s model %d region %v audit %v then %v",
			r.Kind, r.RequestID, r.RequestStatus, r.ModelID, deref(r.RegionID), deref(r.DetectedFrom), deref(r.StatusThen)))
	}
	want := []string{
		"MODELS_CHANGED_OUTSIDE_PLANNING 9001 PENDING_APPROVAL model 9002 region <nil> audit 9001 then IN_PROGRESS",
		"REGION_OUTSIDE_MODEL_SCOPE 9002 PLANNING model 9003 region 9002 audit <nil> then <nil>",
		"MODELS_CHANGED_OUTSIDE_PLANNING 9005 APPROVED model 9001 region <nil> audit 9003 then REVIEW",
	}
	if !slices.Equal(got, want) {
		t.Errorf("report after the upgrade:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// deref shows a nullable column: its value, or <nil>.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
