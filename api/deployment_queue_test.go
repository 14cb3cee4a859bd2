package api_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"testing"
)

// listedTask is a task as the task list shows it.
type listedTask struct {
	deploymentTask
	ModelName                string  `json:"model_name"`
	VersionNumber            string  `json:"version_number"`
	RegionCode               *string `json:"region_code"`
	DaysUntilDue             int     `json:"days_until_due"`
	ValidationStatus         *string `json:"validation_status"`
	RequiresRegionalApproval bool    `json:"requires_regional_approval"`
}

// taskPages reads every page of the task list at path (a query string without cursor) as token.
func (e *testEnv) taskPages(path, token string) (ids []int32, items []listedTask, pages int) {
	e.t.Helper()
	cursor := ""
	for {
		var page struct {
			Items      []listedTask `json:"items"`
			NextCursor *string      `json:"next_cursor"`
		}
		e.call(http.MethodGet, path+cursor, token, nil).want(http.StatusOK).decode(&page)
		pages++
		for _, it := range page.Items {
			ids = append(ids, it.TaskID)
		}
		items = append(items, page.Items...)
		if page.NextCursor == nil {
			return ids, items, pages
		}
		cursor = "&cursor=" + *page.NextCursor
	}
}

// queueSetup is a model (owned by owner) running in a region requiring approval and in a plain
// one, with one version per planned date (days after asOf) each with a task in the first region,
// a CONFIRMED task planned 5 days before asOf, and a task in the plain region; the first version
// is linked to an APPROVED validation of no region. It returns the task ids by offset, the
// confirmed task and the plain-region task.
func (e *testEnv) queueSetup(owner fixtureUser, asOf string, offsets []int) (byOffset map[int]int32, confirmed, plain int32, modelID int32) {
	e.t.Helper()
	regions, modelID, versionID := e.deploymentSetup(owner)
	ctx := context.Background()
	pool := e.db.Pool
	var request int32
	if err := pool.QueryRow(ctx, `INSERT INTO validation_requests (requestor_id, validation_type, priority, status, target_completion_date)
		VALUES ($1, 'CHANGE', 'MEDIUM', 'APPROVED', '2027-01-31') RETURNING request_id`, e.admin.ID).Scan(&request); err != nil {
		e.t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE model_versions SET validation_request_id = $1 WHERE version_id = $2`, request, versionID); err != nil {
		e.t.Fatal(err)
	}
	task := func(version, region int32, planned string, extra int) int32 {
		var id int32
		if err := pool.QueryRow(ctx, `INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, planned_production_date)
			VALUES ($1, $2, $3, $4, $5::date + $6::int) RETURNING task_id`, version, modelID, region, owner.ID, planned, extra).Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		return id
	}
	version := func() int32 {
		var id int32
		if err := pool.QueryRow(ctx, `INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by)
			VALUES ($1, $2, 'c', 'GLOBAL', $3) RETURNING version_id`, modelID, fmt.Sprintf("3.%d", userSeq.Add(1)), owner.ID).Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		return id
	}
	byOffset = map[int]int32{}
	for i, off := range offsets {
		v := versionID
		if i > 0 {
			v = version()
		}
		byOffset[off] = task(v, regions[0], asOf, off)
	}
	confirmed = task(version(), regions[0], asOf, -5)
	if _, err := pool.Exec(ctx, `UPDATE version_deployment_tasks SET status = 'CONFIRMED', actual_production_date = planned_production_date,
		confirmed_by_id = assigned_to_id, confirmed_at = now() WHERE task_id = $1`, confirmed); err != nil {
		e.t.Fatal(err)
	}
	plain = task(versionID, regions[1], asOf, 30)
	return byOffset, confirmed, plain, modelID
}

// The task list's new fields, its due filter on both sides of each boundary (moving as_of by a
// day moves a task across), mine for the owner, a delegate, a stranger and an ADMIN, and a
// USER's visibility.
func TestDeploymentTaskQueueFieldsDueMine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, delegate, stranger := e.user("USER"), e.user("USER"), e.user("USER")
	offsets := []int{-1, 0, 1, 7, 8}
	tasks, confirmed, plain, modelID := e.queueSetup(owner, "2027-01-10", offsets)
	if _, err := e.db.Pool.Exec(context.Background(), `INSERT INTO model_delegates (model_id, user_id, granted_by) VALUES ($1, $2, $3)`,
		modelID, delegate.ID, owner.ID); err != nil {
		t.Fatal(err)
	}

	_, items, _ := e.taskPages("/api/v1/deployment-tasks?as_of=2027-01-10&limit=3", owner.Token)
	if len(items) != len(offsets)+2 {
		t.Fatalf("%d tasks, want %d", len(items), len(offsets)+2)
	}
	byID := map[int32]listedTask{}
	for _, it := range items {
		byID[it.TaskID] = it
	}
	for _, off := range offsets {
		it := byID[tasks[off]]
		if it.DaysUntilDue != off || it.ModelName != "Pricing" || it.VersionNumber == "" || it.RegionCode == nil || !it.RequiresRegionalApproval {
			t.Fatalf("task at %+d = %+v", off, it)
		}
	}
	if first := byID[tasks[-1]]; first.ValidationStatus == nil || *first.ValidationStatus != "APPROVED" || first.VersionNumber != "2.0" {
		t.Fatalf("linked version's task = %+v", first)
	}
	if other := byID[tasks[0]]; other.ValidationStatus != nil {
		t.Fatalf("unlinked version's task = %+v", other)
	}
	// The plain region requires no approval; the first region is outside the validation's (none).
	if p := byID[plain]; p.RequiresRegionalApproval || p.DaysUntilDue != 30 {
		t.Fatalf("plain-region task = %+v", p)
	}

	due := func(asOf, window string) []int32 {
		ids, _, _ := e.taskPages("/api/v1/deployment-tasks?due="+window+"&as_of="+asOf, owner.Token)
		return ids
	}
	for _, c := range []struct {
		asOf, window string
		want         []int32
	}{
		// as_of 2027-01-10: -1 overdue, 0 today, 1 and 7 this week, 8 and the plain task later;
		// the confirmed task (-5) is in no window.
		{"2027-01-10", "overdue", []int32{tasks[-1]}},
		{"2027-01-10", "today", []int32{tasks[0]}},
		{"2027-01-10", "week", []int32{tasks[1], tasks[7]}},
		{"2027-01-10", "later", []int32{tasks[8], plain}},
		// A day later every task moves one window edge: 0 is overdue, 1 today, 8 this week.
		{"2027-01-11", "overdue", []int32{tasks[-1], tasks[0]}},
		{"2027-01-11", "today", []int32{tasks[1]}},
		{"2027-01-11", "week", []int32{tasks[7], tasks[8]}},
		{"2027-01-11", "later", []int32{plain}},
		// A day earlier: -1 is today, 0 this week, 7 later.
		{"2027-01-09", "overdue", nil},
		{"2027-01-09", "today", []int32{tasks[-1]}},
		{"2027-01-09", "week", []int32{tasks[0], tasks[1]}},
		{"2027-01-09", "later", []int32{tasks[7], tasks[8], plain}},
	} {
		if got := due(c.asOf, c.window); !reflect.DeepEqual(got, c.want) {
			t.Fatalf("due=%s as_of=%s: %v, want %v", c.window, c.asOf, got, c.want)
		}
	}
	if byID[confirmed].Status != "CONFIRMED" {
		t.Fatalf("confirmed task = %+v", byID[confirmed])
	}

	count := func(path, token string) int {
		ids, _, _ := e.taskPages(path, token)
		return len(ids)
	}
	all := len(offsets) + 2
	for _, c := range []struct {
		who   string
		token string
		path  string
		want  int
	}{
		{"owner mine", owner.Token, "/api/v1/deployment-tasks?mine=true", all},
		{"delegate mine", delegate.Token, "/api/v1/deployment-tasks?mine=true", all},
		{"delegate list", delegate.Token, "/api/v1/deployment-tasks", all},
		{"stranger mine", stranger.Token, "/api/v1/deployment-tasks?mine=true", 0},
		{"stranger list", stranger.Token, "/api/v1/deployment-tasks", 0},
		{"admin list", e.admin.Token, "/api/v1/deployment-tasks", all},
		{"admin mine", e.admin.Token, "/api/v1/deployment-tasks?mine=true", 0},
		{"owner mine=false", owner.Token, "/api/v1/deployment-tasks?mine=false", all},
		{"delegate mine overdue", delegate.Token, "/api/v1/deployment-tasks?mine=true&due=overdue&as_of=2027-01-10", 1},
	} {
		if got := count(c.path, c.token); got != c.want {
			t.Fatalf("%s: %d tasks, want %d", c.who, got, c.want)
		}
	}
	// A revoked delegate acts on nothing any more.
	if _, err := e.db.Pool.Exec(context.Background(), `UPDATE model_delegates SET revoked_at = now() WHERE user_id = $1`, delegate.ID); err != nil {
		t.Fatal(err)
	}
	if got := count("/api/v1/deployment-tasks?mine=true", delegate.Token); got != 0 {
		t.Fatalf("revoked delegate mine: %d tasks", got)
	}
}

// Sorted by planned date, pages follow (planned date, task id) with no gap and no duplicate while
// tasks are inserted between pages; bad values are 400 naming the parameter; the CSV equals the
// JSON pages row for row.
func TestDeploymentTaskQueueSortPagingCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user("USER")
	tasks, _, _, _ := e.queueSetup(owner, "2027-01-10", []int{5, -3, 2, 9, 0, 14, -1})
	_, want, _ := e.taskPages("/api/v1/deployment-tasks?sort=planned_production_date&limit=100", owner.Token)
	for i := 1; i < len(want); i++ {
		a, b := want[i-1], want[i]
		if a.PlannedProductionDate > b.PlannedProductionDate || (a.PlannedProductionDate == b.PlannedProductionDate && a.TaskID > b.TaskID) {
			t.Fatalf("not in (planned date, task id) order: %+v then %+v", a, b)
		}
	}

	// Page by 2; after the first page, insert a task planned before the cursor (not listed: it
	// sorts before the pages already read) and one planned after (listed once).
	path := "/api/v1/deployment-tasks?sort=planned_production_date&limit=2"
	var page struct {
		Items      []listedTask `json:"items"`
		NextCursor *string      `json:"next_cursor"`
	}
	e.call(http.MethodGet, path, owner.Token, nil).want(http.StatusOK).decode(&page)
	seen := []int32{page.Items[0].TaskID, page.Items[1].TaskID}
	var early, late int32
	for _, q := range []struct {
		id  *int32
		off int
	}{{&early, -30}, {&late, 100}} {
		// A new version of the same model, with a task in the same region.
		if err := e.db.Pool.QueryRow(context.Background(), `WITH v AS (
				INSERT INTO model_versions (model_id, version_number, change_description, scope, created_by)
				SELECT model_id, 'x' || ($2::int)::text, 'c', 'GLOBAL', assigned_to_id FROM version_deployment_tasks WHERE task_id = $1 RETURNING version_id)
			INSERT INTO version_deployment_tasks (version_id, model_id, region_id, assigned_to_id, planned_production_date)
			SELECT v.version_id, t.model_id, t.region_id, t.assigned_to_id, DATE '2027-01-10' + $2::int FROM version_deployment_tasks t, v WHERE t.task_id = $1
			RETURNING task_id`, tasks[0], q.off).Scan(q.id); err != nil {
			t.Fatal(err)
		}
	}
	for page.NextCursor != nil {
		cur := *page.NextCursor
		page.Items, page.NextCursor = nil, nil
		e.call(http.MethodGet, path+"&cursor="+cur, owner.Token, nil).want(http.StatusOK).decode(&page)
		for _, it := range page.Items {
			seen = append(seen, it.TaskID)
		}
	}
	wantIDs := []int32{}
	for _, it := range want {
		wantIDs = append(wantIDs, it.TaskID)
	}
	wantIDs = append(wantIDs, late)
	if !reflect.DeepEqual(seen, wantIDs) {
		t.Fatalf("pages with inserts between them: %v, want %v (early %d)", seen, wantIDs, early)
	}

	// Bad values, each named.
	for param, query := range map[string]string{
		"due":     "due=soon",
		"sort":    "sort=name",
		"as_of":   "as_of=2027-13-01",
		"mine":    "mine=yes",
		"cursor":  "sort=planned_production_date&cursor=c1.MC4xMA", // a sort=task_id position ("0.10")
		"unknown": "unknown=1",
		"status":  "status=PENDING&status=ADJUSTED",
	} {
		p := e.call(http.MethodGet, "/api/v1/deployment-tasks?"+query, owner.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
		wantField(t, p, param)
	}

	// The CSV of more rows than a page equals the JSON pages, in the same sort.
	ids, items, pages := e.taskPages("/api/v1/deployment-tasks?sort=planned_production_date&as_of=2027-01-10&limit=3", owner.Token)
	if pages < 2 {
		t.Fatalf("only %d page", pages)
	}
	res := e.call(http.MethodGet, "/api/v1/deployment-tasks?sort=planned_production_date&as_of=2027-01-10&format=csv", owner.Token, nil)
	header, records := readCSV(t, res)
	if d := res.Header.Get("Content-Disposition"); d != `attachment; filename="deployment-tasks-2027-01-10.csv"` {
		t.Fatalf("disposition %q", d)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	if len(records) != len(ids) {
		t.Fatalf("%d CSV rows, %d JSON rows", len(records), len(ids))
	}
	for i, rec := range records {
		it := items[i]
		code := ""
		if it.RegionCode != nil {
			code = *it.RegionCode
		}
		got := []string{rec[col["task_id"]], rec[col["planned_production_date"]], rec[col["days_until_due"]], rec[col["model_name"]], rec[col["region_code"]], rec[col["requires_regional_approval"]]}
		wantRow := []string{strconv.Itoa(int(it.TaskID)), it.PlannedProductionDate, strconv.Itoa(it.DaysUntilDue), it.ModelName, code, strconv.FormatBool(it.RequiresRegionalApproval)}
		if !reflect.DeepEqual(got, wantRow) {
			t.Fatalf("row %d: %q, want %q", i, got, wantRow)
		}
	}
}

// Deploy now over HTTP: 201 with the tasks CONFIRMED in a create's shape; the confirmation's
// fields without deploy_now are 400 naming them; an unapproved validation without a reason is
// 409 validation_not_approved.
func TestDeployNowHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user("USER")
	regions, _, versionID := e.deploymentSetup(owner)
	path := fmt.Sprintf("/api/v1/versions/%d/deployments", versionID)
	target := []map[string]any{{"region_id": regions[0], "planned_production_date": "2026-12-01"}}

	p := e.call(http.MethodPost, path, owner.Token, map[string]any{"targets": target, "actual_production_date": "2026-12-02"}).
		wantProblem(http.StatusBadRequest, "invalid_request")
	wantField(t, p, "actual_production_date")
	wantField(t, e.call(http.MethodPost, path, owner.Token, map[string]any{"targets": target, "deploy_now": true}).
		wantProblem(http.StatusBadRequest, "invalid_request"), "actual_production_date")

	var created struct {
		Tasks                    []deploymentTask `json:"tasks"`
		RegionsRequiringApproval []string         `json:"regions_requiring_approval"`
	}
	body := map[string]any{"targets": target, "deploy_now": true, "actual_production_date": "2026-12-02", "confirmation_notes": "live"}
	first := e.call(http.MethodPost, path, owner.Token, body, "Idempotency-Key", "now-1").want(http.StatusCreated)
	first.decode(&created)
	if len(created.Tasks) != 1 || created.Tasks[0].Status != "CONFIRMED" || created.Tasks[0].ActualProductionDate == nil ||
		*created.Tasks[0].ActualProductionDate != "2026-12-02" || len(created.RegionsRequiringApproval) != 1 {
		t.Fatalf("deploy now = %+v", created)
	}
	replay := e.call(http.MethodPost, path, owner.Token, body, "Idempotency-Key", "now-1").want(http.StatusCreated)
	if string(replay.Body) != string(first.Body) {
		t.Fatalf("replay %s != %s", replay.Body, first.Body)
	}

	// A version whose validation is in progress: refused without a reason, and nothing is created.
	ctx := context.Background()
	if _, err := e.db.Pool.Exec(ctx, `WITH r AS (INSERT INTO validation_requests (requestor_id, validation_type, priority, status, target_completion_date)
			VALUES ($1, 'CHANGE', 'MEDIUM', 'IN_PROGRESS', '2027-01-31') RETURNING request_id)
		UPDATE model_versions SET validation_request_id = (SELECT request_id FROM r) WHERE version_id = $2`, e.admin.ID, versionID); err != nil {
		t.Fatal(err)
	}
	second := map[string]any{"targets": []map[string]any{{"region_id": regions[1], "planned_production_date": "2026-12-01"}}, "deploy_now": true, "actual_production_date": "2026-12-02"}
	e.call(http.MethodPost, path, owner.Token, second).wantProblem(http.StatusConflict, "validation_not_approved")
	var n int
	if err := e.db.Pool.QueryRow(ctx, `SELECT count(*) FROM version_deployment_tasks WHERE version_id = $1`, versionID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d tasks after the refusal (%v), want 1", n, err)
	}
	second["validation_override_reason"] = "deadline"
	e.call(http.MethodPost, path, owner.Token, second).want(http.StatusCreated).decode(&created)
	if !created.Tasks[0].DeployedBeforeValidationApproved || created.Tasks[0].Status != "CONFIRMED" {
		t.Fatalf("override = %+v", created.Tasks[0])
	}
}
