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

// approvalItem is an item of the approvals lists (v1.2 shape).
type approvalItem struct {
	ApprovalID   int32   `json:"approval_id"`
	RequestID    int32   `json:"request_id"`
	ApprovalType string  `json:"approval_type"`
	RegionID     *int32  `json:"region_id"`
	RegionCode   *string `json:"region_code"`
	Status       string  `json:"status"`
	CreatedAt    string  `json:"created_at"`
	DaysPending  int     `json:"days_pending"`
	Request      struct {
		RequestID            int32  `json:"request_id"`
		Status               string `json:"status"`
		ValidationType       string `json:"validation_type"`
		Priority             string `json:"priority"`
		TargetCompletionDate string `json:"target_completion_date"`
		Requestor            struct {
			UserID   int32  `json:"user_id"`
			FullName string `json:"full_name"`
		} `json:"requestor"`
		PrimaryValidator *struct {
			UserID   int32  `json:"user_id"`
			FullName string `json:"full_name"`
		} `json:"primary_validator"`
		Models []struct {
			ModelID   int32  `json:"model_id"`
			ModelName string `json:"model_name"`
		} `json:"models"`
	} `json:"request"`
}

type approvalItemPage struct {
	Items      []approvalItem `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

func (e *testEnv) approvalPage(u fixtureUser, query string) approvalItemPage {
	e.t.Helper()
	var p approvalItemPage
	e.call(http.MethodGet, "/api/v1/approvals"+query, u.Token, nil).want(http.StatusOK).decode(&p)
	return p
}

func (e *testEnv) sql(query string, args ...any) {
	e.t.Helper()
	if _, err := e.db.Pool.Exec(context.Background(), query, args...); err != nil {
		e.t.Fatal(err)
	}
}

func approvalIDs(items []approvalItem) []int32 {
	ids := make([]int32, len(items))
	for i, it := range items {
		ids[i] = it.ApprovalID
	}
	return ids
}

// Every approvals list carries the region's code, days_pending counted on as_of (whole days from
// the UTC day of creation, on both sides of a day boundary) and the request's context; the
// request's own list has the same shape.
func TestApprovalItemsCarryContextAndDaysPending(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu := e.region(true)
	owner, validator := e.user(domain.RoleUser), e.user(domain.RoleValidator)
	model := e.vrModel(owner, "Retail PD")
	req, list := e.pendingApprovalRequest(validator, model, eu.RegionID)
	// Created one second before midnight UTC: the day of creation is the 10th.
	e.sql(`UPDATE validation_approvals SET created_at = '2027-03-10 23:59:59+00' WHERE request_id = $1`, req)
	var primary int32
	if err := e.db.Pool.QueryRow(context.Background(),
		`SELECT validator_id FROM validation_assignments WHERE request_id = $1 AND is_primary`, req).Scan(&primary); err != nil {
		t.Fatal(err)
	}
	for asOf, want := range map[string]int{"2027-03-10": 0, "2027-03-11": 1, "2027-04-09": 30, "2027-03-09": -1} {
		for _, path := range []string{
			fmt.Sprintf("/api/v1/approvals?request_id=%d&as_of=%s", req, asOf),
			fmt.Sprintf("/api/v1/validation-requests/%d/approvals?as_of=%s", req, asOf),
		} {
			var p approvalItemPage
			e.call(http.MethodGet, path, e.admin.Token, nil).want(http.StatusOK).decode(&p)
			if len(p.Items) != 2 {
				t.Fatalf("%s: %d items", path, len(p.Items))
			}
			for _, it := range p.Items {
				if it.DaysPending != want {
					t.Errorf("%s: approval %d days_pending %d, want %d", path, it.ApprovalID, it.DaysPending, want)
				}
			}
			g, r := p.Items[0], p.Items[1]
			if g.ApprovalType != "GLOBAL" || g.RegionCode != nil || r.RegionCode == nil || *r.RegionCode != eu.Code {
				t.Errorf("%s: region codes %v / %v, want null / %s", path, g.RegionCode, r.RegionCode, eu.Code)
			}
			rq := g.Request
			if rq.RequestID != req || rq.Status != "PENDING_APPROVAL" || rq.ValidationType != "TARGETED" || rq.Priority != "HIGH" ||
				rq.TargetCompletionDate != "2027-03-31" || rq.Requestor.UserID != validator.ID || !strings.HasPrefix(rq.Requestor.FullName, "Test VALIDATOR") {
				t.Errorf("%s: request %+v", path, rq)
			}
			if rq.PrimaryValidator == nil || rq.PrimaryValidator.UserID != primary {
				t.Errorf("%s: primary validator %+v, want %d", path, rq.PrimaryValidator, primary)
			}
			if len(rq.Models) != 1 || rq.Models[0].ModelID != model || rq.Models[0].ModelName != "Retail PD" {
				t.Errorf("%s: models %+v", path, rq.Models)
			}
		}
	}
	_ = list
	// A request without a primary validator shows null.
	e.sql(`DELETE FROM validation_assignments WHERE request_id = $1`, req)
	p := e.approvalPage(e.admin, fmt.Sprintf("?request_id=%d", req))
	if len(p.Items) != 2 || p.Items[0].Request.PrimaryValidator != nil {
		t.Fatalf("without a primary: %+v", p.Items)
	}
}

// sort=created_at pages oldest first by keyset on (created_at, approval_id) — created_at order is
// not id order here — with no gap and no duplicate while approvals are created between pages; the
// default sort is the id, also in the queue.
func TestApprovalsSortedByCreationPageWithoutGapsWhileCreated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu := e.region(true).RegionID
	owner, validator := e.user(domain.RoleUser), e.user(domain.RoleValidator)
	for i := range 4 {
		e.pendingApprovalRequest(validator, e.vrModel(owner, fmt.Sprintf("M%d", i)), eu)
	}
	// Reverse creation order against ids; two approvals share a created_at (the id breaks the tie).
	e.sql(`UPDATE validation_approvals SET created_at = '2027-01-01'::timestamptz - approval_id * interval '1 hour' WHERE approval_id % 3 <> 0`)
	e.sql(`UPDATE validation_approvals SET created_at = '2026-12-01' WHERE approval_id % 3 = 0`)
	byCreation := func() []int32 {
		var ids []int32
		rows, err := e.db.Pool.Query(context.Background(), `SELECT approval_id FROM validation_approvals ORDER BY created_at, approval_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int32
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	// Every approval here is pending, of a request the env's ADMIN is not involved in: the queue
	// and the list hold the same approvals.
	for _, query := range []string{"?sort=created_at&limit=3", "?mine=true&sort=created_at&limit=3"} {
		want := byCreation()
		if len(want) < 8 {
			t.Fatalf("%d approvals", len(want))
		}
		var got []int32
		var older int32
		cursor := ""
		for pages := 0; ; pages++ {
			p := e.approvalPage(e.admin, query+cursor)
			got = append(got, approvalIDs(p.Items)...)
			if p.NextCursor == nil {
				break
			}
			if pages == 0 {
				// Created between pages: one newer than everything (listed at the end), one older
				// than the cursor (not listed by these pages, and it moves nothing).
				_, fresh := e.pendingApprovalRequest(validator, e.vrModel(owner, "late "+query), eu)
				e.sql(`UPDATE validation_approvals SET created_at = '2030-01-01' WHERE approval_id = $1`, fresh[0].ApprovalID)
				e.sql(`UPDATE validation_approvals SET created_at = '2020-01-01' WHERE approval_id = $1`, fresh[1].ApprovalID)
				want = append(want, fresh[0].ApprovalID)
				older = fresh[1].ApprovalID
			}
			cursor = "&cursor=" + *p.NextCursor
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: pages %v, want %v", query, got, want)
		}
		all := approvalIDs(e.approvalPage(e.admin, strings.TrimSuffix(query, "&limit=3")+"&limit=500").Items)
		if !reflect.DeepEqual(all, byCreation()) || !slices.Contains(all, older) || slices.Contains(got, older) {
			t.Fatalf("%s: one page %v, want %v, with %d (older than the cursor) not in the pages %v", query, all, byCreation(), older, got)
		}
	}
	// The default sort is the id.
	ids := approvalIDs(e.approvalPage(e.admin, "?limit=500").Items)
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("default order %v", ids)
		}
	}
}

// A REGIONAL_APPROVER's queue holds the regional approvals of each of its regions and none of
// another, and pages through them in either sort without a gap or a repeat: the queue walks the
// pending approvals in the page's order and filters by the approver's regions
// (validation_approvals_decidable_by, migration 20261206003000).
func TestApprovalQueueOfAnApproverOfTwoRegionsPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu, sg, us := e.region(true).RegionID, e.region(true).RegionID, e.region(true).RegionID
	owner, validator := e.user(domain.RoleUser), e.user(domain.RoleValidator)
	var want []int32
	for i, region := range []int32{eu, us, sg, us, eu, sg} {
		_, approvals := e.pendingApprovalRequest(validator, e.vrModel(owner, fmt.Sprintf("M%d", i)), region)
		if len(approvals) != 2 || approvals[1].RegionID == nil || *approvals[1].RegionID != region {
			t.Fatalf("request in region %d: approvals %+v", region, approvals)
		}
		if region != us {
			want = append(want, approvals[1].ApprovalID)
		}
	}
	// Created in the reverse order of their ids, so the two sorts differ.
	e.sql(`UPDATE validation_approvals SET created_at = '2027-01-01'::timestamptz - approval_id * interval '1 hour'`)
	regional := e.approverUser(domain.RoleRegionalApprover, eu, sg)
	pages := func(query string) []int32 {
		got := []int32{}
		cursor := ""
		for range 20 {
			p := e.approvalPage(regional, "?mine=true&limit=1"+query+cursor)
			got = append(got, approvalIDs(p.Items)...)
			if p.NextCursor == nil {
				return got
			}
			cursor = "&cursor=" + *p.NextCursor
		}
		t.Fatalf("%s: more than 20 pages: %v", query, got)
		return nil
	}
	if got := pages(""); !reflect.DeepEqual(got, want) {
		t.Errorf("pages by id %v, want %v", got, want)
	}
	byCreation := slices.Clone(want)
	slices.Reverse(byCreation)
	if got := pages("&sort=created_at"); !reflect.DeepEqual(got, byCreation) {
		t.Errorf("pages by creation %v, want %v", got, byCreation)
	}
}

// mine=true is what the caller may decide now, for each kind of approver: a GLOBAL_APPROVER the
// GLOBAL approvals, a REGIONAL_APPROVER those of its region and not of another, an ADMIN all, an
// ADMIN involved in the request (owning its model) none of them; a decided approval or one of a
// request that left PENDING_APPROVAL leaves every queue. A USER sees the approvals of its models'
// requests only, in the list, the request's list and the CSV.
func TestApprovalQueueForEachApproverAndUserVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu, us := e.region(true).RegionID, e.region(true).RegionID
	owner, other, validator := e.user(domain.RoleUser), e.user(domain.RoleUser), e.user(domain.RoleValidator)
	involvedAdmin := e.approverUser(domain.RoleAdmin)
	reqEU, euList := e.pendingApprovalRequest(validator, e.vrModel(owner, "EU model"), eu)
	reqUS, usList := e.pendingApprovalRequest(validator, e.vrModel(owner, "US model"), us)
	reqAdmin, adminList := e.pendingApprovalRequest(validator, e.vrModel(involvedAdmin, "Admin's model"), eu)
	_ = reqAdmin
	global := e.approverUser(domain.RoleGlobalApprover)
	regionalEU := e.approverUser(domain.RoleRegionalApprover, eu)
	admin := e.approverUser(domain.RoleAdmin)
	queue := func(u fixtureUser, query string) []int32 {
		t.Helper()
		return approvalIDs(e.approvalPage(u, "?mine=true"+query).Items)
	}
	ids := func(lists ...[]approvalAnswer) []int32 {
		out := []int32{}
		for _, l := range lists {
			for _, a := range l {
				out = append(out, a.ApprovalID)
			}
		}
		slices.Sort(out)
		return out
	}
	cases := []struct {
		name string
		u    fixtureUser
		want []int32
	}{
		{"GLOBAL_APPROVER", global, []int32{euList[0].ApprovalID, usList[0].ApprovalID, adminList[0].ApprovalID}},
		{"REGIONAL_APPROVER of EU", regionalEU, []int32{euList[1].ApprovalID, adminList[1].ApprovalID}},
		{"ADMIN", admin, ids(euList, usList, adminList)},
		{"ADMIN owning a model", involvedAdmin, ids(euList, usList)},
		{"VALIDATOR requestor", validator, []int32{}},
		{"USER owner", owner, []int32{}},
	}
	for _, c := range cases {
		if got := queue(c.u, ""); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: queue %v, want %v", c.name, got, c.want)
		}
	}
	// The REGIONAL_APPROVER of EU is not one of the US: the US approval is not in its queue, and
	// deciding it is refused — the queue lists nothing the decision refuses.
	if slices.Contains(queue(regionalEU, ""), usList[1].ApprovalID) {
		t.Error("the EU approver's queue lists a US approval")
	}
	e.decide(regionalEU, usList[1].ApprovalID, "APPROVED", "").wantProblem(http.StatusForbidden, "forbidden")
	e.decide(involvedAdmin, adminList[0].ApprovalID, "APPROVED", "").wantProblem(http.StatusForbidden, "not_independent")
	for _, a := range queue(involvedAdmin, "") {
		if a == adminList[0].ApprovalID || a == adminList[1].ApprovalID {
			t.Errorf("the involved ADMIN's queue lists approval %d of its own model's request", a)
		}
	}
	// Filters narrow the queue.
	if got := queue(admin, fmt.Sprintf("&request_id=%d&approval_type=REGIONAL", reqEU)); !reflect.DeepEqual(got, []int32{euList[1].ApprovalID}) {
		t.Errorf("filtered queue %v", got)
	}
	// Decided, it leaves every queue; sending back the US GLOBAL approval moves the request to
	// REVISION and voids its round.
	e.decide(global, euList[0].ApprovalID, "APPROVED", "").want(http.StatusOK)
	e.decide(global, usList[0].ApprovalID, "SENT_BACK", "needs work").want(http.StatusOK)
	if got, want := queue(admin, ""), []int32{euList[1].ApprovalID, adminList[0].ApprovalID, adminList[1].ApprovalID}; !reflect.DeepEqual(got, want) {
		t.Errorf("ADMIN's queue after decisions %v, want %v", got, want)
	}
	if got := queue(admin, fmt.Sprintf("&request_id=%d", reqUS)); len(got) != 0 {
		t.Errorf("a request sent back still queues %v", got)
	}

	// USER visibility: the owner sees its models' approvals; another USER none.
	if got, want := approvalIDs(e.approvalPage(owner, "?limit=500").Items), ids(euList, usList); !reflect.DeepEqual(got, want) {
		t.Errorf("owner's list %v, want %v", got, want)
	}
	if got := approvalIDs(e.approvalPage(owner, "?sort=created_at&limit=1").Items); len(got) != 1 {
		t.Errorf("owner's first page by creation %v", got)
	}
	if got := e.approvalPage(other, "?limit=500").Items; len(got) != 0 {
		t.Errorf("another USER sees %d approvals", len(got))
	}
	if got := e.approvalPage(other, "?sort=created_at").Items; len(got) != 0 {
		t.Errorf("another USER sees %d approvals by creation", len(got))
	}
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d/approvals", reqEU), other.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	_, records := readCSV(t, e.call(http.MethodGet, "/api/v1/approvals?format=csv", other.Token, nil))
	if len(records) != 0 {
		t.Errorf("another USER's CSV has %d rows", len(records))
	}
	_, records = readCSV(t, e.call(http.MethodGet, "/api/v1/approvals?format=csv", owner.Token, nil))
	if len(records) != 4 {
		t.Errorf("the owner's CSV has %d rows, want 4", len(records))
	}
}

// Bad values are 400 invalid_request naming the parameter.
func TestApprovalListsRefuseBadParameters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for query, field := range map[string]string{
		"?sort=-created_at":                "sort",
		"?sort=request_id":                 "sort",
		"?sort=created_at&sort=created_at": "sort",
		"?as_of=2027-13-01":                "as_of",
		"?as_of=tomorrow":                  "as_of",
		"?mine=yes":                        "mine",
		"?status=DONE":                     "status",
		"?cursor=nope":                     "cursor",
		"?format=xml":                      "format",
		"?order=created_at":                "order",
	} {
		p := e.call(http.MethodGet, "/api/v1/approvals"+query, e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
		if len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("%s: errors %+v, want one on %s", query, p.Errors, field)
		}
	}
	for query, field := range map[string]string{"?as_of=2027-02-30": "as_of", "?limit=5": "limit"} {
		p := e.call(http.MethodGet, "/api/v1/validation-requests/1/approvals"+query, e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
		if len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("request approvals %s: errors %+v, want one on %s", query, p.Errors, field)
		}
	}
}

// The CSV of more approvals than a page holds every one of them, row for row as the JSON pages
// list them, in both sorts, named approvals-<as_of>.csv, with the nested request flattened and
// its models joined with ";".
func TestApprovalsCSVMatchesTheJSONPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu := e.region(true).RegionID
	owner, validator := e.user(domain.RoleUser), e.user(domain.RoleValidator)
	req, _ := e.pendingApprovalRequest(validator, e.vrModel(owner, "=Formula model"), eu)
	// 120 voided approvals of earlier rounds, created over 120 hours.
	e.sql(`INSERT INTO validation_approvals (request_id, approval_type, status, created_at)
	       SELECT $1, 'GLOBAL', 'VOIDED', '2027-01-01'::timestamptz - g * interval '1 hour' FROM generate_series(1, 120) g`, req)
	for _, sort := range []string{"approval_id", "created_at"} {
		var items []map[string]any
		cursor := ""
		for pages := 0; ; pages++ {
			var page struct {
				Items      []map[string]any `json:"items"`
				NextCursor *string          `json:"next_cursor"`
			}
			e.call(http.MethodGet, "/api/v1/approvals?as_of=2027-01-05&limit=50&sort="+sort+cursor, e.admin.Token, nil).want(http.StatusOK).decode(&page)
			items = append(items, page.Items...)
			if page.NextCursor == nil {
				if pages < 2 {
					t.Fatalf("only %d pages", pages+1)
				}
				break
			}
			cursor = "&cursor=" + *page.NextCursor
		}
		res := e.call(http.MethodGet, "/api/v1/approvals?as_of=2027-01-05&sort="+sort, e.admin.Token, nil, "Accept", "text/csv")
		header, records := readCSV(t, res)
		if want := `attachment; filename="approvals-2027-01-05.csv"`; res.Header.Get("Content-Disposition") != want {
			t.Fatalf("disposition %q", res.Header.Get("Content-Disposition"))
		}
		wantHeader := []string{"approval_id", "request_id", "approval_type", "region_id", "region_code", "status", "decided_by_id",
			"decided_at", "comments", "created_at", "days_pending", "request_request_id", "request_status", "request_validation_type",
			"request_priority", "request_target_completion_date", "request_requestor_user_id", "request_requestor_full_name",
			"request_primary_validator_user_id", "request_primary_validator_full_name", "request_models_model_id", "request_models_model_name"}
		if !reflect.DeepEqual(header, wantHeader) {
			t.Fatalf("header %v", header)
		}
		if len(records) != len(items) || len(items) != 122 {
			t.Fatalf("%s: %d CSV rows, %d JSON rows, want 122", sort, len(records), len(items))
		}
		for i, rec := range records {
			it := items[i]
			rq := it["request"].(map[string]any)
			models := rq["models"].([]any)
			if rec[0] != fmt.Sprint(it["approval_id"]) || rec[9] != it["created_at"] || rec[10] != fmt.Sprint(it["days_pending"]) ||
				rec[11] != fmt.Sprint(rq["request_id"]) || rec[20] != fmt.Sprint(models[0].(map[string]any)["model_id"]) ||
				rec[21] != "'=Formula model" {
				t.Fatalf("%s row %d: %q, JSON %v", sort, i, rec, it)
			}
		}
	}
	// The request's own approvals: its one read, as CSV, the same rows as its JSON.
	var own struct {
		Items []map[string]any `json:"items"`
	}
	path := fmt.Sprintf("/api/v1/validation-requests/%d/approvals?as_of=2027-01-05", req)
	e.call(http.MethodGet, path, e.admin.Token, nil).want(http.StatusOK).decode(&own)
	res := e.call(http.MethodGet, path+"&format=csv", e.admin.Token, nil)
	header, records := readCSV(t, res)
	if want := fmt.Sprintf(`attachment; filename="validation-request-%d-approvals-2027-01-05.csv"`, req); res.Header.Get("Content-Disposition") != want {
		t.Fatalf("disposition %q", res.Header.Get("Content-Disposition"))
	}
	if header[0] != "approval_id" || len(records) != len(own.Items) || len(records) != 122 {
		t.Fatalf("request's approvals: header %v, %d CSV rows, %d JSON rows", header, len(records), len(own.Items))
	}
	for i, rec := range records {
		if rec[0] != fmt.Sprint(own.Items[i]["approval_id"]) {
			t.Fatalf("request's approvals row %d: %q", i, rec)
		}
	}
}
