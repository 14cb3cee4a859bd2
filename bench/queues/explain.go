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
	"version_deployment_tasks", "audit_logs", "model_versions", "validation_status_history",
	"validation_request_regions", "models", "model_regions",
}

// explainBinding is one query of sql/ with the values of a page or an export the driver measures.
type explainBinding struct {
	Label string
	Query *directQuery
}

// explainBindings are the page query of every probe and the ...Count its CSV export runs first,
// with the probe's values (a Count query takes the page's filters and ignores its position), the
// CSV exports' count and chunk queries, and the request list's two follow-up reads of a page.
// Bindings whose bound text is the same as an earlier one's are EXPLAINed once (explainAll).
func explainBindings() []explainBinding {
	var out []explainBinding
	for _, p := range probes {
		if p.Direct == nil {
			continue
		}
		label := p.Name + ", as " + p.Caller
		out = append(out, explainBinding{label, p.Direct})
		if p.Direct.Count != "" {
			out = append(out, explainBinding{"CSV count of " + label, &directQuery{p.Direct.Count, p.Direct.Args, ""}})
		}
	}
	for _, e := range csvExports {
		out = append(out, explainBinding{"CSV export " + e.Name + " (count)", e.Count},
			explainBinding{"CSV export " + e.Name + " (a chunk of 1,000)", e.Page})
	}
	firstPage := make([]string, 51)
	for i := range firstPage {
		firstPage[i] = fmt.Sprint(i + 1)
	}
	ids := "'{" + strings.Join(firstPage, ",") + "}'"
	out = append(out,
		explainBinding{"a page's models (request ids 1..51)", &directQuery{"ValidationRequestModelsForRequests", map[string]string{"request_ids": ids}, ""}},
		explainBinding{"a page's regions (request ids 1..51)", &directQuery{"ValidationRequestRegionsForRequests", map[string]string{"request_ids": ids}, ""}},
		explainBinding{"model 1's versions", &directQuery{"ModelVersionList", map[string]string{"model_id": "1", "after_id": "0", "page_limit": "51"}, ""}},
	)
	return out
}

// isListOrReport picks, among the queries of sql/, those that back a queue or a report page: lists
// (…List), reports (Report…) and the v1.2 names (…Queue, …Summary, …Ready…).
var isListOrReport = regexp.MustCompile(`List$|ListBy|^Report|Queue|Summary|Ready`)

// Explain is one query's plan on the seeded database: the custom plan of its values (the
// literals bound in the text), and the generic plan a prepared statement may switch to.
type Explain struct {
	Query, Label string
	Plan         string
	// SeqScans are the big tables the plan reads by a Seq Scan; Note explains a query not run.
	SeqScans []string
	Note     string
	// Generic is the same statement PREPAREd with $n parameters as pgx prepares it for the
	// service and EXPLAINed under plan_cache_mode = force_generic_plan with the same values;
	// GenericSeqScans its Seq Scans of big tables; Choice what plan_cache_mode = auto (the
	// server's default) chose by the sixth execution (pg_prepared_statements' counts);
	// GenericNote why any of it is missing.
	Generic         string
	GenericSeqScans []string
	Choice          string
	GenericNote     string
}

// CustomTime and GenericTime are the plans' Execution Time lines ("" when absent).
func (e Explain) CustomTime() string  { return executionTime(e.Plan) }
func (e Explain) GenericTime() string { return executionTime(e.Generic) }

var seqScan = regexp.MustCompile(`Seq Scan on (\w+)`)

var execTime = regexp.MustCompile(`Execution Time: ([0-9.]+ ms)`)

func executionTime(plan string) string {
	if m := execTime.FindStringSubmatch(plan); m != nil {
		return m[1]
	}
	return ""
}

// explainAll EXPLAINs (ANALYZE, BUFFERS) every binding above, then every other list, report or
// count query of sql/ with default values (binder.go), noting those it cannot bind.
func explainAll(ctx context.Context, conn *pgx.Conn, queries pgbench.Queries, asOf string) ([]Explain, error) {
	var out []Explain
	done := map[string]bool{}
	seen := map[string]bool{}
	for _, b := range explainBindings() {
		done[b.Query.Query] = true
		text, err := bind(queries, b.Query.Query, b.Query.Args, asOf)
		if err == nil && seen[text] {
			continue
		}
		seen[text] = true
		e := explainOne(ctx, conn, queries, b.Query.Query, b.Label, b.Query.Args, asOf)
		if e.Note == "" {
			explainGeneric(ctx, conn, queries, &e, b.Query.Args, asOf)
		}
		out = append(out, e)
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
	if e.Plan, err = explainLines(ctx, conn, "EXPLAIN (ANALYZE, BUFFERS) "+text); err != nil {
		e.Note = fmt.Sprintf("EXPLAIN failed: %v", err)
		return e
	}
	e.SeqScans = bigSeqScans(e.Plan)
	return e
}

// preparedName is the statement explainGeneric prepares (and deallocates) on the EXPLAIN
// connection.
const preparedName = "queues_bench_generic"

// explainGeneric fills e's generic-plan fields. The service runs pgx's default statement mode
// (cache_statement: each query a named prepared statement per connection), so from the sixth
// execution on PostgreSQL may reuse a generic plan, built without the values, when its estimated
// cost is not above the custom plans' average; the `x IS NULL OR` of an absent filter is then
// not folded away at planning. In the pooler-safe modes (cache_describe, exec) every execution is
// planned with its values, as the custom plan shown first.
func explainGeneric(ctx context.Context, conn *pgx.Conn, queries pgbench.Queries, e *Explain, args map[string]string, asOf string) {
	text, values, err := bindPrepared(queries, e.Query, args, asOf)
	if err != nil {
		e.GenericNote = err.Error()
		return
	}
	simple := pgx.QueryExecModeSimpleProtocol
	if _, err := conn.Exec(ctx, "PREPARE "+preparedName+" AS "+text, simple); err != nil {
		e.GenericNote = fmt.Sprintf("PREPARE failed: %v", err)
		return
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "RESET plan_cache_mode", simple)
		_, _ = conn.Exec(context.WithoutCancel(ctx), "DEALLOCATE "+preparedName, simple)
	}()
	execute := "EXECUTE " + preparedName
	if len(values) > 0 {
		execute += "(" + strings.Join(values, ", ") + ")"
	}
	for range 6 {
		rows, err := conn.Query(ctx, execute, simple)
		if err == nil {
			rows.Close()
			err = rows.Err()
		}
		if err != nil {
			e.GenericNote = fmt.Sprintf("EXECUTE failed: %v", err)
			return
		}
	}
	var generic, custom int64
	if err := conn.QueryRow(ctx, "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1", preparedName).
		Scan(&generic, &custom); err != nil {
		e.GenericNote = fmt.Sprintf("pg_prepared_statements: %v", err)
		return
	}
	e.Choice = "custom"
	if generic > 0 {
		e.Choice = "**generic**"
	}
	e.Choice += fmt.Sprintf(" (%d generic, %d custom of 6)", generic, custom)
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = force_generic_plan", simple); err != nil {
		e.GenericNote = err.Error()
		return
	}
	if e.Generic, err = explainLines(ctx, conn, "EXPLAIN (ANALYZE, BUFFERS) "+execute); err != nil {
		e.GenericNote = fmt.Sprintf("EXPLAIN EXECUTE failed: %v", err)
		return
	}
	e.GenericSeqScans = bigSeqScans(e.Generic)
}

func explainLines(ctx context.Context, conn *pgx.Conn, sql string) (string, error) {
	rows, err := conn.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}

func bigSeqScans(plan string) []string {
	var out []string
	for _, m := range seqScan.FindAllStringSubmatch(plan, -1) {
		if slices.Contains(bigTables, m[1]) && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}
