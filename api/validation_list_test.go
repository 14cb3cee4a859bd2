package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mrmflow/internal/domain"
)

// listedAnswer is an item of GET /validation-requests.
type listedAnswer struct {
	vrAnswer
	PrimaryValidator *personAnswer `json:"primary_validator"`
	Reviewer         *personAnswer `json:"reviewer"`
	DaysInStatus     int           `json:"days_in_status"`
	IsOverdue        bool          `json:"is_overdue"`
	DaysOverdue      int           `json:"days_overdue"`
}

type personAnswer struct {
	UserID   int32  `json:"user_id"`
	FullName string `json:"full_name"`
}

// reqPage reads one page of the request list as u.
func (e *testEnv) reqPage(u fixtureUser, query string) page[listedAnswer] {
	e.t.Helper()
	var p page[listedAnswer]
	e.call(http.MethodGet, "/api/v1/validation-requests?"+query, u.Token, nil).want(http.StatusOK).decode(&p)
	return p
}

// reqIDs lists the ids of every request the list answers u with for query, following the cursors.
func (e *testEnv) reqIDs(u fixtureUser, query string) []int32 {
	e.t.Helper()
	var ids []int32
	for _, it := range e.reqAll(u, query) {
		ids = append(ids, it.RequestID)
	}
	return ids
}

// reqAll reads every page of the list for query as u.
func (e *testEnv) reqAll(u fixtureUser, query string) []listedAnswer {
	e.t.Helper()
	var all []listedAnswer
	cursor := ""
	for range 1000 {
		p := e.reqPage(u, query+cursor)
		all = append(all, p.Items...)
		if p.NextCursor == nil {
			return all
		}
		cursor = "&cursor=" + *p.NextCursor
	}
	e.t.Fatal("the list never ended")
	return nil
}

// fullName reads a user's full name.
func (e *testEnv) fullName(u fixtureUser) string {
	e.t.Helper()
	var name string
	if err := e.db.Pool.QueryRow(context.Background(), "SELECT full_name FROM users WHERE user_id = $1", u.ID).Scan(&name); err != nil {
		e.t.Fatal(err)
	}
	return name
}

// enteredOn reads the day request id entered its status: its status_entered_on, after checking it
// is the UTC day of the history row that entered the current status.
func (e *testEnv) enteredOn(id int32) string {
	e.t.Helper()
	var kept, history time.Time
	err := e.db.Pool.QueryRow(context.Background(), `
		SELECT vr.status_entered_on,
		       (SELECT (h.changed_at AT TIME ZONE 'UTC')::date FROM validation_status_history h
		        WHERE h.request_id = vr.request_id AND h.to_status = vr.status ORDER BY h.history_id DESC LIMIT 1)
		FROM validation_requests vr WHERE vr.request_id = $1`, id).Scan(&kept, &history)
	if err != nil {
		e.t.Fatal(err)
	}
	if !kept.Equal(history) {
		e.t.Fatalf("request %d: status_entered_on %s, but its history entered the status on %s", id, kept, history)
	}
	return kept.Format(domain.DateLayout)
}

// setEnteredOn moves the day request id entered its status (and its history row) to day, as if
// the change had been made then.
func (e *testEnv) setEnteredOn(id int32, day string) {
	e.t.Helper()
	_, err := e.db.Pool.Exec(context.Background(), `
		WITH latest AS (
		    SELECT h.history_id FROM validation_status_history h
		    JOIN validation_requests vr ON vr.request_id = h.request_id AND vr.status = h.to_status
		    WHERE h.request_id = $1 ORDER BY h.history_id DESC LIMIT 1
		), moved AS (
		    UPDATE validation_status_history h SET changed_at = $2::date + time '12:00' AT TIME ZONE 'UTC'
		    FROM latest WHERE h.history_id = latest.history_id
		)
		UPDATE validation_requests SET status_entered_on = $2::date WHERE request_id = $1`, id, day)
	if err != nil {
		e.t.Fatal(err)
	}
}

func addDays(day string, n int) string {
	d, err := time.Parse(domain.DateLayout, day)
	if err != nil {
		panic(err)
	}
	return d.AddDate(0, 0, n).Format(domain.DateLayout)
}

// TestRequestListFilters: each filter keeps exactly the requests it names, alone and combined,
// and every item carries its validators.
func TestRequestListFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, v := e.user(domain.RoleUser), e.user(domain.RoleValidator)
	alpha, beta := e.vrModel(owner, "Retail PD Alpha"), e.vrModel(owner, "Market VaR Beta")
	region := e.region(false).RegionID
	e.runsIn(alpha, region)

	body := vrCreateBody("COMPREHENSIVE", alpha)
	body["region_ids"] = []int32{region}
	r1 := e.vrCreate(e.admin, body).RequestID // INTAKE, HIGH, target 2027-03-31, region
	body = vrCreateBody("TARGETED", alpha)
	body["priority"], body["target_completion_date"] = "LOW", "2027-05-31"
	r2 := e.vrCreate(v, body).RequestID // INTAKE, LOW, requested by v
	r3 := e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", beta)).RequestID
	primary := e.vrPrimary(r3) // PLANNING
	reviewer := e.user(domain.RoleValidator)
	e.vrAssign(e.admin, r3, reviewer, false, true).want(http.StatusCreated)
	r4 := e.vrCreate(e.admin, vrCreateBody("TARGETED", beta)).RequestID
	e.vrSetStatus(e.admin, r4, "CANCELLED").want(http.StatusOK)

	cases := []struct {
		query string
		as    fixtureUser
		want  []int32
	}{
		{"", e.admin, []int32{r1, r2, r3, r4}},
		{"status=PLANNING", e.admin, []int32{r3}},
		{"status=INTAKE&status=PLANNING", e.admin, []int32{r1, r2, r3}},
		{"status=CANCELLED&status=APPROVED", e.admin, []int32{r4}},
		{"validation_type=TARGETED", e.admin, []int32{r2, r4}},
		{"priority=LOW", e.admin, []int32{r2}},
		{"priority=HIGH", e.admin, []int32{r1, r3, r4}},
		{fmt.Sprintf("requestor_id=%d", v.ID), e.admin, []int32{r2}},
		{fmt.Sprintf("region_id=%d", region), e.admin, []int32{r1}},
		{fmt.Sprintf("model_id=%d", beta), e.admin, []int32{r3, r4}},
		{"active=true", e.admin, []int32{r1, r2, r3}},
		{"active=false", e.admin, []int32{r4}},
		{"overdue=true&as_of=2027-04-01", e.admin, []int32{r1, r3}},
		{"overdue=true&as_of=2027-03-31", e.admin, nil},
		{"overdue=false&as_of=2027-04-01", e.admin, []int32{r2, r4}},
		{fmt.Sprintf("assigned_to=%d", primary.ID), e.admin, []int32{r3}},
		{fmt.Sprintf("assigned_to=%d&assignment_role=primary", primary.ID), e.admin, []int32{r3}},
		{fmt.Sprintf("assigned_to=%d&assignment_role=reviewer", primary.ID), e.admin, nil},
		{fmt.Sprintf("assigned_to=%d&assignment_role=reviewer", reviewer.ID), e.admin, []int32{r3}},
		{fmt.Sprintf("assigned_to=%d&assignment_role=any", reviewer.ID), e.admin, []int32{r3}},
		{"assigned_to=me", primary, []int32{r3}},
		{"assigned_to=me&assignment_role=reviewer", reviewer, []int32{r3}},
		{"assigned_to=me", v, nil},
		{"unassigned=true", e.admin, []int32{r1, r2}},
		{"unassigned=false", e.admin, []int32{r3, r4}},
		{"q=var", e.admin, []int32{r3, r4}},
		{"q=ALPHA", e.admin, []int32{r1, r2}},
		{"q=%25a", e.admin, nil}, // % is a plain character, not a wildcard
		{fmt.Sprintf("model_id=%d&active=true&priority=HIGH", beta), e.admin, []int32{r3}},
	}
	for _, c := range cases {
		if got := e.reqIDs(c.as, c.query); !slices.Equal(got, c.want) {
			t.Errorf("?%s: %v, want %v", c.query, got, c.want)
		}
	}

	items := e.reqPage(e.admin, fmt.Sprintf("model_id=%d&status=PLANNING", beta)).Items
	if len(items) != 1 {
		t.Fatalf("items %+v", items)
	}
	got := items[0]
	if got.PrimaryValidator == nil || *got.PrimaryValidator != (personAnswer{primary.ID, e.fullName(primary)}) ||
		got.Reviewer == nil || *got.Reviewer != (personAnswer{reviewer.ID, e.fullName(reviewer)}) {
		t.Fatalf("validators %+v %+v", got.PrimaryValidator, got.Reviewer)
	}
	if len(got.Models) != 1 || got.Models[0].ModelName != "Market VaR Beta" || got.RegionIDs == nil {
		t.Fatalf("models and regions %+v %+v", got.Models, got.RegionIDs)
	}
	items = e.reqPage(e.admin, fmt.Sprintf("region_id=%d", region)).Items
	if items[0].PrimaryValidator != nil || items[0].Reviewer != nil || !slices.Equal(items[0].RegionIDs, []int32{region}) {
		t.Fatalf("unassigned request %+v", items[0])
	}
}

// A list item carries the same models (with their versions, in model order) and regions as the
// request read alone.
func TestRequestListItemsCarryTheRequestsLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	m1, m2, m3 := e.vrModel(owner, "PD model"), e.vrModel(owner, "LGD model"), e.vrModel(owner, "EAD model")
	r1, r2 := e.region(false).RegionID, e.region(false).RegionID
	for _, m := range []int32{m1, m2, m3} {
		e.runsIn(m, r1)
		e.runsIn(m, r2)
	}
	v2 := e.plannedVersion(e.admin, m2, "2027-06-30")
	body := vrCreateBody("COMPREHENSIVE", m3, m2, m1)
	body["region_ids"] = []int32{r2, r1}
	body["trigger_reason"] = "recalibration"
	body["model_versions"] = map[string]any{fmt.Sprint(m2): v2}
	req := e.vrCreate(e.admin, body).RequestID
	bare := e.vrCreate(e.admin, vrCreateBody("TARGETED", m1)).RequestID
	for _, id := range []int32{req, bare} {
		var alone vrAnswer
		e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", id), owner.Token, nil).want(http.StatusOK).decode(&alone)
		var listed *listedAnswer
		for _, it := range e.reqAll(owner, fmt.Sprintf("model_id=%d", m1)) {
			if it.RequestID == id {
				listed = &it
			}
		}
		if listed == nil {
			t.Fatalf("request %d not listed", id)
		}
		if !reflect.DeepEqual(listed.Models, alone.Models) || !reflect.DeepEqual(listed.RegionIDs, alone.RegionIDs) {
			t.Errorf("request %d: listed with models %+v and regions %v, read alone with %+v and %v",
				id, listed.Models, listed.RegionIDs, alone.Models, alone.RegionIDs)
		}
	}
	var alone vrAnswer
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", req), owner.Token, nil).want(http.StatusOK).decode(&alone)
	if len(alone.Models) != 3 || alone.Models[1].VersionID == nil || *alone.Models[1].VersionID != v2 ||
		alone.Models[0].VersionID != nil || len(alone.RegionIDs) != 2 {
		t.Fatalf("the request read alone %+v", alone)
	}
}

// q is a case-insensitive substring of a model's name in which %, _ and \ are plain characters:
// the list asks it as a LIKE with those escaped, which the trigram index serves
// (migration 20261206003100), and a wildcard must never widen the search.
func TestRequestListSearchTakesWildcardsLiterally(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	request := func(name string) int32 {
		return e.vrCreate(e.admin, vrCreateBody("TARGETED", e.vrModel(owner, name))).RequestID
	}
	rate, plain, back, backless := request("Rate_10% Model"), request("Rate10 Model"), request(`Back\slash`), request("Backslash")
	cases := []struct {
		q    string
		want []int32
	}{
		{"RATE", []int32{rate, plain}},
		{"e_1", []int32{rate}},
		{"te1", []int32{plain}},
		{"0%", []int32{rate}},
		{"%m", nil},
		{`k\s`, []int32{back}},
		{"kslash", []int32{backless}},
		{"slash", []int32{back, backless}},
	}
	for _, c := range cases {
		if got := e.reqIDs(e.admin, "q="+url.QueryEscape(c.q)); !slices.Equal(got, c.want) {
			t.Errorf("q=%s: %v, want %v", c.q, got, c.want)
		}
	}
}

// TestRequestListDayCounts: days_in_status counts from the day the current status was entered,
// on both sides of it and again after a status change; a request is overdue the day after its
// target date, not on it; a closed request is never overdue.
func TestRequestListDayCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m, late := e.vrModel(e.admin, "Counted"), e.vrModel(e.admin, "Closed late")
	id := e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", m)).RequestID // target 2027-03-31
	e.setEnteredOn(id, "2027-03-01")
	closed := e.vrCreate(e.admin, vrCreateBody("TARGETED", late)).RequestID
	e.vrSetStatus(e.admin, closed, "CANCELLED").want(http.StatusOK)

	one := func(asOf string, request int32) listedAnswer {
		t.Helper()
		items := e.reqPage(e.admin, fmt.Sprintf("as_of=%s&limit=500", asOf)).Items
		for _, it := range items {
			if it.RequestID == request {
				return it
			}
		}
		t.Fatalf("request %d not listed", request)
		return listedAnswer{}
	}
	for _, c := range []struct {
		asOf        string
		days        int
		overdue     bool
		daysOverdue int
	}{
		{"2027-02-28", -1, false, 0}, // before the status was entered: the arithmetic, not a clamp
		{"2027-03-01", 0, false, 0},
		{"2027-03-02", 1, false, 0},
		{"2027-03-30", 29, false, 0},
		{"2027-03-31", 30, false, 0}, // on the target date: not overdue yet
		{"2027-04-01", 31, true, 1},  // the day after: overdue by one day
		{"2027-04-30", 60, true, 30},
	} {
		got := one(c.asOf, id)
		if got.DaysInStatus != c.days || got.IsOverdue != c.overdue || got.DaysOverdue != c.daysOverdue {
			t.Errorf("as_of %s: days_in_status %d, is_overdue %v, days_overdue %d; want %d, %v, %d",
				c.asOf, got.DaysInStatus, got.IsOverdue, got.DaysOverdue, c.days, c.overdue, c.daysOverdue)
		}
	}
	if got := one("2027-06-01", closed); got.IsOverdue || got.DaysOverdue != 0 {
		t.Errorf("closed request past its target: %+v", got)
	}

	// A status change restarts the count on the day of its history row (today, whatever today is).
	e.vrPrimary(id) // INTAKE -> PLANNING
	entered := e.enteredOn(id)
	for n, want := range map[int]int{-1: -1, 0: 0, 1: 1, 10: 10} {
		if got := one(addDays(entered, n), id); got.DaysInStatus != want || got.Status != "PLANNING" {
			t.Errorf("as_of entered%+d: %s, %d days in status, want PLANNING, %d", n, got.Status, got.DaysInStatus, want)
		}
	}
	// Putting it on hold and resuming it enters PLANNING again: the count restarts from the resume.
	e.vrSetStatus(e.admin, id, "ON_HOLD").want(http.StatusOK)
	e.setEnteredOn(id, "2027-01-01")
	if got := one("2027-01-05", id); got.DaysInStatus != 4 || got.Status != "ON_HOLD" {
		t.Errorf("on hold: %+v", got)
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/resume", id), e.admin.Token, map[string]any{}).want(http.StatusOK)
	if got := one(e.enteredOn(id), id); got.DaysInStatus != 0 || got.Status != "PLANNING" {
		t.Errorf("resumed: %+v", got)
	}
}

// TestRequestListKeysetPaging pages every sort two requests at a time while requests are created
// and statuses changed between pages: every request that existed and kept its place is listed
// exactly once, in the sort's order; the created ones at most once. Under -days_in_status a
// request whose status changes moves to the day it entered its new status (it is in a new
// status), so one already listed is listed again there, once, and one not yet listed only there.
func TestRequestListKeysetPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 9
	ids := make([]int32, n)
	targets := []string{"2027-03-31", "2027-01-15", "2027-03-31", "2027-02-01", "2027-01-15", "2027-06-30", "2027-02-01", "2027-03-31", "2027-01-15"}
	for i := range n {
		body := vrCreateBody("TARGETED", e.vrModel(e.admin, fmt.Sprintf("Paged %d", i)))
		body["target_completion_date"] = targets[i]
		ids[i] = e.vrCreate(e.admin, body).RequestID
		e.setEnteredOn(ids[i], addDays("2026-01-01", (i*5)%4)) // days repeat: ties break on request_id
	}
	for _, sort := range []string{"request_id", "-days_in_status", "target_completion_date"} {
		t.Run(sort, func(t *testing.T) {
			e := e.as(t)
			query := "sort=" + sort + "&limit=2&active=true&as_of=2027-01-01"
			before := e.reqAll(e.admin, query)
			if len(before) < n || !sortedBy(sort, before) {
				t.Fatalf("unpaged order %v", idsOf(before))
			}
			var seen []listedAnswer
			var created []int32
			changedEarly, changedLate := int32(0), int32(0)
			cursor := ""
			for pageNo := 0; ; pageNo++ {
				p := e.reqPage(e.admin, query+cursor)
				seen = append(seen, p.Items...)
				if p.NextCursor == nil {
					break
				}
				cursor = "&cursor=" + *p.NextCursor
				// Between pages: a new request, and status changes of one already listed and one not yet.
				created = append(created, e.vrCreate(e.admin, vrCreateBody("TARGETED", e.vrModel(e.admin, "Late "+strconv.Itoa(pageNo)))).RequestID)
				if pageNo == 1 {
					changedEarly = seen[0].RequestID
					changedLate = before[len(before)-1].RequestID
					for _, id := range []int32{changedEarly, changedLate} {
						e.vrSetStatus(e.admin, id, "ON_HOLD").want(http.StatusOK)
					}
				}
			}
			counts := map[int32]int{}
			for _, it := range seen {
				counts[it.RequestID]++
			}
			for _, it := range before {
				want := 1
				if sort == "-days_in_status" && it.RequestID == changedEarly {
					want = 2 // listed before the change, and again under its new day
				}
				if counts[it.RequestID] != want {
					t.Errorf("request %d listed %d times, want %d; pages %v", it.RequestID, counts[it.RequestID], want, idsOf(seen))
				}
			}
			for _, id := range created {
				if counts[id] > 1 {
					t.Errorf("created request %d listed %d times", id, counts[id])
				}
			}
			// The pages keep the sort's order, the relisted request's second listing left out.
			var ordered []listedAnswer
			listed := map[int32]bool{}
			for _, it := range seen {
				if !listed[it.RequestID] {
					ordered = append(ordered, it)
				}
				listed[it.RequestID] = true
			}
			if !sortedBy(sort, ordered) {
				t.Errorf("pages out of order: %v", idsOf(seen))
			}
			for _, id := range []int32{changedEarly, changedLate} {
				e.call(http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/resume", id), e.admin.Token, map[string]any{}).want(http.StatusOK)
				e.setEnteredOn(id, "2026-01-01")
			}
		})
	}
	// Aging is this list: the active requests longest in their status first.
	aging := e.reqAll(e.admin, "active=true&sort=-days_in_status&as_of=2027-01-01&limit=3")
	if len(aging) == 0 || aging[0].DaysInStatus < aging[len(aging)-1].DaysInStatus || !sortedBy("-days_in_status", aging) {
		t.Fatalf("aging %v", idsOf(aging))
	}
}

// sortedBy reports whether items are in the order of sort, ties by request_id.
func sortedBy(sort string, items []listedAnswer) bool {
	return slices.IsSortedFunc(items, func(a, b listedAnswer) int {
		var c int
		switch sort {
		case "-days_in_status":
			c = b.DaysInStatus - a.DaysInStatus
		case "target_completion_date":
			c = strings.Compare(a.TargetCompletionDate, b.TargetCompletionDate)
		}
		if c != 0 {
			return c
		}
		return int(a.RequestID - b.RequestID)
	})
}

func idsOf(items []listedAnswer) []int32 {
	out := make([]int32, len(items))
	for i, it := range items {
		out[i] = it.RequestID
	}
	return out
}

// TestRequestListVisibility: a USER lists only the requests of models they own or actively
// delegate for — whatever the filters, sort and format — and no one else's.
func TestRequestListVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, delegate, revoked, stranger := e.user(domain.RoleUser), e.user(domain.RoleUser), e.user(domain.RoleUser), e.user(domain.RoleUser)
	mine, delegated, other := e.vrModel(owner, "Mine"), e.vrModel(e.admin, "Delegated"), e.vrModel(e.admin, "Other")
	e.delegate(delegated, delegate)
	e.delegate(delegated, revoked)
	e.call(http.MethodDelete, fmt.Sprintf("/api/v1/models/%d/delegates/%d", delegated, revoked.ID), e.admin.Token, nil).want(http.StatusOK)
	rMine := e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", mine)).RequestID
	rBoth := e.vrCreate(e.admin, vrCreateBody("TARGETED", mine, delegated)).RequestID // two visible models: listed once
	rDelegated := e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", delegated)).RequestID
	rOther := e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", other)).RequestID

	for _, c := range []struct {
		who  fixtureUser
		want []int32
	}{
		{owner, []int32{rMine, rBoth}},
		{delegate, []int32{rBoth, rDelegated}},
		{revoked, nil},
		{stranger, nil},
		{e.admin, []int32{rMine, rBoth, rDelegated, rOther}},
	} {
		for _, query := range []string{"limit=1", "sort=-days_in_status&limit=1", "sort=target_completion_date&limit=1"} {
			if got := e.reqIDs(c.who, query); !slices.Equal(slices.Sorted(slices.Values(got)), c.want) {
				t.Errorf("user %d, ?%s: %v, want %v", c.who.ID, query, got, c.want)
			}
		}
		_, records := readCSV(t, e.call(http.MethodGet, "/api/v1/validation-requests?format=csv", c.who.Token, nil))
		if len(records) != len(c.want) {
			t.Errorf("user %d: %d CSV rows, want %d", c.who.ID, len(records), len(c.want))
		}
	}
	// Filters narrow what a USER sees; they never widen it.
	if got := e.reqIDs(owner, fmt.Sprintf("model_id=%d", other)); got != nil {
		t.Errorf("owner filtering on another model: %v", got)
	}
	if got := e.reqIDs(delegate, fmt.Sprintf("model_id=%d", mine)); !slices.Equal(got, []int32{rBoth}) {
		t.Errorf("delegate filtering on the owner's model: %v", got)
	}
	// The same rule answers a single request.
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", rOther), owner.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", rDelegated), revoked.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", rBoth), delegate.Token, nil).want(http.StatusOK)
}

// TestRequestListBadParameters: a bad value of each parameter is 400 naming it.
func TestRequestListBadParameters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.vrModel(e.admin, "Bad input")
	e.vrCreate(e.admin, vrCreateBody("COMPREHENSIVE", m))
	e.vrCreate(e.admin, vrCreateBody("TARGETED", m))
	dateCursor := *e.reqPage(e.admin, "sort=target_completion_date&limit=1").NextCursor
	for query, field := range map[string]string{
		"sort=days_in_status":                        "sort",
		"sort=-request_id":                           "sort",
		"as_of=2027-02-30":                           "as_of",
		"as_of=today":                                "as_of",
		"status=DONE":                                "status",
		"status=INTAKE&status=DONE":                  "status",
		"validation_type=FULL":                       "validation_type",
		"priority=CRITICAL":                          "priority",
		"requestor_id=abc":                           "requestor_id",
		"region_id=0":                                "region_id",
		"model_id=-1":                                "model_id",
		"active=yes":                                 "active",
		"overdue=maybe":                              "overdue",
		"overdue=true&overdue=true":                  "overdue",
		"assigned_to=you":                            "assigned_to",
		"assigned_to=me&assignment_role=lead":        "assignment_role",
		"assignment_role=primary":                    "assignment_role",
		"unassigned=1":                               "unassigned",
		"q=a":                                        "q",
		"q=" + strings.Repeat("x", 201):              "q",
		"sort=-days_in_status&cursor=" + dateCursor:  "cursor",
		"sort=request_id&cursor=" + dateCursor:       "cursor",
		"sort=target_completion_date&cursor=c1.MTIz": "cursor",
		"format=xlsx":                                "format",
	} {
		p := e.call(http.MethodGet, "/api/v1/validation-requests?"+query, e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
		if len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("?%s: errors %+v, want one naming %s", query, p.Errors, field)
		}
	}
}

// TestRequestListCSVMatchesTheJSONPages: the CSV of the list (Aging here) holds every matching
// request, more than a page, row for row as the JSON pages list them, with the validators
// flattened and the day counts at as_of.
func TestRequestListCSVMatchesTheJSONPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 7 {
		id := e.vrCreate(e.admin, vrCreateBody("TARGETED", e.vrModel(e.admin, fmt.Sprintf("=Exported %d", i)))).RequestID
		e.setEnteredOn(id, addDays("2026-11-01", i%3))
		if i%2 == 0 {
			e.vrPrimary(id)
			e.setEnteredOn(id, addDays("2026-10-01", i))
		}
	}
	query := "active=true&sort=-days_in_status&as_of=2027-04-02"
	items := e.reqAll(e.admin, query+"&limit=3")
	if len(items) != 7 {
		t.Fatalf("%d items", len(items))
	}
	res := e.call(http.MethodGet, "/api/v1/validation-requests?"+query+"&format=csv", e.admin.Token, nil)
	header, records := readCSV(t, res)
	if want := `attachment; filename="validation-requests-2027-04-02.csv"`; res.Header.Get("Content-Disposition") != want {
		t.Fatalf("disposition %q", res.Header.Get("Content-Disposition"))
	}
	wantHeader := []string{"request_id", "status", "validation_type", "priority", "requestor_id", "target_completion_date",
		"trigger_reason", "models_model_id", "models_model_name", "models_version_id", "region_ids", "created_at", "updated_at",
		"submission_received_date", "primary_validator_user_id", "primary_validator_full_name", "reviewer_user_id", "reviewer_full_name",
		"days_in_status", "is_overdue", "days_overdue"}
	if !reflect.DeepEqual(header, wantHeader) {
		t.Fatalf("header %v", header)
	}
	if len(records) != len(items) {
		t.Fatalf("%d CSV rows, %d JSON items", len(records), len(items))
	}
	for i, rec := range records {
		it := items[i]
		pvID, pvName := "", ""
		if it.PrimaryValidator != nil {
			pvID, pvName = strconv.Itoa(int(it.PrimaryValidator.UserID)), it.PrimaryValidator.FullName
		}
		want := []string{strconv.Itoa(int(it.RequestID)), it.Status, it.ValidationType, it.Priority, strconv.Itoa(int(it.RequestorID)),
			it.TargetCompletionDate, "", strconv.Itoa(int(it.Models[0].ModelID)), "'" + it.Models[0].ModelName, "", "",
			rec[11], rec[12], "", pvID, pvName, "", "", strconv.Itoa(it.DaysInStatus), strconv.FormatBool(it.IsOverdue), strconv.Itoa(it.DaysOverdue)}
		if !reflect.DeepEqual(rec, want) {
			t.Errorf("row %d: %q, want %q", i, rec, want)
		}
	}
	if records[0][18] == records[len(records)-1][18] { // days_in_status
		t.Errorf("the export does not span several days in status: %q", records)
	}
}
