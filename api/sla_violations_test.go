package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"mrmflow/internal/domain"
)

// The SLA violations report (docs/sla.md) over requests and histories written in SQL with
// explicit days, so every count is taken on a given as_of. Ids from 9501.

const slaPath = "/api/v1/reports/sla-violations"

// slaSeed: validator 9501 (requestor, primary, author of every history row); model 9501 TIER_2
// (lead 90 days), model 9502 without a tier. workflow_sla is the seeded 10/5/10.
//   - 9501 INTAKE, created 2026-01-01, no primary: ASSIGNMENT open (10 days allowed).
//   - 9502 IN_PROGRESS on 9501, created 2026-01-01, primary assigned 2026-01-05 (4 days: no
//     ASSIGNMENT row); PLANNING 2026-01-05, submission 2026-01-20 (BEGIN_WORK ended after 15
//     days: 10 over); COMPLETION open from 2026-01-20, 90 days allowed (TIER_2's lead time).
//   - 9503 PENDING_APPROVAL on 9502, created 2026-01-01; its first primary was assigned on
//     2026-01-02 (the audit row), the current primary's row is from 2026-01-20 (a reassignment):
//     ASSIGNMENT took 1 day. PLANNING 2026-01-02, submission 2026-01-03, PENDING_APPROVAL
//     2026-02-01 (COMPLETION 29 days of 90 — no tier), ON_HOLD 2026-02-05 to 2026-02-15, back to
//     PENDING_APPROVAL: APPROVAL open from 2026-02-01 with 10 hold days.
//   - 9504 ON_HOLD since 2026-01-03 (from INTAKE), created 2026-01-01, no primary: its hold
//     grows with as_of, so its ASSIGNMENT is 2 days net on any day.
//   - 9505 CANCELLED, created 2025-01-01, no primary: closed, never reported.
//   - 9506 COMPREHENSIVE APPROVED on 9501 on 2025-01-31 (closed): model 9501's last validation.
const slaSeed = `
INSERT INTO users (user_id, email, full_name, role) OVERRIDING SYSTEM VALUE
VALUES (9501, 'sla-val@bank.test', 'Sal Validator', 'VALIDATOR');
INSERT INTO models (model_id, model_name, owner_id, risk_tier) OVERRIDING SYSTEM VALUE
VALUES (9501, 'SLA-A', 9501, 'TIER_2'), (9502, 'SLA-B', 9501, NULL);
INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, target_completion_date, created_at, status, submission_received_date) OVERRIDING SYSTEM VALUE
VALUES (9501, 9501, 'TARGETED', 'HIGH', '2027-01-01', '2026-01-01 09:00Z', 'INTAKE', NULL),
       (9502, 9501, 'TARGETED', 'HIGH', '2027-01-01', '2026-01-01 23:00Z', 'IN_PROGRESS', '2026-01-20'),
       (9503, 9501, 'TARGETED', 'HIGH', '2027-01-01', '2026-01-01 00:00Z', 'PENDING_APPROVAL', '2026-01-03'),
       (9504, 9501, 'TARGETED', 'HIGH', '2027-01-01', '2026-01-01 00:00Z', 'ON_HOLD', NULL),
       (9505, 9501, 'TARGETED', 'HIGH', '2027-01-01', '2025-01-01 00:00Z', 'CANCELLED', NULL),
       (9506, 9501, 'COMPREHENSIVE', 'HIGH', '2025-06-01', '2024-12-01 00:00Z', 'APPROVED', '2025-01-02');
INSERT INTO validation_request_models (request_id, model_id, blocks_model)
VALUES (9501, 9501, false), (9502, 9501, false), (9503, 9502, false), (9504, 9502, false), (9505, 9502, false), (9506, 9501, false);
INSERT INTO validation_assignments (request_id, validator_id, is_primary, assigned_by, created_at)
VALUES (9502, 9501, true, 9501, '2026-01-05 08:00Z'), (9503, 9501, true, 9501, '2026-01-20 08:00Z');
INSERT INTO audit_logs (entity_type, entity_id, action, user_id, changes, created_at)
VALUES ('validation_request', 9503, 'ASSIGNMENT_CREATED', 9501, '{"validator_id": 9501, "is_primary": false, "is_reviewer": true}', '2026-01-01 12:00Z'),
       ('validation_request', 9503, 'ASSIGNMENT_CREATED', 9501, '{"validator_id": 9501, "is_primary": true, "is_reviewer": false}', '2026-01-02 12:00Z');
INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at) VALUES
    (9502, NULL, 'INTAKE', 9501, '2026-01-01 23:00Z'),
    (9502, 'INTAKE', 'PLANNING', 9501, '2026-01-05 08:00Z'),
    (9502, 'PLANNING', 'IN_PROGRESS', 9501, '2026-01-20 08:00Z'),
    (9503, NULL, 'INTAKE', 9501, '2026-01-01 00:00Z'),
    (9503, 'INTAKE', 'PLANNING', 9501, '2026-01-02 12:00Z'),
    (9503, 'PLANNING', 'IN_PROGRESS', 9501, '2026-01-03 12:00Z'),
    (9503, 'IN_PROGRESS', 'PENDING_APPROVAL', 9501, '2026-02-01 12:00Z'),
    (9503, 'PENDING_APPROVAL', 'ON_HOLD', 9501, '2026-02-05 12:00Z'),
    (9503, 'ON_HOLD', 'PENDING_APPROVAL', 9501, '2026-02-15 12:00Z'),
    (9504, NULL, 'INTAKE', 9501, '2026-01-01 00:00Z'),
    (9504, 'INTAKE', 'ON_HOLD', 9501, '2026-01-03 00:00Z'),
    (9506, 'PENDING_APPROVAL', 'APPROVED', 9501, '2025-01-31 15:00Z');
`

// slaRow is one report row, compared whole.
type slaRow struct {
	RequestID   int32   `json:"request_id"`
	Phase       string  `json:"phase"`
	StartedOn   string  `json:"started_on"`
	EndedOn     *string `json:"ended_on"`
	DaysElapsed int32   `json:"days_elapsed"`
	HoldDays    int32   `json:"hold_days"`
	AllowedDays int32   `json:"allowed_days"`
	DaysOver    int32   `json:"days_over"`
	Severity    string  `json:"severity"`
}

func (e *testEnv) slaRows(query string) []slaRow {
	e.t.Helper()
	items := e.allPages(slaPath+"?"+query, e.admin.Token, 50, nil)
	out := make([]slaRow, len(items))
	for i, it := range items {
		b, _ := json.Marshal(it)
		if err := json.Unmarshal(b, &out[i]); err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

// slaFind returns the row of request and phase, or nil.
func slaFind(rows []slaRow, request int32, phase string) *slaRow {
	for i := range rows {
		if rows[i].RequestID == request && rows[i].Phase == phase {
			return &rows[i]
		}
	}
	return nil
}

func ptr(s string) *string { return &s }

// TestSLAViolationsReport: each phase over and not over its allowance with as_of on both sides;
// hold days excluded (an open hold, a hold inside the APPROVAL phase); the first primary taken
// from the audit rows; closed requests never reported; the severities' boundaries; the filters.
func TestSLAViolationsReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.oversightExec(slaSeed)

	// The whole report on 2026-02-22: every row, in (request_id, phase) order.
	got := e.slaRows("as_of=2026-02-22")
	want := []slaRow{
		{9501, "ASSIGNMENT", "2026-01-01", nil, 52, 0, 10, 42, "CRITICAL"},
		{9502, "BEGIN_WORK", "2026-01-05", ptr("2026-01-20"), 15, 0, 5, 10, "MEDIUM"},
		{9503, "APPROVAL", "2026-02-01", nil, 21, 10, 10, 1, "MEDIUM"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows\n%+v\nwant\n%+v", got, want)
	}

	// Each phase on both sides of its allowance.
	for _, c := range []struct {
		asOf    string
		request int32
		phase   string
		over    int32 // 0: no row
	}{
		// ASSIGNMENT, open: created 2026-01-01, 10 days allowed.
		{"2026-01-11", 9501, "ASSIGNMENT", 0}, {"2026-01-12", 9501, "ASSIGNMENT", 1},
		// ASSIGNMENT ended after 4 days (9502) and, by the audit row, after 1 (9503): never.
		{"2026-12-31", 9502, "ASSIGNMENT", 0}, {"2026-12-31", 9503, "ASSIGNMENT", 0},
		// An ASSIGNMENT with an open hold from day 2: 2 days net on any day.
		{"2026-12-31", 9504, "ASSIGNMENT", 0},
		// BEGIN_WORK ended 15 days after PLANNING (5 allowed): over whatever the day; it did not
		// start before 2026-01-05 (no row before it).
		{"2026-01-04", 9502, "BEGIN_WORK", 10}, {"2026-12-31", 9502, "BEGIN_WORK", 10},
		{"2026-12-31", 9503, "BEGIN_WORK", 0},
		// COMPLETION open from 2026-01-20, 90 days (TIER_2's lead time): 2026-04-20 is day 90.
		{"2026-04-20", 9502, "COMPLETION", 0}, {"2026-04-21", 9502, "COMPLETION", 1},
		// COMPLETION of 9503 ended after 29 days of 90 (no tier).
		{"2026-12-31", 9503, "COMPLETION", 0},
		// APPROVAL open from 2026-02-01, 10 days allowed, 10 days on hold (02-05..02-15): over
		// from 2026-02-22 only; without the hold it would be from 2026-02-12.
		{"2026-02-12", 9503, "APPROVAL", 0}, {"2026-02-21", 9503, "APPROVAL", 0}, {"2026-02-22", 9503, "APPROVAL", 1},
		// A closed request is never reported.
		{"2026-12-31", 9505, "ASSIGNMENT", 0}, {"2026-12-31", 9506, "APPROVAL", 0},
	} {
		r := slaFind(e.slaRows("as_of="+c.asOf), c.request, c.phase)
		switch {
		case c.over == 0 && r != nil:
			t.Errorf("as_of %s: %d %s reported %+v, want none", c.asOf, c.request, c.phase, *r)
		case c.over != 0 && (r == nil || r.DaysOver != c.over):
			t.Errorf("as_of %s: %d %s %+v, want %d days over", c.asOf, c.request, c.phase, r, c.over)
		}
	}
	// The hold days inside the APPROVAL phase: the whole 10-day hold (02-05..02-15).
	if r := slaFind(e.slaRows("as_of=2026-02-22"), 9503, "APPROVAL"); r == nil || r.HoldDays != 10 || r.DaysElapsed != 21 {
		t.Fatalf("9503 APPROVAL %+v", r)
	}

	// Severity boundaries (9501's open ASSIGNMENT): 14/15 and 30/31 days over.
	for _, c := range []struct{ asOf, severity string }{
		{"2026-01-25", "MEDIUM"}, {"2026-01-26", "HIGH"}, {"2026-02-10", "HIGH"}, {"2026-02-11", "CRITICAL"},
	} {
		if r := slaFind(e.slaRows("as_of="+c.asOf), 9501, "ASSIGNMENT"); r == nil || r.Severity != c.severity {
			t.Errorf("as_of %s: %+v, want %s", c.asOf, r, c.severity)
		}
	}

	// The filters.
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"as_of=2026-04-21&phase=COMPLETION", []string{"9502 COMPLETION"}},
		{"as_of=2026-04-21&phase=ASSIGNMENT", []string{"9501 ASSIGNMENT"}},
		{"as_of=2026-04-21&severity=MEDIUM", []string{"9502 BEGIN_WORK", "9502 COMPLETION"}},
		{"as_of=2026-04-21&severity=CRITICAL", []string{"9501 ASSIGNMENT", "9503 APPROVAL"}},
		{"as_of=2026-04-21&severity=HIGH", []string{}},
		{"as_of=2026-02-22&phase=APPROVAL&severity=MEDIUM", []string{"9503 APPROVAL"}},
		{"as_of=2026-02-22&phase=APPROVAL&severity=HIGH", []string{}},
	} {
		rows := e.slaRows(c.query)
		gotKeys := make([]string, len(rows))
		for i, r := range rows {
			gotKeys[i] = fmt.Sprintf("%d %s", r.RequestID, r.Phase)
		}
		if !reflect.DeepEqual(gotKeys, c.want) {
			t.Errorf("%s: %v, want %v", c.query, gotKeys, c.want)
		}
	}
}

// TestSLAHoldNeverMovesRegulatoryDates: putting a request of a model on hold changes the SLA's
// hold days and never the model's revalidation dates (model_revalidation_schedule does not read
// holds: MRM3 excludes hold time from the team's SLA, never from regulatory dates).
func TestSLAHoldNeverMovesRegulatoryDates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.oversightExec(slaSeed)
	due := func() string {
		var d string
		if err := e.db.Pool.QueryRow(context.Background(),
			`SELECT concat_ws(' ', submission_due, grace_period_end, validation_due) FROM model_revalidation_schedule WHERE model_id = 9501`).Scan(&d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Approved 2025-01-31, TIER_2: + 18 months, + 3 months, + 90 days.
	const want = "2026-07-31 2026-10-31 2027-01-29"
	if got := due(); got != want {
		t.Fatalf("dates %s, want %s", got, want)
	}
	if r := slaFind(e.slaRows("as_of=2026-05-10"), 9502, "COMPLETION"); r == nil || r.HoldDays != 0 || r.DaysOver != 0+20 {
		t.Fatalf("9502 COMPLETION before the hold: %+v", r)
	}
	// 9502 (on model 9501) held from 2026-03-01 to 2026-03-31: 30 days out of its COMPLETION.
	e.oversightExec(`UPDATE validation_requests SET status = 'ON_HOLD' WHERE request_id = 9502;
		UPDATE validation_requests SET status = 'IN_PROGRESS' WHERE request_id = 9502;
		INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at) VALUES
		    (9502, 'IN_PROGRESS', 'ON_HOLD', 9501, '2026-03-01 10:00Z'),
		    (9502, 'ON_HOLD', 'IN_PROGRESS', 9501, '2026-03-31 10:00Z')`)
	if r := slaFind(e.slaRows("as_of=2026-05-10"), 9502, "COMPLETION"); r != nil {
		t.Fatalf("9502 COMPLETION after a 30-day hold: %+v, want none (110 - 30 days of 90)", *r)
	}
	if r := slaFind(e.slaRows("as_of=2026-05-20"), 9502, "COMPLETION"); r != nil {
		t.Fatalf("9502 COMPLETION on 2026-05-20: %+v, want none (120 - 30 days of 90)", *r)
	}
	if r := slaFind(e.slaRows("as_of=2026-05-21"), 9502, "COMPLETION"); r == nil || r.HoldDays != 30 || r.DaysOver != 1 {
		t.Fatalf("9502 COMPLETION on 2026-05-21: %+v, want 121 - 30 - 90 = 1 over", r)
	}
	if got := due(); got != want {
		t.Fatalf("dates after a hold %s, want %s", got, want)
	}
}

// TestSLAViolationsPagingAndCSV: one row a page while rows appear between pages (a new request's
// phases after the cursor come, before it do not; no row twice); the CSV answer is the JSON pages
// row for row.
func TestSLAViolationsPagingAndCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.oversightExec(slaSeed)
	inserted := 0
	items := e.allPages(slaPath+"?as_of=2026-04-21", e.admin.Token, 1, func(page int) {
		if page != 1 { // after 9502 BEGIN_WORK
			return
		}
		// 9500 (before the cursor: never seen) and 9507 (after: comes at the end), both with an
		// open ASSIGNMENT far over.
		e.oversightExec(`INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, target_completion_date, created_at) OVERRIDING SYSTEM VALUE
			VALUES (9500, 9501, 'TARGETED', 'LOW', '2027-01-01', '2026-01-01 00:00Z'),
			       (9507, 9501, 'TARGETED', 'LOW', '2027-01-01', '2026-01-01 00:00Z');
			INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES (9500, 9502, false), (9507, 9502, false)`)
		inserted++
	})
	if inserted != 1 {
		t.Fatal("no page boundary to insert at")
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = fmt.Sprintf("%v %v", it["request_id"], it["phase"])
	}
	if want := []string{"9501 ASSIGNMENT", "9502 BEGIN_WORK", "9502 COMPLETION", "9503 APPROVAL", "9507 ASSIGNMENT"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("paged rows %v, want %v", keys, want)
	}
	all := e.allPages(slaPath+"?as_of=2026-04-21", e.admin.Token, 2, nil)
	if len(all) != 6 {
		t.Fatalf("%d rows, want 6", len(all))
	}
	e.wantCSVEqualsPages(slaPath+"?as_of=2026-04-21", e.admin.Token, all, "sla-violations-2026-04-21.csv")
	med := e.allPages(slaPath+"?as_of=2026-04-21&severity=MEDIUM", e.admin.Token, 1, nil)
	e.wantCSVEqualsPages(slaPath+"?as_of=2026-04-21&severity=MEDIUM", e.admin.Token, med, "sla-violations-2026-04-21.csv")
}

// TestSLAViolationsAccessAndInput: ADMIN and VALIDATOR only (JSON and CSV); bad values, unknown
// and repeated parameters are 400 naming the parameter.
func TestSLAViolationsAccessAndInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, role := range []domain.Role{domain.RoleUser, domain.RoleGlobalApprover, domain.RoleRegionalApprover} {
		u := e.user(role)
		e.call(http.MethodGet, slaPath, u.Token, nil).wantProblem(http.StatusForbidden, "forbidden")
		e.call(http.MethodGet, slaPath+"?format=csv", u.Token, nil).wantProblem(http.StatusForbidden, "forbidden")
	}
	e.call(http.MethodGet, slaPath, "", nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
	e.call(http.MethodGet, slaPath, e.user(domain.RoleValidator).Token, nil).want(http.StatusOK)
	e.call(http.MethodGet, slaPath+"?as_of=2026-06-01&phase=APPROVAL&severity=HIGH", e.admin.Token, nil).want(http.StatusOK)
	for query, field := range map[string]string{
		"as_of=2026-02-30":                  "as_of",
		"as_of=2026-06-01&as_of=2026-06-02": "as_of",
		"phase=PLANNING":                    "phase",
		"phase=approval":                    "phase",
		"phase=APPROVAL&phase=COMPLETION":   "phase",
		"severity=LOW":                      "severity",
		"severity=HIGH&severity=MEDIUM":     "severity",
		"status=OPEN":                       "status",
		"limit=0":                           "limit",
		"cursor=nope":                       "cursor",
		"cursor=" + cursorFor(5):            "cursor",
		"cursor=" + keyCursor("0.0"):        "cursor",
		"cursor=" + keyCursor("9501.5"):     "cursor",
		"format=xml":                        "format",
	} {
		wantField(t, e.call(http.MethodGet, slaPath+"?"+query, e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), field)
	}
}

// TestSLAViolationsEndedAssignmentOpenBeginWork: an ASSIGNMENT that ended over its allowance is
// reported with its end, whatever as_of; an open BEGIN_WORK (PLANNING, no submission) on both
// sides of its 5 days.
func TestSLAViolationsEndedAssignmentOpenBeginWork(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.oversightExec(slaSeed)
	// 9508: created 2026-03-01, first primary 2026-03-20 (19 days: 9 over), PLANNING since then.
	e.oversightExec(`INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, target_completion_date, created_at, status) OVERRIDING SYSTEM VALUE
		VALUES (9508, 9501, 'TARGETED', 'LOW', '2027-01-01', '2026-03-01 00:00Z', 'PLANNING');
		INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES (9508, 9502, false);
		INSERT INTO validation_assignments (request_id, validator_id, is_primary, assigned_by, created_at) VALUES (9508, 9501, true, 9501, '2026-03-20 09:00Z');
		INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at) VALUES
		    (9508, NULL, 'INTAKE', 9501, '2026-03-01 00:00Z'), (9508, 'INTAKE', 'PLANNING', 9501, '2026-03-20 09:00Z')`)
	for _, c := range []struct {
		asOf  string
		phase string
		want  *slaRow
	}{
		{"2026-03-25", "ASSIGNMENT", &slaRow{9508, "ASSIGNMENT", "2026-03-01", ptr("2026-03-20"), 19, 0, 10, 9, "MEDIUM"}},
		{"2026-12-31", "ASSIGNMENT", &slaRow{9508, "ASSIGNMENT", "2026-03-01", ptr("2026-03-20"), 19, 0, 10, 9, "MEDIUM"}},
		{"2026-03-25", "BEGIN_WORK", nil},
		{"2026-03-26", "BEGIN_WORK", &slaRow{9508, "BEGIN_WORK", "2026-03-20", nil, 6, 0, 5, 1, "MEDIUM"}},
	} {
		got := slaFind(e.slaRows("as_of="+c.asOf+"&phase="+c.phase), 9508, c.phase)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("as_of %s %s: %+v, want %+v", c.asOf, c.phase, got, c.want)
		}
	}
}
