package validation_test

import (
	"context"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/validation"
)

// TestStatementTimeoutBoundsEveryTransaction: the service sets STATEMENT_TIMEOUT in each of its
// transactions (SET LOCAL, never as a session or startup parameter, which a transaction pooler
// refuses). A status change stuck behind another transaction's lock on the request row is cut
// off by the statement timeout, well before the lock timeout, and answered unavailable (57014).
func TestStatementTimeoutBoundsEveryTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	model := f.models(1)[0]
	r, err := f.svc.Create(context.Background(), f.validator, input(validation.TypeTargeted, model), nil)
	if err != nil {
		t.Fatal(err)
	}
	id := r.Value.RequestID
	holder, err := f.db.Pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(context.Background()) }()
	if _, err := holder.Exec(context.Background(), `SELECT 1 FROM validation_requests WHERE request_id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	bounded := validation.NewService(f.db.Pool, pgtx.Limits{LockTimeout: time.Minute, StatementTimeout: 200 * time.Millisecond}, nil)
	_, err = bounded.ChangeStatus(context.Background(), f.validator, id, validation.StatusCancelled, "superseded by a new request")
	if domain.CodeOf(err) != domain.CodeUnavailable || !pgtx.IsSQLState(err, pgtx.QueryCanceled) {
		t.Fatalf("status change behind a held row lock: %v, want unavailable from 57014", err)
	}
}
