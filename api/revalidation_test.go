package api_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"mrmflow/internal/domain"
)

const revalidationReportPath = "/api/v1/reports/revalidation"

// revalidationRow is one row of GET /models/{id}/revalidation and of the report.
type revalidationRow struct {
	ModelID   int32  `json:"model_id"`
	ModelName string `json:"model_name"`
	Owner     struct {
		UserID   int32  `json:"user_id"`
		FullName string `json:"full_name"`
	} `json:"owner"`
	RiskTier                *string `json:"risk_tier"`
	Status                  string  `json:"status"`
	LastValidationRequestID *int32  `json:"last_validation_request_id"`
	LastValidationDate      *string `json:"last_validation_date"`
	SubmissionDue           *string `json:"submission_due"`
	GracePeriodEnd          *string `json:"grace_period_end"`
	ValidationDue           *string `json:"validation_due"`
	DaysUntilSubmissionDue  *int32  `json:"days_until_submission_due"`
	DaysUntilValidationDue  *int32  `json:"days_until_validation_due"`
	ActiveRequestID         *int32  `json:"active_request_id"`
	SubmissionReceivedDate  *string `json:"submission_received_date"`
}

// revalidationModel writes a model of owner in tier ("" = not assessed), in SQL.
func (e *testEnv) revalidationModel(owner int32, tier string) int32 {
	e.t.Helper()
	var t *string
	if tier != "" {
		t = &tier
	}
	return e.id(`INSERT INTO models (model_name, owner_id, risk_tier) VALUES ('RV ' || nextval('models_model_id_seq'), $1, $2) RETURNING model_id`, owner, t)
}

// approvedRequest writes an APPROVED request of type vtype on model that became APPROVED at
// approvedAt (its history row), with an outcome expiring on expires ("" = no outcome).
func (e *testEnv) approvedRequest(model int32, vtype, approvedAt, expires string) int32 {
	e.t.Helper()
	req := e.id(`INSERT INTO validation_requests (requestor_id, validation_type, is_targeted, priority, status, is_closed, target_completion_date)
		VALUES ($1, $2, false, 'MEDIUM', 'APPROVED', true, '2026-06-30') RETURNING request_id`, e.admin.ID, vtype)
	e.sql(`INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, false)`, req, model)
	e.sql(`INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at)
		VALUES ($1, 'PENDING_APPROVAL', 'APPROVED', $2, $3::timestamptz)`, req, e.admin.ID, approvedAt)
	if expires != "" {
		e.sql(`INSERT INTO validation_outcomes (request_id, overall_rating, executive_summary, effective_date, expiration_date, created_by)
			VALUES ($1, 'PASS', 'interim', $2::timestamptz::date, $3::date, $4)`, req, approvedAt, expires, e.admin.ID)
	}
	return req
}

// activeRequest writes the model's active (PLANNING) COMPREHENSIVE request, its submission
// received on submitted ("" = not yet).
func (e *testEnv) activeRequest(model int32, submitted string) int32 {
	e.t.Helper()
	var sub *string
	if submitted != "" {
		sub = &submitted
	}
	req := e.id(`INSERT INTO validation_requests (requestor_id, validation_type, is_targeted, priority, status, is_closed, target_completion_date, submission_received_date)
		VALUES ($1, 'COMPREHENSIVE', false, 'MEDIUM', 'PLANNING', false, '2028-06-30', $2::date) RETURNING request_id`, e.admin.ID, sub)
	e.sql(`INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, true)`, req, model)
	return req
}

// revalidationOf reads model's schedule at asOf as u.
func (e *testEnv) revalidationOf(u fixtureUser, model int32, asOf string) revalidationRow {
	e.t.Helper()
	var row revalidationRow
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d/revalidation?as_of=%s", model, asOf), u.Token, nil).want(http.StatusOK).decode(&row)
	return row
}

// wantStatuses checks model's status at each day (as_of) of want.
func (e *testEnv) wantStatuses(model int32, want [][2]string) {
	e.t.Helper()
	for _, w := range want {
		if got := e.revalidationOf(e.admin, model, w[0]).Status; got != w[1] {
			e.t.Errorf("model %d as of %s: status %s, want %s", model, w[0], got, w[1])
		}
	}
}

func str(s string) *string { return &s }
func i32(n int32) *int32   { return &n }

// Every status of docs/revalidation.md is reached, with as_of on both sides of each boundary
// ("past" is strictly after): the TIER_2 worked example (COMPREHENSIVE approved 2026-01-31 →
// submission due 2027-07-31, grace end 2027-10-31, validation due 2028-01-29) with no active
// request, an unsubmitted one and a submitted one; an interim only; no tier; never validated.
func TestRevalidationStatusesAtTheirBoundaries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)

	noTier := e.revalidationModel(owner.ID, "")
	e.approvedRequest(noTier, "COMPREHENSIVE", "2026-01-31 12:00Z", "")
	e.wantStatuses(noTier, [][2]string{{"2026-02-01", "NO_POLICY"}})
	if r := e.revalidationOf(e.admin, noTier, "2026-02-01"); r.SubmissionDue != nil || r.ValidationDue != nil || r.DaysUntilValidationDue != nil || r.LastValidationRequestID == nil {
		t.Fatalf("a model without a tier has no dates but its last validation: %+v", r)
	}

	never := e.revalidationModel(owner.ID, "TIER_2")
	e.approvedRequest(never, "CHANGE", "2026-01-31 12:00Z", "") // a CHANGE is no full validation
	e.activeRequest(never, "")
	e.wantStatuses(never, [][2]string{{"2026-02-01", "NEVER_VALIDATED"}})

	// No active request. The completion day is the UTC day of the APPROVED history row: 23:30
	// in UTC on 31 January, whatever the zone of the client.
	upcoming := e.revalidationModel(owner.ID, "TIER_2")
	last := e.approvedRequest(upcoming, "COMPREHENSIVE", "2026-01-31 23:30Z", "")
	e.approvedRequest(upcoming, "INTERIM", "2026-06-01 12:00Z", "2026-09-01") // an interim does not count beside a full validation
	got := e.revalidationOf(e.admin, upcoming, "2027-07-01")
	want := revalidationRow{ModelID: upcoming, ModelName: got.ModelName, RiskTier: str("TIER_2"), Status: "UPCOMING",
		LastValidationRequestID: &last, LastValidationDate: str("2026-01-31"),
		SubmissionDue: str("2027-07-31"), GracePeriodEnd: str("2027-10-31"), ValidationDue: str("2028-01-29"),
		DaysUntilSubmissionDue: i32(30), DaysUntilValidationDue: i32(212)}
	want.Owner.UserID, want.Owner.FullName = owner.ID, got.Owner.FullName
	if !reflect.DeepEqual(got, want) || !strings.HasPrefix(got.Owner.FullName, "Test USER") {
		t.Fatalf("schedule\n %+v\nwant\n %+v", got, want)
	}
	e.wantStatuses(upcoming, [][2]string{
		{"2027-10-31", "UPCOMING"}, {"2027-11-01", "SHOULD_CREATE_REQUEST"},
		{"2028-01-29", "SHOULD_CREATE_REQUEST"}, {"2028-01-30", "REVALIDATION_OVERDUE"},
	})
	if r := e.revalidationOf(e.admin, upcoming, "2028-01-30"); *r.DaysUntilValidationDue != -1 || *r.DaysUntilSubmissionDue != -183 {
		t.Fatalf("past dates count negative days: %+v", r)
	}

	// An active request, not submitted.
	awaiting := e.revalidationModel(owner.ID, "TIER_2")
	e.approvedRequest(awaiting, "INITIAL", "2026-01-31 12:00Z", "")
	active := e.activeRequest(awaiting, "")
	if r := e.revalidationOf(e.admin, awaiting, "2027-07-31"); r.ActiveRequestID == nil || *r.ActiveRequestID != active {
		t.Fatalf("active request %v, want %d", r.ActiveRequestID, active)
	}
	e.wantStatuses(awaiting, [][2]string{
		{"2027-07-31", "AWAITING_SUBMISSION"}, {"2027-08-01", "IN_GRACE_PERIOD"},
		{"2027-10-31", "IN_GRACE_PERIOD"}, {"2027-11-01", "SUBMISSION_OVERDUE"},
	})

	// An active request, submitted.
	submitted := e.revalidationModel(owner.ID, "TIER_2")
	e.approvedRequest(submitted, "COMPREHENSIVE", "2026-01-31 12:00Z", "")
	e.activeRequest(submitted, "2027-06-01")
	if r := e.revalidationOf(e.admin, submitted, "2027-06-02"); r.SubmissionReceivedDate == nil || *r.SubmissionReceivedDate != "2027-06-01" {
		t.Fatalf("submission received %v", r.SubmissionReceivedDate)
	}
	e.wantStatuses(submitted, [][2]string{
		{"2027-06-02", "VALIDATION_IN_PROGRESS"}, {"2028-01-29", "VALIDATION_IN_PROGRESS"}, {"2028-01-30", "VALIDATION_OVERDUE"},
	})

	// An interim only (TIER_1, lead time 120 days): validation due = its expiration 2026-12-31,
	// submission due 120 days before, 2026-09-02; no grace period.
	interim := e.revalidationModel(owner.ID, "TIER_1")
	e.approvedRequest(interim, "INTERIM", "2026-03-01 12:00Z", "2026-12-31")
	if r := e.revalidationOf(e.admin, interim, "2026-09-02"); *r.SubmissionDue != "2026-09-02" || *r.ValidationDue != "2026-12-31" || r.GracePeriodEnd != nil || r.LastValidationRequestID != nil {
		t.Fatalf("interim schedule %+v", r)
	}
	e.wantStatuses(interim, [][2]string{
		{"2026-09-02", "INTERIM_ACTIVE"}, {"2026-09-03", "INTERIM_SUBMISSION_OVERDUE"},
		{"2026-12-31", "INTERIM_SUBMISSION_OVERDUE"}, {"2027-01-01", "INTERIM_EXPIRED"},
	})

	// The report gives every model's row at its day, the same as the model's own answer.
	var page struct {
		Items []revalidationRow `json:"items"`
	}
	e.call(http.MethodGet, revalidationReportPath+"?as_of=2027-11-01", e.admin.Token, nil).want(http.StatusOK).decode(&page)
	byModel := map[int32]string{}
	for _, r := range page.Items {
		byModel[r.ModelID] = r.Status
		if one := e.revalidationOf(e.admin, r.ModelID, "2027-11-01"); !reflect.DeepEqual(one, r) {
			t.Fatalf("report row %+v, model's own %+v", r, one)
		}
	}
	wantByModel := map[int32]string{noTier: "NO_POLICY", never: "NEVER_VALIDATED", upcoming: "SHOULD_CREATE_REQUEST",
		awaiting: "SUBMISSION_OVERDUE", submitted: "VALIDATION_IN_PROGRESS", interim: "INTERIM_EXPIRED"}
	if !reflect.DeepEqual(byModel, wantByModel) {
		t.Fatalf("report statuses %v, want %v", byModel, wantByModel)
	}
}

// Calendar months clamp to the month's end: 31 January plus one month is the last day of
// February, and the grace end is counted from that clamped day (28 March, not 31 March); 29
// February 2024 plus twelve months is 28 February 2025. A policy edit changes the dates at once.
func TestRevalidationMonthEndsLeapYearsAndPolicyEdits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	e.sql(`UPDATE validation_policies SET frequency_months = 1, grace_period_months = 1, model_change_lead_time_days = 10 WHERE risk_tier = 'TIER_4'`)

	monthly := e.revalidationModel(owner.ID, "TIER_4")
	e.approvedRequest(monthly, "COMPREHENSIVE", "2026-01-31 12:00Z", "")
	r := e.revalidationOf(e.admin, monthly, "2026-02-28")
	if *r.SubmissionDue != "2026-02-28" || *r.GracePeriodEnd != "2026-03-28" || *r.ValidationDue != "2026-04-07" || *r.DaysUntilSubmissionDue != 0 {
		t.Fatalf("31 January + 1 month: %+v", r)
	}
	e.wantStatuses(monthly, [][2]string{{"2026-02-28", "UPCOMING"}, {"2026-03-28", "UPCOMING"}, {"2026-03-29", "SHOULD_CREATE_REQUEST"}})

	leapYear := e.revalidationModel(owner.ID, "TIER_4")
	e.approvedRequest(leapYear, "COMPREHENSIVE", "2024-01-31 12:00Z", "")
	if r := e.revalidationOf(e.admin, leapYear, "2024-02-29"); *r.SubmissionDue != "2024-02-29" || *r.GracePeriodEnd != "2024-03-29" {
		t.Fatalf("31 January 2024 + 1 month: %+v", r)
	}

	leapDay := e.revalidationModel(owner.ID, "TIER_1") // 12/2/120
	e.approvedRequest(leapDay, "INITIAL", "2024-02-29 12:00Z", "")
	r = e.revalidationOf(e.admin, leapDay, "2025-02-28")
	if *r.LastValidationDate != "2024-02-29" || *r.SubmissionDue != "2025-02-28" || *r.GracePeriodEnd != "2025-04-28" || *r.ValidationDue != "2025-08-26" {
		t.Fatalf("29 February 2024 + 12 months: %+v", r)
	}
	e.wantStatuses(leapDay, [][2]string{{"2025-08-26", "SHOULD_CREATE_REQUEST"}, {"2025-08-27", "REVALIDATION_OVERDUE"}})

	// The policy edited: the next answer has the new dates (nothing is stored).
	e.sql(`UPDATE validation_policies SET frequency_months = 6, grace_period_months = 0, model_change_lead_time_days = 0 WHERE risk_tier = 'TIER_1'`)
	r = e.revalidationOf(e.admin, leapDay, "2024-08-30")
	if *r.SubmissionDue != "2024-08-29" || *r.GracePeriodEnd != "2024-08-29" || *r.ValidationDue != "2024-08-29" || r.Status != "REVALIDATION_OVERDUE" {
		t.Fatalf("after the policy edit: %+v", r)
	}
	// A tier assessed later: the model leaves NO_POLICY at once.
	e.sql(`UPDATE models SET risk_tier = NULL WHERE model_id = $1`, leapDay)
	e.wantStatuses(leapDay, [][2]string{{"2024-08-30", "NO_POLICY"}})
}

// reportIDs reads every page of the report at query as u and returns the model ids in order.
func (e *testEnv) reportIDs(u fixtureUser, query string) []int32 {
	e.t.Helper()
	var ids []int32
	for _, it := range e.allPages(revalidationReportPath+"?"+query, u.Token, 2, nil) {
		n, err := it["model_id"].(interface{ Int64() (int64, error) }).Int64()
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, int32(n))
	}
	return ids
}

// The report's filters, mine=true for an owner, a delegate and an assigned validator, what a USER
// sees (its models' rows only, whatever the filters; another's model is 404), due_within_days on
// both sides of its boundary, and the strict query string.
func TestRevalidationReportFiltersAndVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, delegate, other := e.user(domain.RoleUser), e.user(domain.RoleUser), e.user(domain.RoleUser)
	validator := e.user(domain.RoleValidator)

	owned := e.revalidationModel(owner.ID, "TIER_2") // submission due 2027-07-31, validation due 2028-01-29
	e.approvedRequest(owned, "COMPREHENSIVE", "2026-01-31 12:00Z", "")
	delegated := e.revalidationModel(other.ID, "TIER_2")
	e.approvedRequest(delegated, "COMPREHENSIVE", "2026-01-31 12:00Z", "")
	e.delegate(delegated, delegate)
	e.delegate(owned, delegate)
	revoked := e.revalidationModel(other.ID, "TIER_1")
	e.delegate(revoked, owner)
	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/models/%d/delegates/%d", revoked, owner.ID), e.admin.Token, nil).want(http.StatusOK)
	assigned := e.revalidationModel(other.ID, "TIER_3")
	e.approvedRequest(assigned, "COMPREHENSIVE", "2026-01-31 12:00Z", "") // submission due 2028-01-31
	req := e.activeRequest(assigned, "")
	e.sql(`INSERT INTO validation_assignments (request_id, validator_id, is_primary, assigned_by) VALUES ($1, $2, true, $3)`, req, validator.ID, e.admin.ID)
	untiered := e.revalidationModel(other.ID, "")

	const day = "as_of=2027-07-01"
	all := []int32{owned, delegated, revoked, assigned, untiered}
	for _, c := range []struct {
		who   fixtureUser
		query string
		want  []int32
	}{
		{e.admin, day, all},
		{validator, day, all},
		{owner, day, []int32{owned}},
		{owner, day + "&mine=true", []int32{owned}},
		{delegate, day, []int32{owned, delegated}},
		{delegate, day + "&mine=true&risk_tier=TIER_2&owner_id=" + fmt.Sprint(other.ID), []int32{delegated}},
		{other, day + "&mine=false", []int32{delegated, revoked, assigned, untiered}},
		{validator, day + "&mine=true", []int32{assigned}},
		{e.admin, day + "&mine=true", nil},
		{e.admin, day + "&risk_tier=TIER_3", []int32{assigned}},
		{e.admin, day + "&owner_id=" + fmt.Sprint(owner.ID), []int32{owned}},
		{e.admin, day + "&status=NO_POLICY&status=NEVER_VALIDATED", []int32{revoked, untiered}},
		{e.admin, "as_of=2028-01-01&status=AWAITING_SUBMISSION", []int32{assigned}},
		{e.admin, "as_of=2028-01-01&status=SHOULD_CREATE_REQUEST", []int32{owned, delegated}},
		// due_within_days: 2027-07-31 is 30 days after 2027-07-01.
		{e.admin, day + "&due_within_days=30", []int32{owned, delegated}},
		{e.admin, day + "&due_within_days=29", nil},
		{e.admin, "as_of=2028-01-31&due_within_days=0", []int32{owned, delegated, assigned}}, // past dates, and the day itself
		{e.admin, "as_of=2028-01-30&due_within_days=0", []int32{owned, delegated}},
		{e.admin, "as_of=2028-01-30&due_within_days=1", []int32{owned, delegated, assigned}},
	} {
		if got := e.reportIDs(c.who, c.query); !slices.Equal(got, c.want) {
			t.Errorf("%s ?%s: %v, want %v", c.who.Role, c.query, got, c.want)
		}
	}

	// One model: a USER sees its own and those it actively delegates for, not found otherwise.
	e.revalidationOf(owner, owned, "2027-07-01")
	e.revalidationOf(delegate, delegated, "2027-07-01")
	e.revalidationOf(validator, delegated, "2027-07-01")
	for _, m := range []int32{delegated, revoked, assigned, 999999} {
		e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d/revalidation?as_of=2027-07-01", m), owner.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	}
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d/revalidation", owned), owner.Token, nil).want(http.StatusOK)

	for _, c := range []struct{ query, field string }{
		{"status=UPCOMING&status=LATE", "status"},
		{"risk_tier=TIER_9", "risk_tier"},
		{"owner_id=abc", "owner_id"},
		{"mine=yes", "mine"},
		{"due_within_days=-1", "due_within_days"},
		{"due_within_days=3651", "due_within_days"},
		{"due_within_days=ten", "due_within_days"},
		{"as_of=2027-02-30", "as_of"},
		{"as_of=2027-07-01&as_of=2027-07-02", "as_of"},
		{"limit=0", "limit"},
		{"cursor=nope", "cursor"},
		{"format=xml", "format"},
		{"sort=model_id", "sort"},
	} {
		wantField(t, e.call(http.MethodGet, revalidationReportPath+"?"+c.query, e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), c.field)
	}
	wantField(t, e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d/revalidation?as_of=tomorrow", owned), e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), "as_of")
	wantField(t, e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d/revalidation?status=UPCOMING", owned), e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), "status")
}

// Keyset paging by model_id: models inserted between pages neither repeat a row nor hide one;
// the CSV of more rows than a page equals the JSON pages row for row, named for its day.
func TestRevalidationReportPagingAndCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	e.sql(`INSERT INTO models (model_name, owner_id, risk_tier)
		SELECT CASE WHEN g % 7 = 0 THEN '=cmd ' ELSE 'Bulk ' END || g, $1, (ARRAY['TIER_1','TIER_2','TIER_3','TIER_4',NULL])[1 + g % 5]
		FROM generate_series(1, 60) g`, owner.ID)
	// Validated: TIER_2 upcoming (grace end 2027-10-31) and TIER_1 past its grace end 2027-03-31 on 2027-07-01.
	for _, m := range []int32{e.revalidationModel(owner.ID, "TIER_2"), e.revalidationModel(owner.ID, "TIER_1")} {
		e.approvedRequest(m, "COMPREHENSIVE", "2026-01-31 12:00Z", "")
	}

	inserted := 0
	items := e.allPages(revalidationReportPath+"?as_of=2027-07-01", owner.Token, 25, func(int) {
		e.revalidationModel(owner.ID, "TIER_3")
		inserted++
	})
	var count int
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM models`).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if inserted < 2 || len(items) != count {
		t.Fatalf("%d rows over the pages, %d models (%d inserted between pages)", len(items), count, inserted)
	}
	var prev int64
	for _, it := range items {
		id, _ := it["model_id"].(interface{ Int64() (int64, error) }).Int64()
		if id <= prev {
			t.Fatalf("model %d after %d: not in model_id order, or repeated", id, prev)
		}
		prev = id
	}

	res := e.call(http.MethodGet, revalidationReportPath+"?as_of=2027-07-01&format=csv", owner.Token, nil)
	header, records := readCSV(t, res)
	if want := `attachment; filename="revalidation-2027-07-01.csv"`; res.Header.Get("Content-Disposition") != want {
		t.Fatalf("disposition %q", res.Header.Get("Content-Disposition"))
	}
	wantHeader := []string{"model_id", "model_name", "owner_user_id", "owner_full_name", "risk_tier", "status",
		"last_validation_request_id", "last_validation_date", "submission_due", "grace_period_end", "validation_due",
		"days_until_submission_due", "days_until_validation_due", "active_request_id", "submission_received_date"}
	if !reflect.DeepEqual(header, wantHeader) {
		t.Fatalf("header %v", header)
	}
	if len(records) != len(items) {
		t.Fatalf("%d CSV rows, %d JSON rows", len(records), len(items))
	}
	cell := func(v any) string {
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	}
	for i, rec := range records {
		it := items[i]
		owner := it["owner"].(map[string]any)
		name := it["model_name"].(string)
		if strings.HasPrefix(name, "=") {
			name = "'" + name
		}
		want := []string{cell(it["model_id"]), name, cell(owner["user_id"]), cell(owner["full_name"]), cell(it["risk_tier"]), cell(it["status"]),
			cell(it["last_validation_request_id"]), cell(it["last_validation_date"]), cell(it["submission_due"]), cell(it["grace_period_end"]),
			cell(it["validation_due"]), cell(it["days_until_submission_due"]), cell(it["days_until_validation_due"]),
			cell(it["active_request_id"]), cell(it["submission_received_date"])}
		if !reflect.DeepEqual(rec, want) {
			t.Fatalf("row %d: %q, want %q", i, rec, want)
		}
	}
	// A filtered export holds only the filtered rows; a USER's export only its models' rows.
	_, records = readCSV(t, e.call(http.MethodGet, revalidationReportPath+"?as_of=2027-07-01&status=UPCOMING&status=SHOULD_CREATE_REQUEST", owner.Token, nil, "Accept", "text/csv"))
	if len(records) != 2 || records[0][5] != "UPCOMING" || records[1][5] != "SHOULD_CREATE_REQUEST" {
		t.Fatalf("validated rows %q, want the TIER_2 model (UPCOMING) then the TIER_1 model (SHOULD_CREATE_REQUEST), in model_id order", records)
	}
	_, records = readCSV(t, e.call(http.MethodGet, revalidationReportPath+"?format=csv", e.user(domain.RoleUser).Token, nil))
	if len(records) != 0 {
		t.Fatalf("a USER without models exported %d rows", len(records))
	}
}
