package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/testdb"
)

// The oversight reports (README, "Oversight reports") over data written in SQL with explicit
// creation times, so every day count is taken on a given as_of and no test depends on the
// calendar. Ids are fixed from 9101 (OVERRIDING SYSTEM VALUE) so they sit above the fixtures'.

const (
	pendingPath    = "/api/v1/reports/pending-assignments"
	workloadPath   = "/api/v1/reports/workload"
	outOfOrderPath = "/api/v1/reports/out-of-order"
)

// oversightExec runs seed SQL in the test's database.
func (e *testEnv) oversightExec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.db.Pool.Exec(context.Background(), sql, args...); err != nil {
		e.t.Fatalf("seed: %v\n%s", err, sql)
	}
}

// allPages reads every page of path (which has a query string) as token, limit rows at a time,
// calling between (if not nil) after each page, and returns the items decoded with UseNumber.
func (e *testEnv) allPages(path, token string, limit int, between func(page int)) []map[string]any {
	e.t.Helper()
	var items []map[string]any
	cursor := ""
	for page := 0; ; page++ {
		if page > 100 {
			e.t.Fatalf("%s: no end of pages", path)
		}
		r := e.call(http.MethodGet, fmt.Sprintf("%s%slimit=%d%s", path, querySep(path), limit, cursor), token, nil).want(http.StatusOK)
		var p struct {
			Items      []map[string]any `json:"items"`
			NextCursor *string          `json:"next_cursor"`
		}
		dec := json.NewDecoder(bytes.NewReader(r.Body))
		dec.UseNumber()
		if err := dec.Decode(&p); err != nil {
			e.t.Fatal(err)
		}
		if len(p.Items) > limit {
			e.t.Fatalf("%d items on a page of %d", len(p.Items), limit)
		}
		items = append(items, p.Items...)
		if p.NextCursor == nil {
			return items
		}
		if between != nil {
			between(page)
		}
		cursor = "&cursor=" + *p.NextCursor
	}
}

// querySep is what joins one more parameter to path: ? or &.
func querySep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// ids returns the field key of every item, as text.
func ids(items []map[string]any, key string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprint(it[key])
	}
	return out
}

// csvCell is the cell the CSV answer should hold for column col of a JSON item: a field, a nested
// object's field (object_field), or a list of objects' field joined with ";".
func csvCell(item map[string]any, col string) (string, bool) {
	if v, ok := item[col]; ok {
		return csvScalar(v), true
	}
	for k, v := range item {
		rest, ok := strings.CutPrefix(col, k+"_")
		if !ok {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			if c, ok := csvCell(x, rest); ok {
				return c, true
			}
		case []any:
			cells := make([]string, len(x))
			for i, el := range x {
				m, _ := el.(map[string]any)
				cells[i], _ = csvCell(m, rest)
			}
			return strings.Join(cells, ";"), true
		case nil:
			return "", true
		}
	}
	return "", false
}

func csvScalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if x != "" && strings.ContainsRune("=+-@\t\r", rune(x[0])) {
			return "'" + x
		}
		return x
	default:
		return fmt.Sprint(x)
	}
}

// wantCSVEqualsPages checks that the CSV answer of path is items row for row, named file.
func (e *testEnv) wantCSVEqualsPages(path, token string, items []map[string]any, file string) {
	e.t.Helper()
	res := e.call(http.MethodGet, path+querySep(path)+"format=csv", token, nil)
	header, records := readCSV(e.t, res)
	if got := res.Header.Get("Content-Disposition"); got != `attachment; filename="`+file+`"` {
		e.t.Fatalf("%s: disposition %q, want file %s", path, got, file)
	}
	if len(records) != len(items) {
		e.t.Fatalf("%s: %d CSV rows, %d JSON rows", path, len(records), len(items))
	}
	for i, rec := range records {
		want := make([]string, len(header))
		for j, col := range header {
			c, ok := csvCell(items[i], col)
			if !ok {
				e.t.Fatalf("%s: CSV column %q is no JSON field", path, col)
			}
			want[j] = c
		}
		if !reflect.DeepEqual(rec, want) {
			e.t.Fatalf("%s: row %d %q, want %q", path, i, rec, want)
		}
	}
}

// pendingSeed: requestor 9101 ("Rita Requestor"), models 9101 "PA-A" and 9102 "PA-B";
//   - 9101 INTAKE, HIGH, models 9101+9102, created 2026-06-01 10:00Z
//   - 9106 INTAKE, MEDIUM, created at the same instant (the keyset's tie-break on request_id)
//   - 9102 INTAKE, LOW, created 2026-06-02 23:30Z (still 2026-06-02 in UTC)
//   - 9105 ON_HOLD (from INTAKE), URGENT, created 2026-06-03 00:00Z
//   - 9103 PLANNING with a primary validator, 9104 CANCELLED: not pending.
const pendingSeed = `
INSERT INTO users (user_id, email, full_name, role) OVERRIDING SYSTEM VALUE
VALUES (9101, 'pa-req@bank.test', 'Rita Requestor', 'VALIDATOR'), (9102, 'pa-val@bank.test', 'Val', 'VALIDATOR');
INSERT INTO models (model_id, model_name, owner_id) OVERRIDING SYSTEM VALUE VALUES (9101, 'PA-A', 9101), (9102, 'PA-B', 9101);
INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, target_completion_date, created_at) OVERRIDING SYSTEM VALUE
VALUES (9101, 9101, 'TARGETED', 'HIGH', '2027-01-01', '2026-06-01 10:00Z'),
       (9106, 9101, 'TARGETED', 'MEDIUM', '2027-01-01', '2026-06-01 10:00Z'),
       (9102, 9101, 'TARGETED', 'LOW', '2027-01-01', '2026-06-02 23:30Z'),
       (9105, 9101, 'TARGETED', 'URGENT', '2027-01-01', '2026-06-03 00:00Z'),
       (9103, 9101, 'TARGETED', 'LOW', '2027-01-01', '2026-05-01 00:00Z'),
       (9104, 9101, 'TARGETED', 'LOW', '2027-01-01', '2026-05-01 00:00Z');
INSERT INTO validation_request_models (request_id, model_id, blocks_model)
VALUES (9101, 9101, false), (9101, 9102, false), (9106, 9101, false), (9102, 9101, false), (9105, 9102, false),
       (9103, 9101, false), (9104, 9101, false);
INSERT INTO validation_assignments (request_id, validator_id, is_primary, assigned_by) VALUES (9103, 9102, true, 9102);
UPDATE validation_requests SET status = 'PLANNING' WHERE request_id = 9103;
UPDATE validation_requests SET status = 'CANCELLED' WHERE request_id = 9104;
UPDATE validation_requests SET status = 'ON_HOLD' WHERE request_id = 9105;
`

// TestPendingAssignmentsReport: active requests without a primary, oldest first (ties by id);
// days_pending and severity on both sides of the 3/4 and 7/8 day boundaries; the severity and
// priority filters; the creation day taken in UTC.
func TestPendingAssignmentsReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.oversightExec(pendingSeed)
	validator := e.user(domain.RoleValidator)

	items := e.allPages(pendingPath+"?as_of=2026-06-09", validator.Token, 50, nil)
	if got, want := ids(items, "request_id"), []string{"9101", "9106", "9102", "9105"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	first, _ := json.Marshal(items[0])
	want := `{"created_at":"2026-06-01T10:00:00Z","days_pending":8,"models":[{"model_id":9101,"model_name":"PA-A"},{"model_id":9102,"model_name":"PA-B"}],"priority":"HIGH","request_id":9101,"requestor":{"full_name":"Rita Requestor","user_id":9101},"severity":"CRITICAL","status":"INTAKE","validation_type":"TARGETED"}`
	if string(first) != want {
		t.Fatalf("row\n%s\nwant\n%s", first, want)
	}
	if items[3]["status"] != "ON_HOLD" {
		t.Fatalf("9105 status %v", items[3]["status"])
	}

	// Request 9101 (created 2026-06-01) on both sides of each boundary.
	for _, c := range []struct {
		asOf, days, severity string
	}{
		{"2026-05-31", "-1", "MEDIUM"}, {"2026-06-01", "0", "MEDIUM"},
		{"2026-06-04", "3", "MEDIUM"}, {"2026-06-05", "4", "HIGH"},
		{"2026-06-08", "7", "HIGH"}, {"2026-06-09", "8", "CRITICAL"},
	} {
		rows := e.allPages(pendingPath+"?as_of="+c.asOf, e.admin.Token, 50, nil)
		if fmt.Sprint(rows[0]["request_id"]) != "9101" || fmt.Sprint(rows[0]["days_pending"]) != c.days || rows[0]["severity"] != c.severity {
			t.Errorf("as_of %s: %v days %v %v, want 9101 %s days %s", c.asOf, rows[0]["request_id"], rows[0]["days_pending"], rows[0]["severity"], c.days, c.severity)
		}
	}
	// 9102 was created at 23:30 UTC on 2026-06-02: 7 days on 2026-06-09, HIGH.
	if fmt.Sprint(items[2]["days_pending"]) != "7" || items[2]["severity"] != "HIGH" {
		t.Fatalf("9102: %v days, %v", items[2]["days_pending"], items[2]["severity"])
	}

	// The severity filter is the same boundaries as the severity column.
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"as_of=2026-06-09&severity=CRITICAL", []string{"9101", "9106"}},
		{"as_of=2026-06-09&severity=HIGH", []string{"9102", "9105"}}, // 7 and 6 days
		{"as_of=2026-06-09&severity=MEDIUM", []string{}},
		{"as_of=2026-06-06&severity=HIGH", []string{"9101", "9106", "9102"}}, // 5, 5 and 4 days
		{"as_of=2026-06-06&severity=MEDIUM", []string{"9105"}},               // 3 days
		{"as_of=2026-06-06&severity=CRITICAL", []string{}},
		{"as_of=2026-06-09&priority=LOW", []string{"9102"}},
		{"as_of=2026-06-09&priority=URGENT&severity=HIGH", []string{"9105"}},
		{"as_of=2026-06-09&priority=URGENT&severity=CRITICAL", []string{}},
	} {
		if got := ids(e.allPages(pendingPath+"?"+c.query, e.admin.Token, 50, nil), "request_id"); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}

	// A primary validator takes a request off the report; a reviewer alone does not.
	e.oversightExec(`INSERT INTO validation_assignments (request_id, validator_id, is_reviewer, assigned_by) VALUES (9106, 9102, true, 9102);
		INSERT INTO validation_assignments (request_id, validator_id, is_primary, assigned_by) VALUES (9102, 9102, true, 9102)`)
	if got := ids(e.allPages(pendingPath+"?as_of=2026-06-09", e.admin.Token, 50, nil), "request_id"); !reflect.DeepEqual(got, []string{"9101", "9106", "9105"}) {
		t.Fatalf("after assigning a primary to 9102: %v", got)
	}
}

// TestPendingAssignmentsPagingAndCSV: page by page (one row a page) while requests are created
// between pages, every row that existed throughout comes exactly once, in order, and a row created
// later (newer than every cursor) comes at the end; the CSV answer is the JSON pages row for row.
func TestPendingAssignmentsPagingAndCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.oversightExec(pendingSeed)
	inserted := 0
	items := e.allPages(pendingPath+"?as_of=2026-06-09", e.admin.Token, 1, func(page int) {
		if page != 1 {
			return
		}
		// Created between pages: one older than the cursor (never seen: it sorts before it),
		// one with 9101's exact time (sorts before the cursor too), one newer than all.
		e.oversightExec(`INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, target_completion_date, created_at) OVERRIDING SYSTEM VALUE
			VALUES (9110, 9101, 'TARGETED', 'LOW', '2027-01-01', '2026-05-20 00:00Z'),
			       (9111, 9101, 'TARGETED', 'LOW', '2027-01-01', '2026-06-01 10:00Z'),
			       (9112, 9101, 'TARGETED', 'LOW', '2027-01-01', '2026-06-05 00:00Z');
			INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES (9110, 9101, false), (9111, 9101, false), (9112, 9101, false)`)
		inserted++
	})
	if inserted != 1 {
		t.Fatal("no page boundary to insert at")
	}
	if got, want := ids(items, "request_id"), []string{"9101", "9106", "9111", "9102", "9105", "9112"}; !reflect.DeepEqual(got, want) {
		// 9111 has 9101's time and a larger id than 9106: it sorts after the page-2 cursor (9106).
		t.Fatalf("paged rows %v, want %v", got, want)
	}

	all := e.allPages(pendingPath+"?as_of=2026-06-09", e.admin.Token, 2, nil)
	if len(all) != 7 {
		t.Fatalf("%d rows, want 7", len(all))
	}
	e.wantCSVEqualsPages(pendingPath+"?as_of=2026-06-09", e.admin.Token, all, "pending-assignments-2026-06-09.csv")
	high := e.allPages(pendingPath+"?as_of=2026-06-09&severity=HIGH", e.admin.Token, 1, nil)
	e.wantCSVEqualsPages(pendingPath+"?as_of=2026-06-09&severity=HIGH", e.admin.Token, high, "pending-assignments-2026-06-09.csv")
}

// workloadSeed: validators 9201 (work), 9202 (no work), 9203 (disabled, no work: left out),
// 9204 (disabled, primary of an active request: listed), ADMIN 9205 (primary of an active
// request: listed), ADMIN 9206 (no work: left out).
//   - 9201 IN_PROGRESS, target 2026-06-10, primary 9201
//   - 9202 REVIEW, target 2026-06-20, primary 9205, reviewer 9201 not signed off
//   - 9203 REVIEW, target 2026-06-01, primary 9204, reviewer 9202 signed off
//   - 9204 APPROVED (closed), target 2026-01-01, primary 9201, reviewer 9202: not counted
//   - 9205 IN_PROGRESS, target 2026-06-10, primary 9201, reviewer 9202 (not in REVIEW: not waiting)
const workloadSeed = `
INSERT INTO users (user_id, email, full_name, role) OVERRIDING SYSTEM VALUE
VALUES (9201, 'wl1@bank.test', 'Wanda One', 'VALIDATOR'), (9202, 'wl2@bank.test', 'Walt Two', 'VALIDATOR'),
       (9203, 'wl3@bank.test', 'Gone Idle', 'VALIDATOR'), (9204, 'wl4@bank.test', 'Gone Busy', 'VALIDATOR'),
       (9205, 'wl5@bank.test', 'Ada Admin', 'ADMIN'), (9206, 'wl6@bank.test', 'Idle Admin', 'ADMIN');
INSERT INTO user_disablements (user_id, disabled_by) VALUES (9203, 9205), (9204, 9205);
INSERT INTO models (model_id, model_name, owner_id) OVERRIDING SYSTEM VALUE VALUES (9201, 'WL', 9206);
INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, target_completion_date, created_at) OVERRIDING SYSTEM VALUE
VALUES (9201, 9205, 'TARGETED', 'LOW', '2026-06-10', '2026-05-01Z'), (9202, 9205, 'TARGETED', 'LOW', '2026-06-20', '2026-05-01Z'),
       (9203, 9205, 'TARGETED', 'LOW', '2026-06-01', '2026-05-01Z'), (9204, 9205, 'TARGETED', 'LOW', '2026-01-01', '2026-05-01Z'),
       (9205, 9205, 'TARGETED', 'LOW', '2026-06-10', '2026-05-01Z');
INSERT INTO validation_request_models (request_id, model_id, blocks_model)
SELECT r, 9201, false FROM generate_series(9201, 9205) r;
INSERT INTO validation_assignments (request_id, validator_id, is_primary, is_reviewer, signed_off_at, assigned_by)
VALUES (9201, 9201, true, false, NULL, 9205),
       (9202, 9205, true, false, NULL, 9205), (9202, 9201, false, true, NULL, 9205),
       (9203, 9204, true, false, NULL, 9205), (9203, 9202, false, true, '2026-05-20Z', 9205),
       (9204, 9201, true, false, NULL, 9205), (9204, 9202, false, true, '2026-05-20Z', 9205),
       (9205, 9201, true, false, NULL, 9205), (9205, 9202, false, true, NULL, 9205);
UPDATE validation_requests SET status = 'PLANNING' WHERE request_id BETWEEN 9201 AND 9205;
UPDATE validation_requests SET status = 'IN_PROGRESS' WHERE request_id BETWEEN 9201 AND 9205;
UPDATE validation_requests SET status = 'REVIEW' WHERE request_id IN (9202, 9203, 9204);
UPDATE validation_requests SET status = 'PENDING_APPROVAL' WHERE request_id = 9204;
UPDATE validation_requests SET status = 'APPROVED' WHERE request_id = 9204;
`

// TestWorkloadReport: one row per validator (the enabled VALIDATORs, and anyone else holding
// active work), counts over active requests only, overdue on both sides of the target date, paged
// by user_id, and its CSV equal to the pages.
func TestWorkloadReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.oversightExec(workloadSeed)
	type row struct{ user, primary, reviewer, waiting, overdue string }
	read := func(asOf string, limit int) []row {
		items := e.allPages(workloadPath+"?as_of="+asOf, e.admin.Token, limit, nil)
		out := make([]row, len(items))
		for i, it := range items {
			v := it["validator"].(map[string]any)
			out[i] = row{fmt.Sprint(v["user_id"]), fmt.Sprint(it["primary_active"]), fmt.Sprint(it["reviewer_active"]), fmt.Sprint(it["reviews_waiting"]), fmt.Sprint(it["overdue_primary"])}
		}
		return out
	}
	// On 2026-06-10 nothing is overdue yet (targets 2026-06-10 are not before it, 9203's
	// 2026-06-01 is), on 2026-06-11 the two 2026-06-10 targets of 9201 are.
	want := []row{
		{"9201", "2", "1", "1", "0"}, // primary of 9201, 9205 (9204 closed); reviewer of 9202 in REVIEW
		{"9202", "0", "2", "0", "0"}, // reviewer of 9203 (signed off) and 9205 (IN_PROGRESS)
		{"9204", "1", "0", "0", "1"}, // disabled, but primary of 9203 (target 2026-06-01)
		{"9205", "1", "0", "0", "0"}, // an ADMIN, primary of 9202
	}
	if got := read("2026-06-10", 50); !reflect.DeepEqual(got, want) {
		t.Fatalf("as_of 2026-06-10:\n%v\nwant\n%v", got, want)
	}
	want[0].overdue = "2"
	if got := read("2026-06-11", 1); !reflect.DeepEqual(got, want) {
		t.Fatalf("as_of 2026-06-11, a row a page:\n%v\nwant\n%v", got, want)
	}
	want[0].overdue, want[2].overdue = "0", "0"
	if got := read("2026-06-01", 3); !reflect.DeepEqual(got, want) {
		// 9204's target 2026-06-01 is not before 2026-06-01.
		t.Fatalf("as_of 2026-06-01:\n%v\nwant\n%v", got, want)
	}
	items := e.allPages(workloadPath+"?as_of=2026-06-11", e.admin.Token, 3, nil)
	first, _ := json.Marshal(items[0])
	if string(first) != `{"overdue_primary":2,"primary_active":2,"reviewer_active":1,"reviews_waiting":1,"validator":{"full_name":"Wanda One","user_id":9201}}` {
		t.Fatalf("row %s", first)
	}
	e.wantCSVEqualsPages(workloadPath+"?as_of=2026-06-11", e.admin.Token, items, "workload-2026-06-11.csv")

	// A validator added between pages (a larger user_id) comes at the end, once.
	var ins int
	got := e.allPages(workloadPath+"?as_of=2026-06-11", e.admin.Token, 2, func(int) {
		if ins == 0 {
			e.oversightExec(`INSERT INTO users (user_id, email, full_name, role) OVERRIDING SYSTEM VALUE VALUES (9207, 'wl7@bank.test', 'New', 'VALIDATOR')`)
		}
		ins++
	})
	if ids := fmt.Sprint(len(got), got[len(got)-1]["validator"]); ids != "5 map[full_name:New user_id:9207]" {
		t.Fatalf("after an insert between pages: %s", ids)
	}
}

// outOfOrderSeed: models 9301..9305, each with versions:
//   - 9301 planned 2026-07-01; 9302 planned 2026-09-01 but actual 2026-06-15 (actual wins);
//     9303 neither date; 9304 planned 2026-07-01; 9305 and 9306 planned 2026-06-01.
//   - request 9301 target 2026-07-02 covers 9301: one day late.
//   - request 9302 target 2026-07-01 covers 9304: the same day, not late.
//   - request 9303 target 2026-08-01 covers 9302: 47 days after the actual date.
//   - request 9304 APPROVED (closed), target 2026-12-01, covers 9301: not listed.
//   - request 9305 target 2026-12-01 covers 9303 (no date): not listed.
//   - request 9306 target 2026-06-11 covers 9305 and 9306: two rows, in version order.
const outOfOrderSeed = `
INSERT INTO users (user_id, email, full_name, role) OVERRIDING SYSTEM VALUE VALUES (9301, 'oo@bank.test', 'Owner', 'ADMIN');
INSERT INTO models (model_id, model_name, owner_id) OVERRIDING SYSTEM VALUE
SELECT m, 'OO-' || m, 9301 FROM generate_series(9301, 9305) m;
INSERT INTO model_versions (version_id, model_id, version_number, change_description, scope, planned_production_date, actual_production_date, created_by) OVERRIDING SYSTEM VALUE
VALUES (9301, 9301, '1.0', 'x', 'GLOBAL', '2026-07-01', NULL, 9301),
       (9302, 9302, '2.0', 'x', 'GLOBAL', '2026-09-01', '2026-06-15', 9301),
       (9303, 9303, '3.0', 'x', 'GLOBAL', NULL, NULL, 9301),
       (9304, 9304, '=4.0', 'x', 'GLOBAL', '2026-07-01', NULL, 9301),
       (9305, 9304, '4.1', 'x', 'GLOBAL', '2026-06-01', NULL, 9301),
       (9306, 9305, '5.0', 'x', 'GLOBAL', '2026-06-01', NULL, 9301);
INSERT INTO validation_requests (request_id, requestor_id, validation_type, priority, target_completion_date) OVERRIDING SYSTEM VALUE
VALUES (9301, 9301, 'TARGETED', 'LOW', '2026-07-02'), (9302, 9301, 'TARGETED', 'LOW', '2026-07-01'),
       (9303, 9301, 'TARGETED', 'LOW', '2026-08-01'), (9304, 9301, 'TARGETED', 'LOW', '2026-12-01'),
       (9305, 9301, 'TARGETED', 'LOW', '2026-12-01'), (9306, 9301, 'TARGETED', 'LOW', '2026-06-11');
INSERT INTO validation_request_models (request_id, model_id, version_id, blocks_model)
VALUES (9301, 9301, 9301, false), (9302, 9304, 9304, false), (9303, 9302, 9302, false), (9304, 9301, 9301, false),
       (9305, 9303, 9303, false), (9306, 9305, 9306, false), (9306, 9304, 9305, false);
UPDATE validation_requests SET status = 'CANCELLED' WHERE request_id = 9304;
`

// TestOutOfOrderReport: the late versions of active requests (the actual date before the planned
// one; the same day is not late; no date is never late; closed requests are left out), in
// (request_id, version_id) order, the same page by page, and its CSV equal to the pages.
func TestOutOfOrderReport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.oversightExec(outOfOrderSeed)
	items := e.allPages(outOfOrderPath+"?as_of=2026-06-01", e.admin.Token, 50, nil)
	var got []string
	for _, it := range items {
		got = append(got, fmt.Sprintf("%v/%v/%v %v %v>%v %v", it["request_id"], it["model_id"], it["version_id"], it["version_number"], it["target_completion_date"], it["production_date"], it["days_gap"]))
	}
	want := []string{
		"9301/9301/9301 1.0 2026-07-02>2026-07-01 1",
		"9303/9302/9302 2.0 2026-08-01>2026-06-15 47",
		"9306/9304/9305 4.1 2026-06-11>2026-06-01 10",
		"9306/9305/9306 5.0 2026-06-11>2026-06-01 10",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows\n%v\nwant\n%v", got, want)
	}
	paged := e.allPages(outOfOrderPath+"?as_of=2026-06-01", e.admin.Token, 1, nil)
	if !reflect.DeepEqual(paged, items) {
		t.Fatalf("a row a page:\n%v\nwant\n%v", paged, items)
	}
	// The request 9302 moved a day later is late by one day (a text starting with = is guarded in CSV).
	e.oversightExec(`UPDATE validation_requests SET target_completion_date = '2026-07-02' WHERE request_id = 9302`)
	items = e.allPages(outOfOrderPath+"?as_of=2026-06-01", e.validatorToken(), 3, nil)
	if len(items) != 5 || fmt.Sprintf("%v %v", items[1]["version_number"], items[1]["days_gap"]) != "=4.0 1" {
		t.Fatalf("after moving 9302's target: %v", items)
	}
	e.wantCSVEqualsPages(outOfOrderPath+"?as_of=2026-06-01", e.admin.Token, items, "out-of-order-2026-06-01.csv")
}

func (e *testEnv) validatorToken() string { return e.user(domain.RoleValidator).Token }

// TestRuleExceptionsCSV: the rule-exceptions report answers CSV, the JSON pages row for row.
func TestRuleExceptionsCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.oversightExec(testdb.RuleExceptionsSeed)
	items := e.allPages(ruleExceptionsPath, e.admin.Token, 1, nil)
	if len(items) != 3 {
		t.Fatalf("%d rows, want 3", len(items))
	}
	e.wantCSVEqualsPages(ruleExceptionsPath, e.admin.Token, items, "rule-exceptions-"+time.Now().UTC().Format(domain.DateLayout)+".csv")
	e.call(http.MethodGet, ruleExceptionsPath+"?format=csv", e.user(domain.RoleUser).Token, nil).wantProblem(http.StatusForbidden, "forbidden")
	wantField(t, e.call(http.MethodGet, ruleExceptionsPath+"?format=csv&kind=NOPE", e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), "kind")
}

// TestOversightReportsAccessAndInput: only ADMIN and VALIDATOR read the reports, as JSON or CSV
// (403 for a USER and the approvers); bad values, unknown and repeated parameters are 400 naming
// the parameter.
func TestOversightReportsAccessAndInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	validator := e.user(domain.RoleValidator)
	for _, path := range []string{pendingPath, workloadPath, outOfOrderPath} {
		for _, role := range []domain.Role{domain.RoleUser, domain.RoleGlobalApprover, domain.RoleRegionalApprover} {
			u := e.user(role)
			e.call(http.MethodGet, path, u.Token, nil).wantProblem(http.StatusForbidden, "forbidden")
			e.call(http.MethodGet, path+"?format=csv", u.Token, nil).wantProblem(http.StatusForbidden, "forbidden")
		}
		e.call(http.MethodGet, path, "", nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
		e.call(http.MethodGet, path, validator.Token, nil).want(http.StatusOK)
		e.call(http.MethodGet, path+"?as_of=2026-06-01", e.admin.Token, nil).want(http.StatusOK)

		bad := map[string]string{
			"as_of=2026-13-01":                  "as_of",
			"as_of=yesterday":                   "as_of",
			"as_of=2026-06-01&as_of=2026-06-02": "as_of",
			"asof=2026-06-01":                   "asof",
			"limit=0":                           "limit",
			"limit=501":                         "limit",
			"cursor=nope":                       "cursor",
			"cursor=" + keyCursor("1.2.3"):      "cursor",
			"format=xml":                        "format",
			"mine=true":                         "mine",
		}
		if path == workloadPath {
			bad["cursor="+keyCursor("1.2")] = "cursor" // a composite cursor where an id is
		} else {
			bad["cursor="+cursorFor(5)] = "cursor" // one value where two are
			bad["cursor="+keyCursor("0.0")] = "cursor"
		}
		if path == pendingPath {
			bad["severity=LOW"] = "severity"
			bad["priority=NOPE"] = "priority"
			bad["severity=HIGH&severity=MEDIUM"] = "severity"
		} else {
			bad["severity=HIGH"] = "severity"
		}
		for query, field := range bad {
			r := e.call(http.MethodGet, path+"?"+query, e.admin.Token, nil)
			wantField(t, r.wantProblem(http.StatusBadRequest, "invalid_request"), field)
		}
	}
}
