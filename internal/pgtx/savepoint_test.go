package pgtx_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

func TestPipelinedSavepointKeepsDoneWorkAndUndoesFailedWork(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	pool, trips := tracedPool(t, d)
	var tripsPerTask []int
	err := pgtx.WithTx(ctx, pgtx.NewDB(pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		if err := insertRegion(ctx, tx, "BEFORE"); err != nil {
			return err
		}
		// A task that succeeds: SAVEPOINT + insert, then insert + RELEASE — two round trips.
		before := trips.RoundTrips()
		ok := pgtx.NewPipelinedSavepoint(tx, "task")
		work := &pgtx.Pipeline{}
		queueRegion(ctx, work, "KEPT", "kept")
		if err := ok.Send(ctx, work); err != nil {
			return err
		}
		done := &pgtx.Pipeline{}
		queueRegion(ctx, done, "KEPT2", "kept2")
		if err := ok.Release(ctx, done); err != nil {
			return err
		}
		tripsPerTask = append(tripsPerTask, trips.RoundTrips()-before)

		// A task whose second pipeline fails: both of its inserts are undone by the rollback.
		failed := pgtx.NewPipelinedSavepoint(tx, "task")
		work = &pgtx.Pipeline{}
		queueRegion(ctx, work, "GONE", "gone")
		if err := failed.Send(ctx, work); err != nil {
			return err
		}
		done = &pgtx.Pipeline{}
		queueRegion(ctx, done, "BEFORE", "dup") // unique violation
		if err := failed.Release(ctx, done); !pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, "regions_code_key") {
			t.Errorf("release: err = %v, want the unique violation", err)
		}
		before = trips.RoundTrips()
		if err := failed.Rollback(ctx); err != nil {
			return err
		}
		tripsPerTask = append(tripsPerTask, trips.RoundTrips()-before)

		// A task refused before sending anything needs no rollback statement.
		before = trips.RoundTrips()
		if err := pgtx.NewPipelinedSavepoint(tx, "task").Rollback(ctx); err != nil {
			return err
		}
		tripsPerTask = append(tripsPerTask, trips.RoundTrips()-before)

		// The transaction is usable after the rollback.
		return insertRegion(ctx, tx, "AFTER")
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 1, 0}; len(tripsPerTask) != 3 || tripsPerTask[0] != want[0] || tripsPerTask[1] != want[1] || tripsPerTask[2] != want[2] {
		t.Errorf("round trips per task %v, want %v", tripsPerTask, want)
	}
	var codes []string
	rows, _ := d.Pool.Query(ctx, "SELECT code FROM regions ORDER BY code")
	codes, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if got := len(codes); got != 4 || codes[0] != "AFTER" || codes[1] != "BEFORE" || codes[2] != "KEPT" || codes[3] != "KEPT2" {
		t.Fatalf("regions %v, want [AFTER BEFORE KEPT KEPT2]", codes)
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
