package revalidation_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/domain"
	"mrmflow/internal/revalidation"
	"mrmflow/internal/testdb"
)

// seedSchedules writes, as SQL, an admin and one model of each kind a status filter must tell
// apart: untiered with and without an approved full validation (both NO_POLICY), tiered never
// validated, tiered with a full validation (UPCOMING on 2026-06-01), tiered with only an interim
// (INTERIM_ACTIVE), and tiered with a full validation and an active request (AWAITING_SUBMISSION). It returns the admin.
func seedSchedules(t *testing.T, d *testdb.DB) domain.Actor {
	t.Helper()
	var admin int32
	err := d.Pool.QueryRow(context.Background(), `
WITH u AS (
    INSERT INTO users (email, full_name, role) VALUES ('reval-admin@example.com', 'Reval Admin', 'ADMIN') RETURNING user_id
), m AS (
    INSERT INTO models (model_name, owner_id, risk_tier)
    SELECT 'RV ' || g, u.user_id, (ARRAY[NULL, NULL, 'TIER_1', 'TIER_2', 'TIER_3', 'TIER_4'])[g]
    FROM u, generate_series(1, 6) g
    RETURNING model_id, model_name
)
SELECT user_id FROM u`).Scan(&admin)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Pool.Exec(context.Background(), `
WITH r AS (
    INSERT INTO validation_requests (requestor_id, validation_type, is_targeted, priority, status, is_closed, target_completion_date)
    SELECT $1, t, false, 'MEDIUM', 'APPROVED', true, '2026-01-31'
    FROM unnest(ARRAY['COMPREHENSIVE', 'COMPREHENSIVE', 'INTERIM', 'COMPREHENSIVE']) WITH ORDINALITY AS x(t, n)
    ORDER BY n
    RETURNING request_id, validation_type
), l AS (
    INSERT INTO validation_request_models (request_id, model_id, blocks_model)
    SELECT r.request_id, m.model_id, false
    FROM (SELECT request_id, row_number() OVER (ORDER BY request_id) AS n FROM r) r
    JOIN (SELECT model_id, model_name FROM models WHERE model_name IN ('RV 2', 'RV 4', 'RV 5', 'RV 6')) m
      ON m.model_name = (ARRAY['RV 2', 'RV 4', 'RV 5', 'RV 6'])[r.n]
    RETURNING request_id
), h AS (
    INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at)
    SELECT request_id, 'PENDING_APPROVAL', 'APPROVED', $1, '2026-01-31 12:00Z' FROM r
)
INSERT INTO validation_outcomes (request_id, overall_rating, executive_summary, effective_date, expiration_date, created_by)
SELECT request_id, 'PASS', 'interim', '2026-01-31', '2027-01-31', $1 FROM r WHERE validation_type = 'INTERIM'`, admin)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Pool.Exec(context.Background(), `
WITH r AS (
    INSERT INTO validation_requests (requestor_id, validation_type, is_targeted, priority, status, is_closed, target_completion_date)
    VALUES ($1, 'COMPREHENSIVE', false, 'MEDIUM', 'PLANNING', false, '2028-06-30') RETURNING request_id
)
INSERT INTO validation_request_models (request_id, model_id, blocks_model)
SELECT r.request_id, m.model_id, true FROM r, models m WHERE m.model_name = 'RV 6'`, admin)
	if err != nil {
		t.Fatal(err)
	}
	return domain.Actor{UserID: admin, Role: domain.RoleAdmin}
}

// Every status filter answers the unfiltered report's rows of those statuses, whichever of them
// it names: a filter without NO_POLICY skips the untiered models by their tier
// (sql/revalidation.sql), a filter with it must keep them, validated or not.
func TestRevalidationStatusFiltersMatchTheUnfilteredReport(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 2)
	admin := seedSchedules(t, d)
	s := revalidation.NewService(d.Pool)
	ctx := context.Background()
	page := domain.Page{Limit: 100}
	report := func(asOf domain.Date) []revalidation.Schedule {
		t.Helper()
		all, _, err := s.Report(ctx, admin, revalidation.Filter{AsOf: &asOf}, page)
		if err != nil {
			t.Fatal(err)
		}
		return all
	}
	statuses := map[string]bool{}
	for _, r := range report(day(2026, 6, 1)) {
		statuses[r.Status] = true
	}
	for _, want := range []string{"NO_POLICY", "NEVER_VALIDATED", "UPCOMING", "INTERIM_ACTIVE", "AWAITING_SUBMISSION"} {
		if !statuses[want] {
			t.Fatalf("the seed has no %s model on 2026-06-01", want)
		}
	}
	filters := [][]string{{"NO_POLICY"}, {"NO_POLICY", "UPCOMING"}, {"UPCOMING", "NO_POLICY"}, {"NEVER_VALIDATED"},
		{"UPCOMING", "INTERIM_ACTIVE", "AWAITING_SUBMISSION"}, {"REVALIDATION_OVERDUE"},
		// only statuses of a model without an active request (the list skips models under
		// validation), and one of a model with one
		{"UPCOMING"}, {"UPCOMING", "SHOULD_CREATE_REQUEST", "REVALIDATION_OVERDUE"}, {"AWAITING_SUBMISSION"}}
	named := map[string]bool{}
	for _, f := range filters {
		for _, status := range f {
			named[status] = true
		}
	}
	filters = append(filters, slices.DeleteFunc(slices.Clone(revalidation.Statuses), func(s string) bool { return s == "NO_POLICY" }))
	// The seed's later days reach the statuses 2026-06-01 does not: SHOULD_CREATE_REQUEST on
	// 2027-12-01, REVALIDATION_OVERDUE on 2028-06-01.
	matched := map[string]bool{}
	for _, asOf := range []domain.Date{day(2026, 6, 1), day(2027, 12, 1), day(2028, 6, 1)} {
		all := report(asOf)
		for _, f := range filters {
			var want []int32
			for _, r := range all {
				if slices.Contains(f, r.Status) {
					want = append(want, r.ModelID)
					matched[r.Status] = true
				}
			}
			rows, _, err := s.Report(ctx, admin, revalidation.Filter{AsOf: &asOf, Statuses: f}, page)
			if err != nil {
				t.Fatal(err)
			}
			var got []int32
			for _, r := range rows {
				got = append(got, r.ModelID)
			}
			var exported []int32
			if err := s.Export(ctx, admin, revalidation.Filter{AsOf: &asOf, Statuses: f}, 100, func(r revalidation.Schedule) error {
				exported = append(exported, r.ModelID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) || !slices.Equal(exported, want) {
				t.Errorf("%s, status %v: page %v, export %v, want %v", asOf.Format(domain.DateLayout), f, got, exported, want)
			}
		}
	}
	for status := range named {
		if !matched[status] {
			t.Errorf("no filter naming %s matched a model on any day: its comparisons compared nothing", status)
		}
	}
}

func day(y int, m time.Month, d int) domain.Date {
	return domain.NewDate(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// The report is planned for the values it is sent with (pgtx.CustomPlans): however often it runs
// on a connection in pgx's default mode, no named statement is prepared that PostgreSQL could
// switch to a generic plan, which cannot fold the status filter to the tier index.
func TestRevalidationReportIsNeverPreparedUnderAName(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, 1)
	if d.Pool.Config().ConnConfig.DefaultQueryExecMode != pgx.QueryExecModeCacheStatement {
		t.Fatalf("the test needs pgx's default mode, got %v", d.Pool.Config().ConnConfig.DefaultQueryExecMode)
	}
	admin := seedSchedules(t, d)
	s := revalidation.NewService(d.Pool)
	ctx := context.Background()
	for range 7 {
		if _, _, err := s.Report(ctx, admin, revalidation.Filter{Statuses: []string{"REVALIDATION_OVERDUE"}}, domain.Page{Limit: 10}); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	// One connection (testdb.New(t, 1)): the statements the reports ran on are this session's.
	if err := d.Pool.QueryRow(ctx, "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%RevalidationReportList%' OR statement LIKE '%revalidation_status(%'",
		pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d named statements of the report, want 0", n)
	}
}
