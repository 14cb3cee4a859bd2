package idempotency_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/domain"
	"mrmflow/internal/idempotency"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
)

type answer struct {
	N int `json:"n"`
}

func setup(t *testing.T) (*testdb.DB, int32) {
	t.Helper()
	d := testdb.New(t, 4)
	var userID int32
	err := d.Pool.QueryRow(context.Background(),
		`INSERT INTO users (email, full_name, role) VALUES ('k@bank.test', 'K', 'USER') RETURNING user_id`).Scan(&userID)
	if err != nil {
		t.Fatal(err)
	}
	return d, userID
}

func do(ctx context.Context, d *testdb.DB, key *idempotency.Key, n int, runs *int) (idempotency.Result[answer], error) {
	var res idempotency.Result[answer]
	err := pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		var err error
		res, err = idempotency.Do(ctx, tx, key, func() (answer, error) {
			*runs++
			return answer{N: n}, nil
		})
		return err
	})
	return res, err
}

func TestReplayAndReuse(t *testing.T) {
	t.Parallel()
	d, user := setup(t)
	ctx := context.Background()
	runs := 0
	key := idempotency.NewKey(user, "k1", "POST /x", []byte(`{"a":1}`), 201)
	first, err := do(ctx, d, key, 7, &runs)
	if err != nil || first.Replay != nil || first.Value.N != 7 {
		t.Fatalf("first = %+v, %v", first, err)
	}
	again, err := do(ctx, d, key, 8, &runs)
	if err != nil || again.Replay == nil || again.Replay.Status != 201 || string(again.Replay.Body) != `{"n":7}` {
		t.Fatalf("replay = %+v, %v", again, err)
	}
	if runs != 1 {
		t.Fatalf("work ran %d times, want once", runs)
	}
	other := idempotency.NewKey(user, "k1", "POST /x", []byte(`{"a":2}`), 201)
	if _, err := do(ctx, d, other, 9, &runs); domain.CodeOf(err) != domain.CodeIdempotencyKeyReused {
		t.Fatalf("other body: err = %v, want idempotency_key_reused", err)
	}
	elsewhere := idempotency.NewKey(user, "k1", "POST /y", []byte(`{"a":1}`), 201)
	if _, err := do(ctx, d, elsewhere, 9, &runs); domain.CodeOf(err) != domain.CodeIdempotencyKeyReused {
		t.Fatalf("other endpoint: err = %v, want idempotency_key_reused", err)
	}
}

func TestFailedWorkLeavesNoKey(t *testing.T) {
	t.Parallel()
	d, user := setup(t)
	ctx := context.Background()
	key := idempotency.NewKey(user, "k2", "POST /x", []byte(`{}`), 201)
	boom := errors.New("boom")
	err := pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		_, err := idempotency.Do(ctx, tx, key, func() (answer, error) { return answer{}, boom })
		return err
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	runs := 0
	res, err := do(ctx, d, key, 3, &runs)
	if err != nil || res.Replay != nil || runs != 1 {
		t.Fatalf("retry after a failure must run the work: %+v, %v, runs %d", res, err, runs)
	}
}

// TestKeyInFlightIsRetryable: while one transaction holds a key, a second request with it waits
// on the key; when its lock wait runs out it is lock_timeout (503, retry), not an internal error.
func TestKeyInFlightIsRetryable(t *testing.T) {
	t.Parallel()
	d, user := setup(t)
	ctx := context.Background()
	key := idempotency.NewKey(user, "k3", "POST /x", []byte(`{}`), 201)
	holder, err := d.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	if _, err := idempotency.Do(ctx, holder, key, func() (answer, error) { return answer{N: 1}, nil }); err != nil {
		t.Fatal(err)
	}
	err = pgtx.WithTx(ctx, pgtx.NewDB(d.Pool, pgtx.Limits{}), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '100ms'"); err != nil {
			return err
		}
		_, err := idempotency.Do(ctx, tx, key, func() (answer, error) { return answer{N: 2}, nil })
		return err
	})
	if domain.CodeOf(err) != domain.CodeLockTimeout {
		t.Fatalf("err = %v, want lock_timeout", err)
	}
}
