package deployment_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
	"mrmflow/internal/metrics"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

// fixture is one test's database and service, with small factories that write rows directly
// (the deployment service is what is under test, not the model or validation services).
type fixture struct {
	t       testing.TB
	ctx     context.Context
	db      *testdb.DB
	svc     *deployment.Service
	metrics *metrics.Metrics
}

var seq atomic.Int64

func newFixture(t testing.TB, opts pgtx.Limits) *fixture {
	t.Helper()
	return newFixtureOn(t, testdb.New(t, 20), opts)
}

// newFixtureOn is newFixture on a given test database (one reached through PgBouncer, say).
func newFixtureOn(t testing.TB, d *testdb.DB, opts pgtx.Limits) *fixture {
	t.Helper()
	m := metrics.New()
	return &fixture{t: t, ctx: context.Background(), db: d, svc: deployment.NewService(d.Pool, opts, m), metrics: m}
}

// exec runs raw SQL on the test database (fixtures and checks only).
func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Pool.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) id(sql string, args ...any) int32 {
	f.t.Helper()
	var id int32
	if err := f.db.Pool.QueryRow(f.ctx, sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (f *fixture) user(role domain.Role) domain.Actor {
	f.t.Helper()
	n := seq.Add(1)
	id := f.id(`INSERT INTO users (email, full_name, role) VALUES ($1, $2, $3) RETURNING user_id`,
		fmt.Sprintf("u%d@bank.test", n), fmt.Sprintf("User %d", n), string(role))
	return domain.Actor{UserID: id, Role: role}
}

func (f *fixture) region(requiresApproval bool) int32 {
	f.t.Helper()
	n := seq.Add(1)
	return f.id(`INSERT INTO regions (code, name, requires_regional_approval) VALUES ($1, $1, $2) RETURNING region_id`,
		fmt.Sprintf("R%d", n), requiresApproval)
}

func (f *fixture) model(owner domain.Actor, regionIDs ...int32) int32 {
	f.t.Helper()
	id := f.id(`INSERT INTO models (model_name, owner_id) VALUES ($1, $2) RETURNING model_id`, fmt.Sprintf("M%d", seq.Add(1)), owner.UserID)
	f.exec(`INSERT INTO model_regions (model_id, region_id) SELECT $1, unnest($2::int[])`, id, regionIDs)
	return id
}

// version adds a GLOBAL version, linked to validation request validationID when it is not 0.
func (f *fixture) version(modelID, validationID int32) int32 {
	f.t.Helper()
	var link *int32
	if validationID != 0 {
		link = &validationID
	}
	return f.id(`INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by, validation_request_id)
		SELECT $1, $2, 'change', 'GLOBAL', owner_id, $3 FROM models WHERE model_id = $1 RETURNING version_id`,
		modelID, fmt.Sprintf("v%d", seq.Add(1)), link)
}

// validation inserts a validation request directly with status, covering regionIDs.
func (f *fixture) validation(status string, regionIDs ...int32) int32 {
	f.t.Helper()
	requestor := f.user(domain.RoleValidator)
	id := f.id(`INSERT INTO validation_requests (requestor_id, validation_type, priority, status, target_completion_date)
		VALUES ($1, 'CHANGE', 'MEDIUM', $2, '2027-01-31') RETURNING request_id`, requestor.UserID, status)
	f.exec(`INSERT INTO validation_request_regions (request_id, region_id) SELECT $1, unnest($2::int[])`, id, regionIDs)
	return id
}

// tasks plans deployments of versionID (nil region = global) through the service as ADMIN.
func (f *fixture) tasks(versionID int32, regionIDs ...*int32) []deployment.Task {
	f.t.Helper()
	targets := make([]deployment.Target, len(regionIDs))
	for i, r := range regionIDs {
		targets[i] = deployment.Target{RegionID: r, PlannedProductionDate: date("2026-12-01")}
	}
	res, err := f.svc.CreateDeployments(f.ctx, f.admin(), versionID, targets, nil)
	if err != nil {
		f.t.Fatalf("create deployments: %v", err)
	}
	return res.Value.Tasks
}

func (f *fixture) adminID() int32 {
	return f.id(`SELECT coalesce((SELECT min(user_id) FROM users WHERE role = 'ADMIN'), 0)`)
}

func (f *fixture) admin() domain.Actor {
	f.t.Helper()
	if id := f.adminID(); id != 0 {
		return domain.Actor{UserID: id, Role: domain.RoleAdmin}
	}
	return f.user(domain.RoleAdmin)
}

// taskStatus reads one task's status.
func (f *fixture) taskStatus(taskID int32) string {
	f.t.Helper()
	var s string
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT status::text FROM version_deployment_tasks WHERE task_id = $1`, taskID).Scan(&s); err != nil {
		f.t.Fatalf("read task %d: %v", taskID, err)
	}
	return s
}

// auditActions returns task id -> audit actions of deployment tasks, oldest first.
func (f *fixture) auditActions() map[int32][]string {
	f.t.Helper()
	rows, err := f.db.Pool.Query(f.ctx, `SELECT entity_id, action FROM audit_logs
		WHERE entity_type = 'deployment_task' AND action <> 'DEPLOYMENT_CREATED' ORDER BY audit_id`)
	if err != nil {
		f.t.Fatalf("read audit: %v", err)
	}
	defer rows.Close()
	out := map[int32][]string{}
	for rows.Next() {
		var id int32
		var action string
		if err := rows.Scan(&id, &action); err != nil {
			f.t.Fatalf("scan audit: %v", err)
		}
		out[id] = append(out[id], action)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatalf("read audit: %v", err)
	}
	return out
}

// failOnTask installs a test-only trigger (in this test's own database) that raises when the
// given task is updated, as a stand-in for any database error inside one task's savepoint.
func (f *fixture) failOnTask(taskID int32) {
	f.t.Helper()
	f.exec(fmt.Sprintf(`CREATE OR REPLACE FUNCTION test_fail_task() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.task_id = %d THEN RAISE EXCEPTION 'injected failure' USING ERRCODE = 'P0001'; END IF;
			RETURN NEW;
		END $$`, taskID))
	f.exec(`CREATE OR REPLACE TRIGGER test_fail_task BEFORE UPDATE ON version_deployment_tasks
		FOR EACH ROW EXECUTE FUNCTION test_fail_task()`)
}

// sleepOnTask installs a test-only trigger that sleeps when the given task is updated.
func (f *fixture) sleepOnTask(taskID int32, d time.Duration) {
	f.t.Helper()
	f.exec(fmt.Sprintf(`CREATE OR REPLACE FUNCTION test_sleep_task() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.task_id = %d THEN PERFORM pg_sleep(%f); END IF;
			RETURN NEW;
		END $$`, taskID, d.Seconds()))
	f.exec(`CREATE OR REPLACE TRIGGER test_sleep_task BEFORE UPDATE ON version_deployment_tasks
		FOR EACH ROW EXECUTE FUNCTION test_sleep_task()`)
}

func (f *fixture) secondPool() *pgxpool.Pool {
	f.t.Helper()
	p, err := pgxpool.New(f.ctx, f.db.URL)
	if err != nil {
		f.t.Fatalf("second pool: %v", err)
	}
	f.t.Cleanup(p.Close)
	return p
}

func date(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

func confirmIn() deployment.ConfirmInput {
	return deployment.ConfirmInput{ActualProductionDate: date("2026-12-05"), ConfirmationNotes: "done"}
}

// outcomes reads the bulk outcome counter of op and code from the fixture's registry.
func (f *fixture) outcomes(op, code string) float64 {
	f.t.Helper()
	families, err := f.metrics.Registry.Gather()
	if err != nil {
		f.t.Fatal(err)
	}
	for _, mf := range families {
		if mf.GetName() != "mrmflow_bulk_task_outcomes_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["operation"] == op && labels["code"] == code {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// count runs a count(*) query on the test database.
func (f *fixture) count(sql string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.db.Pool.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}
