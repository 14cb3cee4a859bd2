package pgtx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

func count(t *testing.T, d *testdb.DB) int {
	t.Helper()
	var n int
	if err := d.Pool.QueryRow(context.Background(), "SELECT count(*) FROM regions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertRegion(ctx context.Context, tx pgx.Tx, code string) error {
	_, err := tx.Exec(ctx, "INSERT INTO regions (code, name) VALUES ($1, $1)", code)
	return err
}

func TestWithTxCommitsOnSuccessAndRollsBackOnErrorOrPanic(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	if err := pgtx.WithTx(ctx, d.Pool, func(tx pgx.Tx) error { return insertRegion(ctx, tx, "A") }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := pgtx.WithTx(ctx, d.Pool, func(tx pgx.Tx) error {
		if err := insertRegion(ctx, tx, "B"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = pgtx.WithTx(ctx, d.Pool, func(tx pgx.Tx) error {
			_ = insertRegion(ctx, tx, "C")
			panic("panic inside the transaction")
		})
	}()
	if n := count(t, d); n != 1 {
		t.Fatalf("regions = %d, want 1 (only the committed one)", n)
	}
	if d.Pool.Stat().AcquiredConns() != 0 {
		t.Fatalf("a connection leaked: %d acquired", d.Pool.Stat().AcquiredConns())
	}
}

func TestWithSavepointRollsBackOnlyTheFailedPartAndKeepsTheTransactionUsable(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	ctx := context.Background()
	err := pgtx.WithTx(ctx, d.Pool, func(tx pgx.Tx) error {
		if err := pgtx.WithSavepoint(ctx, tx, func(sp pgx.Tx) error { return insertRegion(ctx, sp, "KEEP") }); err != nil {
			return err
		}
		// A unique violation aborts the savepoint; WithSavepoint must roll back to it (not
		// release it), or the outer commit would fail and lose KEEP as well.
		err := pgtx.WithSavepoint(ctx, tx, func(sp pgx.Tx) error {
			if err := insertRegion(ctx, sp, "GONE"); err != nil {
				return err
			}
			return insertRegion(ctx, sp, "KEEP")
		})
		if !pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, "regions_code_key") {
			t.Errorf("savepoint err = %v, want the unique violation", err)
		}
		return insertRegion(ctx, tx, "AFTER")
	})
	if err != nil {
		t.Fatalf("outer transaction: %v", err)
	}
	rows, err := d.Pool.Query(ctx, "SELECT code FROM regions ORDER BY code")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 2 || codes[0] != "AFTER" || codes[1] != "KEEP" {
		t.Fatalf("regions = %v, want [AFTER KEEP]", codes)
	}
}

func TestWithTxLimitsBoundOnlyThatTransaction(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 1) // one connection: the next transaction reuses the same session
	ctx := context.Background()
	show := func(q interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}, name string) string {
		var v string
		if err := q.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := show(d.Pool, "statement_timeout")
	err := pgtx.WithTxLimits(ctx, d.Pool, pgtx.ReadCommitted, pgtx.Limits{LockTimeout: 250 * time.Millisecond}, func(tx pgx.Tx) error {
		if got := show(tx, "lock_timeout"); got != "250ms" {
			t.Errorf("lock_timeout inside = %q, want 250ms", got)
		}
		if got := show(tx, "statement_timeout"); got != before {
			t.Errorf("statement_timeout inside = %q, want the session's %q (zero keeps it)", got, before)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := show(d.Pool, "lock_timeout"); got != "0" {
		t.Errorf("lock_timeout after the transaction = %q, want the session default 0 (SET LOCAL)", got)
	}
}
