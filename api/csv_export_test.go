package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"mrmflow/api"
	"mrmflow/internal/domain"
)

// readCSV parses a CSV answer into its header and records.
func readCSV(t *testing.T, r *result) ([]string, [][]string) {
	t.Helper()
	r.want(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	all, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil || len(all) == 0 {
		t.Fatalf("parse CSV: %v\n%s", err, r.Body)
	}
	return all[0], all[1:]
}

// The users directory as CSV holds every matching user — more than a page — row for row as the
// JSON pages list them, with a header of the JSON names, lists joined with ";", and text cells that
// a spreadsheet would run as a formula prefixed with an apostrophe.
func TestUsersCSVMatchesTheJSONPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.db.Pool.Exec(context.Background(), `
		INSERT INTO users (email, full_name, role)
		SELECT 'bulk' || g || '@bank.test', 'Bulk ' || g, 'VALIDATOR' FROM generate_series(1, 120) g`)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"=HYPERLINK(\"http://x\")", "+1 risky", "-2 risky", "@SUM(A1)", "\tTabbed", "Plain, with \"quotes\""} {
		e.call(http.MethodPost, "/api/v1/users", e.admin.Token, map[string]any{
			"email": fmt.Sprintf("%d@bank.test", userSeq.Add(1)), "full_name": name, "role": "VALIDATOR",
		}).want(http.StatusCreated)
	}
	e.user(domain.RoleRegionalApprover) // a user with a region

	var items []map[string]any
	cursor := ""
	for pages := 0; ; pages++ {
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor *string          `json:"next_cursor"`
		}
		e.call(http.MethodGet, "/api/v1/users?role=VALIDATOR&limit=50"+cursor, e.admin.Token, nil).want(http.StatusOK).decode(&page)
		items = append(items, page.Items...)
		if page.NextCursor == nil {
			if pages < 2 {
				t.Fatalf("only %d pages: the export must be compared over more than one", pages+1)
			}
			break
		}
		cursor = "&cursor=" + *page.NextCursor
	}

	for _, ask := range []struct {
		query   string
		headers []string
	}{
		{"?role=VALIDATOR&format=csv", nil},
		{"?role=VALIDATOR", []string{"Accept", "text/csv"}},
	} {
		res := e.call(http.MethodGet, "/api/v1/users"+ask.query, e.admin.Token, nil, ask.headers...)
		header, records := readCSV(t, res)
		if want := fmt.Sprintf(`attachment; filename="users-%s.csv"`, time.Now().UTC().Format(domain.DateLayout)); res.Header.Get("Content-Disposition") != want {
			t.Fatalf("disposition %q, want %q", res.Header.Get("Content-Disposition"), want)
		}
		wantHeader := []string{"user_id", "email", "full_name", "role", "region_ids", "disabled", "created_at"}
		if !reflect.DeepEqual(header, wantHeader) {
			t.Fatalf("header %v, want %v", header, wantHeader)
		}
		if len(records) != len(items) {
			t.Fatalf("%d CSV rows, %d JSON rows", len(records), len(items))
		}
		for i, rec := range records {
			it := items[i]
			name := it["full_name"].(string)
			if strings.ContainsAny(name[:1], "=+-@\t") {
				name = "'" + name
			}
			want := []string{fmt.Sprint(it["user_id"]), it["email"].(string), name, it["role"].(string), joinIDs(it["region_ids"]), fmt.Sprint(it["disabled"]), it["created_at"].(string)}
			if !reflect.DeepEqual(rec, want) {
				t.Fatalf("row %d: %q, want %q", i, rec, want)
			}
		}
	}
	// as_of names the file's day (the directory has no day counts to move).
	res := e.call(http.MethodGet, "/api/v1/users?role=VALIDATOR&format=csv&as_of=2027-01-25", e.admin.Token, nil)
	readCSV(t, res)
	if got := res.Header.Get("Content-Disposition"); got != `attachment; filename="users-2027-01-25.csv"` {
		t.Fatalf("disposition with as_of %q", got)
	}
	// A regional approver's regions are joined with ";".
	_, records := readCSV(t, e.call(http.MethodGet, "/api/v1/users?role=REGIONAL_APPROVER&format=csv", e.admin.Token, nil))
	if len(records) != 1 || records[0][4] == "" || strings.Contains(records[0][4], "[") {
		t.Fatalf("regional approver rows %q", records)
	}
}

func joinIDs(v any) string {
	ids, _ := v.([]any)
	parts := make([]string, len(ids))
	for i, id := range ids {
		b, _ := json.Marshal(id)
		parts[i] = string(b)
	}
	return strings.Join(parts, ";")
}

// An export over EXPORT_MAX_ROWS is refused before any row is sent, as a problem; a bad format is
// 400 naming it; a USER is refused the export as it is the list.
func TestCSVExportLimitsAndInput(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(d *api.Deps) { d.ExportMaxRows = 3 })
	for range 3 {
		e.user(domain.RoleValidator)
	}
	p := e.call(http.MethodGet, "/api/v1/users?format=csv", e.admin.Token, nil).wantProblem(http.StatusBadRequest, "export_too_large")
	if !strings.Contains(p.Detail, "4 rows") {
		t.Fatalf("detail %q", p.Detail)
	}
	_, records := readCSV(t, e.call(http.MethodGet, "/api/v1/users?role=VALIDATOR&format=csv", e.admin.Token, nil))
	if len(records) != 3 {
		t.Fatalf("%d rows at the limit, want 3", len(records))
	}
	wantField(t, e.call(http.MethodGet, "/api/v1/users?format=xml", e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), "format")
	e.call(http.MethodGet, "/api/v1/users?format=csv", e.user(domain.RoleUser).Token, nil).wantProblem(http.StatusForbidden, "forbidden")
}

// The v1 lists answer CSV too: regions, models (with their regions' columns) and a model's
// versions, each holding every row of its JSON pages, in order, with the JSON names as header.
func TestV1ListsAnswerCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, seed := range []string{
		`INSERT INTO regions (code, name) SELECT 'R' || g, '=Region ' || g FROM generate_series(1, 60) g`,
		`INSERT INTO models (model_name, description, owner_id) SELECT 'Model ' || g, '', $1 FROM generate_series(1, 60) g`,
		`INSERT INTO model_regions (model_id, region_id) SELECT m.model_id, r.region_id FROM models m CROSS JOIN (SELECT min(region_id) AS region_id FROM regions) r`,
	} {
		var args []any
		if strings.Contains(seed, "$1") {
			args = append(args, e.admin.ID)
		}
		if _, err := e.db.Pool.Exec(ctx, seed, args...); err != nil {
			t.Fatal(err)
		}
	}
	var model int32
	if err := e.db.Pool.QueryRow(ctx, `SELECT min(model_id) FROM models`).Scan(&model); err != nil {
		t.Fatal(err)
	}
	for i := range 55 {
		e.call(http.MethodPost, fmt.Sprintf("/api/v1/models/%d/versions", model), e.admin.Token, map[string]any{
			"version_number": fmt.Sprintf("1.%d", i), "change_description": "c", "scope": "GLOBAL",
		}).want(http.StatusCreated)
	}
	for _, c := range []struct {
		path, id string
		header   []string
	}{
		{"/api/v1/regions", "region_id", []string{"region_id", "code", "name", "requires_regional_approval", "created_at"}},
		{"/api/v1/models", "model_id", nil},
		{fmt.Sprintf("/api/v1/models/%d/versions", model), "version_id", nil},
		{"/api/v1/audit-logs?entity_type=model_version", "audit_id", []string{"audit_id", "entity_type", "entity_id", "action", "user_id", "changes", "created_at"}},
	} {
		var ids []string
		cursor := ""
		for {
			var page struct {
				Items      []map[string]any `json:"items"`
				NextCursor *string          `json:"next_cursor"`
			}
			e.call(http.MethodGet, withQuery(c.path, "limit=50"+cursor), e.admin.Token, nil).want(http.StatusOK).decode(&page)
			for _, it := range page.Items {
				ids = append(ids, fmt.Sprint(it[c.id]))
			}
			if page.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *page.NextCursor
		}
		if len(ids) <= 50 {
			t.Fatalf("%s: %d rows, the export must be compared over more than a page", c.path, len(ids))
		}
		header, records := readCSV(t, e.call(http.MethodGet, withQuery(c.path, "format=csv&as_of=2027-01-25"), e.admin.Token, nil))
		if header[0] != c.id || (c.header != nil && !reflect.DeepEqual(header, c.header)) {
			t.Fatalf("%s: header %v", c.path, header)
		}
		if len(records) != len(ids) {
			t.Fatalf("%s: %d CSV rows, %d JSON rows", c.path, len(records), len(ids))
		}
		for i, rec := range records {
			if rec[0] != ids[i] {
				t.Fatalf("%s: row %d is %s, JSON's is %s", c.path, i, rec[0], ids[i])
			}
		}
		if c.path == "/api/v1/regions" && records[len(records)-1][2] != "'=Region 60" {
			t.Fatalf("region name cell %q: the formula guard did not apply", records[len(records)-1][2])
		}
		if c.path == "/api/v1/models" && !slices.Contains(header, "regions_code") {
			t.Fatalf("models header %v lacks the regions' columns", header)
		}
	}
	e.call(http.MethodGet, "/api/v1/models/999999/versions?format=csv", e.admin.Token, nil).wantProblem(http.StatusNotFound, "not_found")
}

// withQuery appends query to path, after its own query string if it has one.
func withQuery(path, query string) string {
	if strings.Contains(path, "?") {
		return path + "&" + query
	}
	return path + "?" + query
}
