package validation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mrmflow/gen"
)

// TestOverdueReadsAgreeInEveryForm: the REVALIDATION_OVERDUE read as a statement
// (ValidationTargetOverdue, sent where plans are kept) and as the call of its plpgsql function
// (ValidationTargetOverdueCall, sent where statements go unnamed) return the same rows, for
// models listed, models of a request, and both: validated models due before, on and after the
// target, a validated model without a tier, and a model never validated.
func TestOverdueReadsAgreeInEveryForm(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	m := f.models(6)
	tiers := []string{"TIER_1", "TIER_2", "TIER_3", "TIER_2", "", "TIER_1"}
	approved := []string{"2024-03-31", "2025-01-31", "2025-06-30", "", "2024-01-31", "2025-12-31"}
	for i, model := range m {
		if tiers[i] != "" {
			f.exec(`UPDATE models SET risk_tier = $2 WHERE model_id = $1`, model, tiers[i])
		}
		if approved[i] != "" {
			f.approvedFull(model, approved[i])
		}
	}
	// A request covering the last three models, for the models_of form.
	var of int32
	if err := f.db.Pool.QueryRow(ctx, `
		INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date)
		VALUES ($1, 'TARGETED', 'LOW', '2027-01-01') RETURNING request_id`, f.validator.UserID).Scan(&of); err != nil {
		t.Fatal(err)
	}
	for _, model := range m[3:] {
		f.exec(`INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, false)`, of, model)
	}

	q := gen.New(f.db.Pool)
	warned := map[int32]bool{}
	// m[1] (TIER_2, approved 2025-01-31) is due 2027-01-29: in time on that day, overdue the next.
	dueDay := map[string]bool{}
	for _, target := range []string{"2025-06-30", "2026-06-30", "2027-01-29", "2027-01-30", "2028-12-31"} {
		for _, c := range []struct {
			models []int32
			of     int32
		}{{m[:3], 0}, {[]int32{}, of}, {m[:2], of}, {[]int32{}, 0}} {
			day, _ := time.Parse(time.DateOnly, target)
			arg := gen.ValidationTargetOverdueParams{TargetDate: day, ModelIds: c.models, ModelsOf: c.of}
			statement, err := q.ValidationTargetOverdue(ctx, arg)
			if err != nil {
				t.Fatal(err)
			}
			call, err := q.ValidationTargetOverdueCall(ctx, gen.ValidationTargetOverdueCallParams(arg))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(call), fmt.Sprint(statement); got != want {
				t.Fatalf("target %s, models %v of request %d: the call read %s, the statement %s", target, c.models, c.of, got, want)
			}
			for _, r := range statement {
				warned[r.ModelID] = true
				if r.ModelID == m[1] && c.of == 0 {
					dueDay[target] = true
				}
			}
		}
	}
	// The cases the comparison covers: the validated, tiered models warn on some day, listed or
	// as the request's; the untiered and the never-validated ones never; the due day is in time.
	for i, want := range []bool{true, true, true, false, false, true} {
		if warned[m[i]] != want {
			t.Errorf("model %d (tier %q, approved %q) warned: %t, want %t", m[i], tiers[i], approved[i], warned[m[i]], want)
		}
	}
	if dueDay["2027-01-29"] || !dueDay["2027-01-30"] {
		t.Errorf("model %d due 2027-01-29 warned on the due day: %t, the day after: %t", m[1], dueDay["2027-01-29"], dueDay["2027-01-30"])
	}
}

// approvedFull writes, in SQL, an APPROVED COMPREHENSIVE validation of model that became
// APPROVED on day (its history row): the model's last full validation.
func (f *fixture) approvedFull(model int32, day string) {
	f.t.Helper()
	var request int32
	err := f.db.Pool.QueryRow(context.Background(), `
		INSERT INTO validation_requests (requestor_id, validation_type, priority, status, target_completion_date)
		VALUES ($1, 'COMPREHENSIVE', 'MEDIUM', 'APPROVED', $2::date) RETURNING request_id`, f.validator.UserID, day).Scan(&request)
	if err != nil {
		f.t.Fatalf("insert approved request: %v", err)
	}
	f.exec(`INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, false)`, request, model)
	f.exec(`INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at)
		VALUES ($1, 'PENDING_APPROVAL', 'APPROVED', $2, $3::timestamptz + interval '12 hours')`, request, f.validator.UserID, day)
}
