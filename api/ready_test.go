package api_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"mrmflow/gen"
	"mrmflow/internal/domain"
)

type readyBody struct {
	VersionID     int32  `json:"version_id"`
	VersionNumber string `json:"version_number"`
	Scope         string `json:"scope"`
	ModelID       int32  `json:"model_id"`
	Owner         struct {
		UserID   int32  `json:"user_id"`
		FullName string `json:"full_name"`
	} `json:"owner"`
	RegionID            int32  `json:"region_id"`
	RegionCode          string `json:"region_code"`
	ValidationRequestID int32  `json:"validation_request_id"`
	DaysSinceApproval   int32  `json:"days_since_approval"`
	PendingTaskID       *int32 `json:"pending_task_id"`
}

// id runs an INSERT ... RETURNING on the test's database and returns the id it gives.
func (e *testEnv) id(sql string, args ...any) int32 {
	e.t.Helper()
	var id int32
	if err := e.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

// readyVersion writes, in SQL, a version of model scoped scope (targets: a REGIONAL version's
// regions) validated by a request in status status that entered it at approvedAt (a history
// row, and the request's status_entered_on its UTC day, as the service keeps them: docs/backstops.md,
// "The day a request entered its status"; none when approvedAt is empty), and returns the version
// and request ids.
func (e *testEnv) readyVersion(model int32, scope, status, approvedAt string, targets ...int32) (version, request int32) {
	e.t.Helper()
	request = e.id(`INSERT INTO validation_requests (requestor_id, validation_type, is_targeted, priority, status, is_closed, target_completion_date)
		VALUES ($1, 'CHANGE', false, 'MEDIUM', $2, false, '2026-06-30') RETURNING request_id`, e.admin.ID, status)
	if approvedAt != "" {
		e.exec(`INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at)
			VALUES ($1, 'PENDING_APPROVAL', $2, $3, $4::timestamptz)`, request, status, e.admin.ID, approvedAt)
		e.exec(`UPDATE validation_requests SET status_entered_on = ($2::timestamptz AT TIME ZONE 'UTC')::date
			WHERE request_id = $1`, request, approvedAt)
	}
	version = e.id(`INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by, validation_request_id)
		VALUES ($1, 'v' || nextval('model_versions_version_id_seq'), 'change', $2, $3, $4) RETURNING version_id`, model, scope, e.admin.ID, request)
	for _, r := range targets {
		e.exec(`INSERT INTO model_version_regions (version_id, region_id) VALUES ($1, $2)`, version, r)
	}
	return version, request
}

// task writes a deployment task of version (region 0: global) in status.
func (e *testEnv) task(version, model, region int32, owner int32, status, planned string) int32 {
	e.t.Helper()
	var reg *int32
	if region != 0 {
		reg = &region
	}
	return e.id(`INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, status, planned_production_date,
			actual_production_date, confirmed_by_id, confirmed_at)
		VALUES ($1, $2, $3, $4, $5::deployment_task_status, $6::date,
			CASE WHEN $5 = 'CONFIRMED' THEN $6::date END, CASE WHEN $5 = 'CONFIRMED' THEN $4::int END, CASE WHEN $5 = 'CONFIRMED' THEN now() END)
		RETURNING task_id`, version, model, reg, owner, status, planned)
}

func (e *testEnv) readyPages(token, query string, limit int) []readyBody {
	e.t.Helper()
	var all []readyBody
	cursor := ""
	for {
		var p page[readyBody]
		e.call(http.MethodGet, fmt.Sprintf("/api/v1/deployments/ready?limit=%d%s%s", limit, query, cursor), token, nil).want(http.StatusOK).decode(&p)
		all = append(all, p.Items...)
		if p.NextCursor == nil {
			return all
		}
		cursor = "&cursor=" + *p.NextCursor
	}
}

type readyKey struct {
	Version, Region int32
	Days            int32
	Pending         bool
}

func keysOf(rows []readyBody) []readyKey {
	out := make([]readyKey, len(rows))
	for i, r := range rows {
		out[i] = readyKey{r.VersionID, r.RegionID, r.DaysSinceApproval, r.PendingTaskID != nil}
	}
	return out
}

// TestDeploymentsReady: GET /deployments/ready lists (version, region) pairs of APPROVED
// validations in the regions the model runs in — a REGIONAL version's target regions only —
// without a CONFIRMED task (a confirmed global task removes every region), oldest approval first,
// with days_since_approval on as_of (both sides of a day boundary) and the open task; its filters,
// a USER's visibility, keyset paging while rows are inserted, and its CSV.
func TestDeploymentsReady(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u1, u2 := e.user(domain.RoleUser), e.user(domain.RoleUser)
	rA, rB, rC, rD := e.region(false).RegionID, e.region(false).RegionID, e.region(false).RegionID, e.region(false).RegionID
	m1 := e.model(u1, rA, rB).ModelID
	m2 := e.model(u2, rA).ModelID
	m3 := e.model(u1, rA, rB, rC).ModelID

	v1, _ := e.readyVersion(m1, "GLOBAL", "APPROVED", "2026-01-10 00:00:01+00")
	e.readyVersion(m2, "GLOBAL", "PENDING_APPROVAL", "") // not approved: no row
	// REGIONAL to rB, rC and rD; the model does not run in rD; rB is confirmed, rC has an open task.
	v3, _ := e.readyVersion(m3, "REGIONAL", "APPROVED", "2026-01-05 12:00:00+00", rB, rC, rD)
	e.task(v3, m3, rB, u1.ID, "CONFIRMED", "2026-01-06")
	pendingC := e.task(v3, m3, rC, u1.ID, "PENDING", "2026-02-01")
	v4, _ := e.readyVersion(m1, "GLOBAL", "APPROVED", "2026-01-07 00:00:00+00")
	e.task(v4, m1, 0, u1.ID, "CONFIRMED", "2026-01-08") // a confirmed global task: every region done
	v5, _ := e.readyVersion(m2, "GLOBAL", "APPROVED", "2026-01-19 23:59:59+00")
	v6, _ := e.readyVersion(m1, "GLOBAL", "APPROVED", "2026-01-12 08:00:00+00")
	globalOpen := e.task(v6, m1, 0, u1.ID, "ADJUSTED", "2026-02-01") // an open global task covers each region

	want := []readyKey{
		{v3, rC, 15, true},
		{v1, rA, 10, false}, {v1, rB, 10, false},
		{v6, rA, 8, true}, {v6, rB, 8, true},
		{v5, rA, 1, false},
	}
	all := e.readyPages(e.admin.Token, "&as_of=2026-01-20", 50)
	if got := keysOf(all); !reflect.DeepEqual(got, want) {
		t.Fatalf("ready rows %+v, want %+v", got, want)
	}
	if all[0].PendingTaskID == nil || *all[0].PendingTaskID != pendingC || *all[3].PendingTaskID != globalOpen {
		t.Fatalf("pending tasks %+v", all)
	}
	if r := all[0]; r.Scope != "REGIONAL" || r.Owner.UserID != u1.ID || r.Owner.FullName == "" || r.RegionCode == "" || r.ModelID != m3 {
		t.Fatalf("row %+v", r)
	}
	// The day boundary: v5 was approved at 23:59:59 UTC on the 19th, v1 at 00:00:01 on the 10th.
	days := func(asOf string) []int32 {
		var out []int32
		for _, r := range e.readyPages(e.admin.Token, "&as_of="+asOf, 50) {
			out = append(out, r.DaysSinceApproval)
		}
		return out
	}
	if got := days("2026-01-19"); !reflect.DeepEqual(got, []int32{14, 9, 9, 7, 7, 0}) {
		t.Fatalf("days on the 19th %v", got)
	}
	if got := days("2026-01-09"); !reflect.DeepEqual(got, []int32{4, -1, -1, -3, -3, -10}) {
		t.Fatalf("days on the 9th %v", got)
	}

	// Filters.
	if got := keysOf(e.readyPages(e.admin.Token, fmt.Sprintf("&as_of=2026-01-20&model_id=%d", m1), 50)); !reflect.DeepEqual(got, want[1:5]) {
		t.Fatalf("model_id %+v", got)
	}
	if got := keysOf(e.readyPages(e.admin.Token, "&as_of=2026-01-20&has_pending_task=true", 50)); !reflect.DeepEqual(got, []readyKey{want[0], want[3], want[4]}) {
		t.Fatalf("has_pending_task=true %+v", got)
	}
	if got := keysOf(e.readyPages(e.admin.Token, "&as_of=2026-01-20&has_pending_task=false", 50)); !reflect.DeepEqual(got, []readyKey{want[1], want[2], want[5]}) {
		t.Fatalf("has_pending_task=false %+v", got)
	}
	if got := e.readyPages(e.admin.Token, "&mine=true", 50); len(got) != 0 {
		t.Fatalf("mine=true for an ADMIN owning nothing %+v", got)
	}
	// A USER sees its models' rows only, with or without mine; a delegate sees the model's.
	u1Rows := []readyKey{want[0], want[1], want[2], want[3], want[4]}
	for _, q := range []string{"&as_of=2026-01-20", "&as_of=2026-01-20&mine=true"} {
		if got := keysOf(e.readyPages(u1.Token, q, 50)); !reflect.DeepEqual(got, u1Rows) {
			t.Fatalf("u1 %s: %+v", q, got)
		}
	}
	if got := keysOf(e.readyPages(u2.Token, "&as_of=2026-01-20", 50)); !reflect.DeepEqual(got, want[5:]) {
		t.Fatalf("u2 %+v", got)
	}
	if got := e.readyPages(u2.Token, fmt.Sprintf("&model_id=%d", m1), 50); len(got) != 0 {
		t.Fatalf("u2 reads another owner's model %+v", got)
	}
	e.delegate(m2, u1)
	if got := keysOf(e.readyPages(u1.Token, "&as_of=2026-01-20&mine=true", 50)); !reflect.DeepEqual(got, want) {
		t.Fatalf("u1 as delegate of m2 %+v", got)
	}

	// The CSV export's count (DeploymentReadyCount: the models' ready counts without
	// has_pending_task, the view with it) is the number of rows the list pages hold, for every
	// filter it takes.
	yes, no := true, false
	for _, c := range []struct {
		name  string
		query string
		token string
		p     gen.DeploymentReadyCountParams
	}{
		{"every row", "", e.admin.Token, gen.DeploymentReadyCountParams{}},
		{"model_id", fmt.Sprintf("&model_id=%d", m1), e.admin.Token, gen.DeploymentReadyCountParams{ModelID: &m1}},
		{"has_pending_task=true", "&has_pending_task=true", e.admin.Token, gen.DeploymentReadyCountParams{HasPendingTask: &yes}},
		{"has_pending_task=false", "&has_pending_task=false", e.admin.Token, gen.DeploymentReadyCountParams{HasPendingTask: &no}},
		{"u1's models", "", u1.Token, gen.DeploymentReadyCountParams{ModelIds: []int32{m1, m2, m3}}},
		{"u1's models with a pending task", "&has_pending_task=true", u1.Token, gen.DeploymentReadyCountParams{HasPendingTask: &yes, ModelIds: []int32{m1, m2, m3}}},
		{"no model", "&mine=true", e.admin.Token, gen.DeploymentReadyCountParams{ModelIds: []int32{}}},
	} {
		n, err := gen.New(e.db.Pool).DeploymentReadyCount(context.Background(), c.p)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if rows := len(e.readyPages(c.token, c.query, 50)); n != int64(rows) {
			t.Errorf("%s: the export counts %d rows, the list holds %d", c.name, n, rows)
		}
	}

	// Paging by keyset while rows are inserted: a row sorting before the cursor never shows up,
	// one after it does, nothing twice, nothing missed.
	var p1 page[readyBody]
	e.call(http.MethodGet, "/api/v1/deployments/ready?as_of=2026-01-20&limit=2", e.admin.Token, nil).want(http.StatusOK).decode(&p1)
	if p1.NextCursor == nil || !reflect.DeepEqual(keysOf(p1.Items), want[:2]) {
		t.Fatalf("page 1 %+v", p1)
	}
	e.readyVersion(m2, "GLOBAL", "APPROVED", "2026-01-01 00:00:00+00") // before the cursor
	late, _ := e.readyVersion(m2, "GLOBAL", "APPROVED", "2026-01-20 10:00:00+00")
	var rest []readyBody
	cursor := *p1.NextCursor
	for {
		var p page[readyBody]
		e.call(http.MethodGet, "/api/v1/deployments/ready?as_of=2026-01-20&limit=2&cursor="+cursor, e.admin.Token, nil).want(http.StatusOK).decode(&p)
		rest = append(rest, p.Items...)
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	if got := keysOf(rest); !reflect.DeepEqual(got, append(append([]readyKey{}, want[2:]...), readyKey{late, rA, 0, false})) {
		t.Fatalf("pages after the inserts %+v", got)
	}

	// Strict query.
	for q, field := range map[string]string{
		"?as_of=2026-13-01": "as_of", "?mine=yes": "mine", "?model_id=0": "model_id", "?has_pending_task=1": "has_pending_task",
		"?sort=x": "sort", "?limit=1&limit=2": "limit", "?cursor=c1.bm9wZQ": "cursor",
	} {
		wantField(t, e.call(http.MethodGet, "/api/v1/deployments/ready"+q, e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), field)
	}

	// The CSV holds the JSON pages' rows, in order.
	json := e.readyPages(e.admin.Token, "&as_of=2026-01-20", 3)
	res := e.call(http.MethodGet, "/api/v1/deployments/ready?as_of=2026-01-20&format=csv", e.admin.Token, nil)
	header, records := readCSV(t, res)
	if res.Header.Get("Content-Disposition") != `attachment; filename="deployments-ready-2026-01-20.csv"` {
		t.Fatalf("disposition %q", res.Header.Get("Content-Disposition"))
	}
	wantHeader := []string{"version_id", "version_number", "scope", "model_id", "model_name", "owner_user_id", "owner_full_name",
		"region_id", "region_code", "validation_request_id", "validation_approved_at", "days_since_approval", "pending_task_id"}
	if !reflect.DeepEqual(header, wantHeader) {
		t.Fatalf("header %v", header)
	}
	if len(records) != len(json) || len(json) <= 3 {
		t.Fatalf("%d CSV rows, %d JSON rows", len(records), len(json))
	}
	for i, rec := range records {
		j := json[i]
		pending := ""
		if j.PendingTaskID != nil {
			pending = fmt.Sprint(*j.PendingTaskID)
		}
		if rec[0] != fmt.Sprint(j.VersionID) || rec[7] != fmt.Sprint(j.RegionID) || rec[11] != fmt.Sprint(j.DaysSinceApproval) || rec[12] != pending || rec[5] != fmt.Sprint(j.Owner.UserID) {
			t.Fatalf("CSV row %d %q, JSON %+v", i, rec, j)
		}
	}
	_, u2csv := readCSV(t, e.call(http.MethodGet, "/api/v1/deployments/ready?format=csv", u2.Token, nil))
	if len(u2csv) != 3 { // v5 and the two inserted, all of m2
		t.Fatalf("u2 CSV rows %q", u2csv)
	}
}

// TestDeploymentsReadyOfARequestAcrossOwners: a USER's list is given its models and the requests
// their versions point to (DeploymentReadyCallerModels). A request that validates versions of two
// owners' models is in both owners' request arrays, and each still lists only its own model's
// rows; a version moved to a newer request leaves the older one's rows; and a USER's keyset pages
// are its whole list, in order, nothing twice.
func TestDeploymentsReadyOfARequestAcrossOwners(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u1, u2 := e.user(domain.RoleUser), e.user(domain.RoleUser)
	rA, rB := e.region(false).RegionID, e.region(false).RegionID
	m1 := e.model(u1, rA, rB).ModelID
	m2 := e.model(u2, rA).ModelID

	// One request validating a version of m1 and one of m2.
	v1, shared := e.readyVersion(m1, "GLOBAL", "APPROVED", "2026-01-05 09:00:00+00")
	v2, _ := e.readyVersion(m2, "GLOBAL", "APPROVED", "2026-01-02 09:00:00+00")
	e.exec(`UPDATE model_versions SET validation_request_id = $1 WHERE version_id = $2`, shared, v2)
	v3, _ := e.readyVersion(m1, "GLOBAL", "APPROVED", "2026-01-03 09:00:00+00")
	v4, _ := e.readyVersion(m1, "GLOBAL", "APPROVED", "2026-01-07 09:00:00+00")

	all := []readyKey{{v3, rA, 17, false}, {v3, rB, 17, false}, {v1, rA, 15, false}, {v1, rB, 15, false},
		{v2, rA, 15, false}, {v4, rA, 13, false}, {v4, rB, 13, false}}
	if got := keysOf(e.readyPages(e.admin.Token, "&as_of=2026-01-20", 50)); !reflect.DeepEqual(got, all) {
		t.Fatalf("ADMIN %+v, want %+v", got, all)
	}
	u1Rows := []readyKey{all[0], all[1], all[2], all[3], all[5], all[6]}
	for _, limit := range []int{50, 1, 2, 3} {
		if got := keysOf(e.readyPages(u1.Token, "&as_of=2026-01-20", limit)); !reflect.DeepEqual(got, u1Rows) {
			t.Fatalf("u1, pages of %d: %+v, want %+v", limit, got, u1Rows)
		}
	}
	if got := keysOf(e.readyPages(u2.Token, "&as_of=2026-01-20&mine=true", 1)); !reflect.DeepEqual(got, all[4:5]) {
		t.Fatalf("u2 %+v", got)
	}

	// The newest request wins: v1 moves to a new, not yet approved request and leaves the list.
	_, newer := e.readyVersion(m1, "GLOBAL", "IN_PROGRESS", "")
	e.exec(`UPDATE model_versions SET validation_request_id = $1 WHERE version_id = $2`, newer, v1)
	want := []readyKey{all[0], all[1], all[5], all[6]}
	if got := keysOf(e.readyPages(u1.Token, "&as_of=2026-01-20", 2)); !reflect.DeepEqual(got, want) {
		t.Fatalf("u1 after v1 moved %+v, want %+v", got, want)
	}
	_, csv := readCSV(t, e.call(http.MethodGet, "/api/v1/deployments/ready?format=csv", u1.Token, nil))
	if len(csv) != len(want) {
		t.Fatalf("u1 CSV rows %q", csv)
	}
}
