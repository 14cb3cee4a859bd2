package pgtx_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

func TestSavepointsInOnePipelineKeepDoneWorkAndUndoFailedWork(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	pool, trips := tracedPool(t, d)
	var released, tripsSent, tripsRollback int
	err := pgtx.WithTx(ctx, pgtx.NewDB(pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		if err := insertRegion(ctx, tx, "BEFORE"); err != nil {
			return err
		}
		// Three tasks in one pipeline: one that succeeds, one whose second insert fails (its first
		// is undone by the rollback), one after it that the server skips.
		p := &pgtx.Pipeline{}
		kept, failing, skipped := &pgtx.Pipeline{}, &pgtx.Pipeline{}, &pgtx.Pipeline{}
		queueRegion(ctx, kept, "KEPT", "kept")
		queueRegion(ctx, failing, "GONE", "gone")
		queueRegion(ctx, failing, "BEFORE", "dup") // unique violation
		queueRegion(ctx, skipped, "SKIPPED", "skipped")
		for _, task := range []*pgtx.Pipeline{kept, failing, skipped} {
			p.Append(pgtx.Savepointed("task", task), func() { released++ })
		}
		before := trips.RoundTrips()
		if err := p.Send(ctx, tx); !pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, "regions_code_key") {
			t.Errorf("send: err = %v, want the unique violation", err)
		}
		tripsSent = trips.RoundTrips() - before
		before = trips.RoundTrips()
		if err := pgtx.RollbackToSavepoint(ctx, tx, "task"); err != nil {
			return err
		}
		tripsRollback = trips.RoundTrips() - before
		// The transaction is usable after the rollback.
		return insertRegion(ctx, tx, "AFTER")
	})
	if err != nil {
		t.Fatal(err)
	}
	if released != 1 || tripsSent != 1 || tripsRollback != 1 {
		t.Errorf("released %d tasks in %d round trips, rollback in %d; want 1 task, 1 round trip, 1", released, tripsSent, tripsRollback)
	}
	rows, _ := d.Pool.Query(ctx, "SELECT code FROM regions ORDER BY code")
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if got := len(codes); got != 3 || codes[0] != "AFTER" || codes[1] != "BEFORE" || codes[2] != "KEPT" {
		t.Fatalf("regions %v, want [AFTER BEFORE KEPT]", codes)
	}
}

// Negative control: the same failing work sent without a savepoint cannot be undone alone — the
// transaction is aborted and the commit loses everything, which is why bulk calls use savepoints.
func TestWithoutSavepointAFailureLosesTheWholeTransaction(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	err := pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		if err := insertRegion(ctx, tx, "BEFORE"); err != nil {
			return err
		}
		work := &pgtx.Pipeline{}
		queueRegion(ctx, work, "BEFORE", "dup")
		if err := work.Send(ctx, tx); err == nil {
			t.Error("the duplicate insert succeeded")
		}
		return insertRegion(ctx, tx, "AFTER")
	})
	if !pgtx.IsSQLState(err, "25P02") {
		t.Fatalf("err = %v, want in_failed_sql_transaction (25P02)", err)
	}
	if n := count(t, d); n != 0 {
		t.Fatalf("regions = %d, want 0", n)
	}
}

// TestQueuingFailureSurvivesSavepointAndAppend: a failure met while queuing a task's statements
// (Pipeline.Fail: an audit row's changes that do not encode) stays with the task when it is put
// between a savepoint and its release (Savepointed) and appended to the call's pipeline (Append):
// sending that pipeline returns it and sends nothing, so nothing commits without its audit row.
func TestQueuingFailureSurvivesSavepointAndAppend(t *testing.T) {
	want := errors.New("encode the audit row's changes")
	task := &pgtx.Pipeline{}
	task.Fail(want)
	call := &pgtx.Pipeline{}
	call.Append(pgtx.Savepointed("task", task), nil)
	// A nil sender: Send must return before it would send anything.
	if err := call.Send(context.Background(), nil); !errors.Is(err, want) {
		t.Fatalf("Send = %v, want the queuing failure", err)
	}
}
