package validation_test

import (
	"context"
	"testing"

	"mrmflow/internal/pgtx"
	"mrmflow/internal/validation"
)

// The database keeps DATA-01 by itself, whoever writes the rows: raw SQL cannot add a second
// blocking link for a model, nor a link that claims not to block while its request does.
func TestBackstopRejectsRawSQL(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	m := f.models(1)[0]
	if _, err := f.svc.Create(ctx, f.validator, input(validation.TypeComprehensive, m), nil); err != nil {
		t.Fatal(err)
	}
	rawRequest := func(typ string) int32 {
		t.Helper()
		var id int32
		if err := f.db.Pool.QueryRow(ctx, `INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
			VALUES ($1, $2, 'LOW', '2027-01-01') RETURNING request_id`, f.validator.UserID, typ).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	link := func(request int32, blocks bool) error {
		_, err := f.db.Pool.Exec(ctx, "INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, $3)", request, m, blocks)
		return err
	}

	second := rawRequest(validation.TypeInterim)
	if err := link(second, true); !pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, "validation_request_models_one_blocking_key") {
		t.Fatalf("second blocking link: %v, want 23505 on validation_request_models_one_blocking_key", err)
	}
	if err := link(second, false); !pgtx.IsConstraintViolation(err, pgtx.ForeignKeyViolation, "validation_request_models_request_fkey") {
		t.Fatalf("non-blocking link of a blocking request: %v, want 23503 on validation_request_models_request_fkey", err)
	}
	if err := link(rawRequest(validation.TypeTargeted), false); err != nil {
		t.Fatalf("targeted link: %v", err)
	}
	if n := f.violations(); n != 0 {
		t.Fatalf("%d violations", n)
	}
}
