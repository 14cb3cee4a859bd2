package queues

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/testdb"
)

// TestSeedKeepsTheSchemasRules seeds a scaled-down inventory (1 % of the benchmark's) in a fresh
// database: every constraint the seed goes through refuses a wrong row, the invariants check the
// rules a constraint does not hold (and the one trigger the seed turns off), and the counts are
// the sizes asked for.
func TestSeedKeepsTheSchemasRules(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, 2)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	size, err := Seed(ctx, conn, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if size != (Size{Models: 100, Requests: 500, Tasks: 2000}) {
		t.Fatalf("size at 0.01 = %+v", size)
	}
	if err := CheckInvariants(ctx, conn); err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]int64{
		"users": 500, "regions": 10, "models": 100, "model_versions": 1200,
		"validation_requests": 500, "version_deployment_tasks": 2000,
	} {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	// Every status and every task status occurs, the approvers have a queue, and the trigger the
	// seed turned off for the tasks' insert is on again.
	var statuses, taskStatuses, pendingApproval int
	var triggerOn bool
	if err := conn.QueryRow(ctx, `
		SELECT (SELECT count(DISTINCT status) FROM validation_requests),
		       (SELECT count(DISTINCT status) FROM version_deployment_tasks),
		       (SELECT count(*) FROM validation_requests WHERE status = 'PENDING_APPROVAL'),
		       (SELECT tgenabled = 'O' FROM pg_trigger WHERE tgname = 'version_deployment_tasks_one_kind')`,
	).Scan(&statuses, &taskStatuses, &pendingApproval, &triggerOn); err != nil {
		t.Fatal(err)
	}
	if statuses != 9 || taskStatuses != 4 || pendingApproval != 30 || !triggerOn {
		t.Errorf("%d request statuses (want 9), %d task statuses (want 4), %d awaiting approval (want 30), one-kind trigger on: %v",
			statuses, taskStatuses, pendingApproval, triggerOn)
	}
	// The database still refuses what DATA-01 refuses: a second active non-targeted request on a
	// model that has one.
	_, err = conn.Exec(ctx, `
		WITH m AS (SELECT model_id FROM validation_request_models WHERE blocks_model LIMIT 1),
		     r AS (INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
		           VALUES (156, 'CHANGE', 'LOW', '2027-01-01') RETURNING request_id, blocks_models)
		INSERT INTO validation_request_models (request_id, model_id, blocks_model)
		SELECT r.request_id, m.model_id, r.blocks_models FROM r, m`)
	if err == nil {
		t.Error("a second blocking request on a model was accepted after the seed")
	}
}
