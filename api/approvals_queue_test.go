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
