package queues

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"mrmflow/bench/pgbench"
)

// bigTables are the tables that grow with the inventory: a page must not read one by a Seq Scan.
var bigTables = []string{
	"validation_requests", "validation_request_models", "validation_assignments", "validation_approvals",
	"version_deployment_tasks", "audit_logs", "model_versions",
}

// explainBindings are the list and report queries of this build with the values of the pages the
// driver measures (probes.go), several where callers differ.
var explainBindings = []struct {
	Label string
	Query *directQuery
}{
	{"as ADMIN, first page", listRequests(nil)},
	{"as USER 156 (visible_to)", listRequests(map[string]string{"visible_to": "156"})},
	{"active=true", listRequests(map[string]string{"active": "true"})},
	{"mine, GLOBAL_APPROVER 106", listApprovals("GLOBAL_APPROVER", 106)},
	{"mine, REGIONAL_APPROVER 126", listApprovals("REGIONAL_APPROVER", 126)},
	{"USER 156 (not see_all)", listTasks(156)},
	{"status=PENDING, as ADMIN (the CSV export's filter)", &directQuery{"DeploymentTaskList", map[string]string{
		"after_id": "0", "status": "'PENDING'", "assigned_to_id": "NULL", "model_id": "NULL", "see_all": "true", "user_id": "1", "page_limit": "1001"}}},
	{"first page", probeDirect("users")},
	{"first page, every kind", probeDirect("report: rule exceptions")},
}

// isListOrReport picks, among the queries of sql/, those that back a queue or a report page: lists
// (…List), reports (Report…), and the v1.2 names (…Queue, …Summary, …Ready…, …Workload…).
var isListOrReport = regexp.MustCompile(`List$|^Report|Queue|Summary|Ready|Workload|PendingAssign|OutOfOrder`)

// Explain is one query's plan on the seeded database.
type Explain struct {
	Query, Label string
	Plan         string
	// SeqScans are the big tables the plan reads by a Seq Scan; Note explains a query not run.
	SeqScans []string
	Note     string
}

var seqScan = regexp.MustCompile(`Seq Scan on (\w+)`)

// explainAll EXPLAINs (ANALYZE, BUFFERS) every binding above, then every other list or report
// query of sql/ with default values (binder.go), noting those it cannot bind.
func explainAll(ctx context.Context, conn *pgx.Conn, queries pgbench.Queries, asOf string) ([]Explain, error) {
	var out []Explain
	done := map[string]bool{}
	for _, b := range explainBindings {
		done[b.Query.Query] = true
		out = append(out, explainOne(ctx, conn, queries, b.Query.Query, b.Label, b.Query.Args, asOf))
	}
	names := make([]string, 0, len(queries))
	for name := range queries {
		if !done[name] && isListOrReport.MatchString(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		out = append(out, explainOne(ctx, conn, queries, name, "default values (binder.go)", nil, asOf))
	}
	return out, nil
}

func explainOne(ctx context.Context, conn *pgx.Conn, queries pgbench.Queries, name, label string, args map[string]string, asOf string) Explain {
	e := Explain{Query: name, Label: label}
	text, err := bind(queries, name, args, asOf)
	if err != nil {
		e.Note = err.Error()
		return e
	}
	rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+text)
	if err != nil {
		e.Note = fmt.Sprintf("EXPLAIN failed: %v", err)
		return e
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		e.Note = fmt.Sprintf("EXPLAIN failed: %v", err)
		return e
	}
	e.Plan = strings.Join(lines, "\n")
	for _, m := range seqScan.FindAllStringSubmatch(e.Plan, -1) {
		if slices.Contains(bigTables, m[1]) && !slices.Contains(e.SeqScans, m[1]) {
			e.SeqScans = append(e.SeqScans, m[1])
		}
	}
	return e
}
