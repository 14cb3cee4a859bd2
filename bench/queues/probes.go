package queues

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/bench/pgbench"
)

// The callers of the benchmark: representative users of the seed (seed.sql's header).
const (
	callerAdmin            = "ADMIN"
	callerValidator        = "VALIDATOR"
	callerGlobalApprover   = "GLOBAL_APPROVER"
	callerRegionalApprover = "REGIONAL_APPROVER"
	callerUser             = "USER"
)

// callerIDs maps each caller to its seeded user: an ADMIN; validator 6, primary or reviewer of a
// hundredth of the requests; global approver 106; regional approver 126 (regions EU and SG, EU
// requiring regional approval); user 156, owner of every tenth model.
var callerIDs = map[string]int32{
	callerAdmin: 1, callerValidator: 6, callerGlobalApprover: 106, callerRegionalApprover: 126, callerUser: 156,
}

// probe is one queue or report page, asked as a caller, and the page query of sql/ the service runs
// for it (Direct, replayed without the service for the ratio).
type probe struct {
	Name, Caller, Path string
	Direct             *directQuery
}

// directQuery is a query of sql/ with its parameters bound to SQL literals as the service binds
// them for the probe's page (binder.go), and Count, the query the page's CSV export counts its
// rows with first (export.Run; "" when it has none), bound with the same values.
type directQuery struct {
	Query string
	Args  map[string]string
	Count string
}

// searchTerm is the request list's q: a word of the seed's model names ("Fraud model 123"), so an
// eighth of the models and of their requests match — a broad search, not a lucky one.
const searchTerm = "fraud"

// probes are the pages of the issue, each with as_of (added by the driver), asked with limit=50
// where the page pages (the service then asks its query for 51 rows) and as each role uses it.
// An endpoint this build does not have answers 404, a parameter it does not take 400: the page is
// reported as not available, and measured again without the parameters the 400 named when that
// answers 200.
var probes = []probe{
	// GET /validation-requests: Service.List in internal/validation/list.go.
	{"requests", callerAdmin, "/api/v1/validation-requests?limit=50", requestList(callerAdmin, nil)},
	{"requests, assigned to me", callerValidator, "/api/v1/validation-requests?limit=50&assigned_to=me",
		requestList(callerValidator, map[string]string{"assigned_to": id(callerValidator)})},
	{"requests", callerUser, "/api/v1/validation-requests?limit=50", requestList(callerUser, nil)},
	{"requests, aging", callerAdmin, "/api/v1/validation-requests?limit=50&active=true&sort=-days_in_status",
		requestList(callerAdmin, map[string]string{"active": "true", "sort": "'days_in_status'"})},
	{"requests, overdue", callerAdmin, "/api/v1/validation-requests?limit=50&overdue=true",
		requestList(callerAdmin, map[string]string{"overdue": "true"})},
	{"requests, unassigned", callerAdmin, "/api/v1/validation-requests?limit=50&unassigned=true",
		requestList(callerAdmin, map[string]string{"unassigned": "true"})},
	{"requests, search", callerAdmin, "/api/v1/validation-requests?limit=50&q=" + searchTerm,
		requestList(callerAdmin, map[string]string{"q": "'" + searchTerm + "'"})},

	// GET /approvals?mine=true: the approver's queue, ListApprovals in internal/validation/approval_list.go.
	{"approvals, mine", callerGlobalApprover, "/api/v1/approvals?mine=true&limit=50", approvalQueue(callerGlobalApprover)},
	{"approvals, mine", callerRegionalApprover, "/api/v1/approvals?mine=true&limit=50", approvalQueue(callerRegionalApprover)},
	{"approvals, mine", callerAdmin, "/api/v1/approvals?mine=true&limit=50", approvalQueue(callerAdmin)},

	// GET /deployment-tasks: the owner's queue, Service.List in internal/deployment/read.go.
	{"deployment tasks, mine", callerUser, "/api/v1/deployment-tasks?mine=true&limit=50", taskList(callerUser, true, "", false)},
	{"deployment tasks, mine, overdue", callerUser, "/api/v1/deployment-tasks?mine=true&due=overdue&limit=50",
		taskList(callerUser, true, "overdue", false)},
	{"deployment tasks, mine, this week", callerUser, "/api/v1/deployment-tasks?mine=true&due=week&limit=50",
		taskList(callerUser, true, "week", false)},
	{"deployment tasks, mine, by planned date", callerUser, "/api/v1/deployment-tasks?mine=true&sort=planned_production_date&limit=50",
		taskList(callerUser, true, "", true)},

	// GET /deployments/ready: ListReady in internal/deployment/ready.go (a USER, or mine=true, is
	// the caller's models).
	{"ready to deploy", callerAdmin, "/api/v1/deployments/ready?limit=50", readyList(nil)},
	{"ready to deploy", callerUser, "/api/v1/deployments/ready?limit=50", readyList(ptr(callerIDs[callerUser]))},
	{"ready to deploy, mine", callerUser, "/api/v1/deployments/ready?mine=true&limit=50", readyList(ptr(callerIDs[callerUser]))},
	{"ready to deploy, mine", callerAdmin, "/api/v1/deployments/ready?mine=true&limit=50", readyList(ptr(callerIDs[callerAdmin]))},

	// The oversight reports (internal/validation/report_*.go), first pages of the default 50.
	{"report: pending assignments", callerAdmin, "/api/v1/reports/pending-assignments", &directQuery{"ReportPendingAssignments", map[string]string{
		"severity": "NULL", "priority": "NULL", "after_created_at": "'0001-01-01 00:00:00+00'", "after_request_id": "0", "page_limit": "51"},
		"ReportPendingAssignmentsCount"}},
	{"report: workload", callerAdmin, "/api/v1/reports/workload", &directQuery{"ReportWorkload", map[string]string{
		"after_id": "0", "page_limit": "51"}, "ReportWorkloadCount"}},
	{"report: out of order", callerAdmin, "/api/v1/reports/out-of-order", &directQuery{"ReportOutOfOrder", map[string]string{
		"after_request_id": "0", "after_version_id": "0", "page_limit": "51"}, "ReportOutOfOrderCount"}},
	{"report: rule exceptions", callerAdmin, "/api/v1/reports/rule-exceptions", &directQuery{"ReportRuleExceptions", map[string]string{
		"kind": "NULL", "after_request_id": "0", "after_kind_order": "0", "after_model_id": "0", "after_region_id": "0", "page_limit": "51"},
		"ReportRuleExceptionsCount"}},

	// GET /me/summary: summary.Service.For, one statement.
	{"my summary", callerValidator, "/api/v1/me/summary", summaryFor(callerValidator)},
	{"my summary", callerUser, "/api/v1/me/summary", summaryFor(callerUser)},
	{"my summary", callerGlobalApprover, "/api/v1/me/summary", summaryFor(callerGlobalApprover)},
	{"my summary", callerAdmin, "/api/v1/me/summary", summaryFor(callerAdmin)},

	// GET /reports/revalidation (v1.3): internal/revalidation, a page of 50, a status filter and a
	// USER's models. Its target is a page under 100 ms at p99 (pageTarget).
	{"report: revalidation", callerAdmin, "/api/v1/reports/revalidation?limit=50", revalidationList(nil, "NULL")},
	{"report: revalidation, overdue", callerAdmin, "/api/v1/reports/revalidation?limit=50&status=REVALIDATION_OVERDUE",
		revalidationList(nil, "'{REVALIDATION_OVERDUE}'")},
	{"report: revalidation", callerUser, "/api/v1/reports/revalidation?limit=50", revalidationList(ptr(callerIDs[callerUser]), "NULL")},

	// GET /users: the directory, internal/user/directory.go.
	{"users", callerAdmin, "/api/v1/users?limit=50", &directQuery{"UserDirectoryList", map[string]string{
		"after_id": "0", "role": "NULL", "region_id": "NULL", "q": "NULL", "disabled": "NULL", "page_limit": "51"}, "UserDirectoryCount"}},
}

func id(caller string) string { return itoa(callerIDs[caller]) }

func ptr[T any](v T) *T { return &v }

// requestList is ValidationRequestList as Filter.params binds it for a first page of 50 (the
// service asks for one row more to know whether there is a next page): statuses an empty array,
// assignment_role "any", sort by request_id, no cursor, visible_to the caller when it is a USER
// (Actor.SeesAll), every other filter NULL unless set.
func requestList(caller string, set map[string]string) *directQuery {
	args := map[string]string{
		"after_id": "0", "after_date": "NULL", "statuses": "'{}'", "assignment_role": "'any'", "sort": "'request_id'",
		"visible_to": "NULL", "page_limit": "51",
	}
	if caller == callerUser {
		args["visible_to"] = id(caller)
	}
	for k, v := range set {
		args[k] = v
	}
	return &directQuery{"ValidationRequestList", args, "ValidationRequestCount"}
}

// approvalQueue is ValidationApprovalsQueue as approvalQuery.page binds it for mine=true: the
// caller's role and id, sorted by approval_id, a first page of 50 + 1.
func approvalQueue(caller string) *directQuery {
	return &directQuery{"ValidationApprovalsQueue", map[string]string{
		"role": "'" + caller + "'", "user_id": id(caller), "by_created": "false", "after_id": "0",
		"status": "NULL", "request_id": "NULL", "approval_type": "NULL", "page_limit": "51"}, "ValidationApprovalsQueueCount"}
}

// dueDays are the due windows as internal/deployment/read.go's dueDays turns them into a range of
// days_until_due (an open end is 1,000,000 days away).
var dueDays = map[string][2]int{"overdue": {-1_000_000, -1}, "today": {0, 0}, "week": {1, 7}, "later": {8, 1_000_000}}

// taskList is DeploymentTaskList (or DeploymentTaskListByPlannedDate) as Filter.params binds it:
// see_all false for a USER, the caller's id, mine, the due window's day range, and for the first
// page of the date sort the zero time.Time pgx sends for after_date.
func taskList(caller string, mine bool, due string, byPlanned bool) *directQuery {
	args := map[string]string{
		"after_id": "0", "status": "NULL", "assigned_to_id": "NULL", "model_id": "NULL",
		"mine": strconv.FormatBool(mine), "due": "false", "due_from_days": "0", "due_to_days": "0",
		"see_all": strconv.FormatBool(caller != callerUser), "user_id": id(caller), "page_limit": "51",
	}
	if due != "" {
		d := dueDays[due]
		args["due"], args["due_from_days"], args["due_to_days"] = "true", strconv.Itoa(d[0]), strconv.Itoa(d[1])
	}
	query := "DeploymentTaskList"
	if byPlanned {
		query, args["after_date"] = "DeploymentTaskListByPlannedDate", "'0001-01-01'"
	}
	return &directQuery{query, args, "DeploymentTaskCount"}
}

// readyList is the ready list's query as ListReady binds it: DeploymentReadyListAll for an
// unfiltered list, else DeploymentReadyList with model_ids the models of the caller when it is a
// USER or asks mine=true (what DeploymentReadyCallerModels reads first: resolved against the
// seeded database by resolveCallerModels), no cursor, a first page of 50 + 1.
func readyList(forUser *int32) *directQuery {
	args := map[string]string{
		"model_id": "NULL", "has_pending_task": "NULL", "model_ids": "NULL", "after_day": "NULL",
		"after_request_id": "0", "after_version_id": "0", "after_region_id": "0", "page_limit": "51",
	}
	if forUser != nil {
		args["model_ids"] = callerModelsPrefix + itoa(*forUser)
		return &directQuery{"DeploymentReadyList", args, "DeploymentReadyCount"}
	}
	// Unfiltered, the service asks DeploymentReadyListAll, its keyset from the start.
	args["after_day"] = "'0001-01-01'"
	return &directQuery{"DeploymentReadyListAll", args, "DeploymentReadyCount"}
}

// callerModelsPrefix marks an argument whose literal is the array of the models a user may act
// on, which depends on the seed: resolveCallerModels replaces it once the database is seeded.
const callerModelsPrefix = "caller models of user "

// resolveCallerModels replaces each callerModelsPrefix argument of the probes with the literal of
// DeploymentReadyCallerModels for that user on the seeded database, as the service reads it before
// the list: the replayed statement then carries the same array as the service's.
func resolveCallerModels(ctx context.Context, conn *pgx.Conn, queries pgbench.Queries, asOf string) error {
	for _, p := range probes {
		if p.Direct == nil {
			continue
		}
		for name, v := range p.Direct.Args {
			user, ok := strings.CutPrefix(v, callerModelsPrefix)
			if !ok {
				continue
			}
			text, err := bind(queries, "DeploymentReadyCallerModels", map[string]string{"user_id": user}, asOf)
			if err != nil {
				return err
			}
			text = strings.TrimSuffix(strings.TrimSpace(text), ";")
			var literal string
			if err := conn.QueryRow(ctx, "SELECT quote_literal(x.model_ids::text) || '::int[]' FROM ("+text+") AS x").Scan(&literal); err != nil {
				return fmt.Errorf("model_ids of user %s: %w", user, err)
			}
			p.Direct.Args[name] = literal
		}
	}
	return nil
}

// summaryFor is SummaryForUser for the caller's role and id.
func summaryFor(caller string) *directQuery {
	return &directQuery{"SummaryForUser", map[string]string{"role": "'" + caller + "'", "user_id": id(caller)}, ""}
}

// csvExport is one timed CSV export: the issue's, of ~100,000 deployment tasks at scale 1, and the
// request list's full export (50,000 rows) to compare a list with per-page follow-up queries.
type csvExport struct {
	Name, Path string
	// Count and Page are the export's queries as the service binds them (export.Run reads
	// export.ChunkRows = 1,000 rows a page), EXPLAINed with the pages.
	Count, Page *directQuery
}

// revalidationList is RevalidationReportList as reportParams binds it for a first page of 50:
// visible_to the caller when it is a USER, statuses as given, every other filter NULL.
func revalidationList(visibleTo *int32, statuses string) *directQuery {
	v := "NULL"
	if visibleTo != nil {
		v = itoa(*visibleTo)
	}
	return &directQuery{"RevalidationReportList", map[string]string{
		"as_of": "NULL", "visible_to": v, "statuses": statuses, "risk_tier": "NULL", "owner_id": "NULL",
		"due_within_days": "NULL", "mine": "NULL", "after_id": "0", "page_limit": "51"}, "RevalidationReportCount"}
}

// pageTarget is a page's p99 target: 100 ms for the revalidation report (v1.3's "Speed"), else
// 50 ms (v1.2's).
func pageTarget(path string) time.Duration {
	if strings.HasPrefix(path, "/api/v1/reports/revalidation") {
		return 100 * time.Millisecond
	}
	return pageP99Target
}

// csvTarget is an export's time target: the whole revalidation report in under 1 s (v1.3), else
// 100,000 rows in under 3 s (v1.2).
func csvTarget(path string) time.Duration {
	if strings.HasPrefix(path, "/api/v1/reports/revalidation") {
		return time.Second
	}
	return csvTimeTarget
}

var csvExports = []csvExport{
	{"revalidation report, every model", "/api/v1/reports/revalidation?format=csv",
		&directQuery{"RevalidationReportCount", revalidationList(nil, "NULL").Args, ""},
		&directQuery{"RevalidationReportList", withArg(revalidationList(nil, "NULL").Args, "page_limit", "1000"), ""}},
	{"deployment tasks, PENDING", "/api/v1/deployment-tasks?format=csv&status=PENDING",
		&directQuery{"DeploymentTaskCount", taskExportArgs(), ""}, &directQuery{"DeploymentTaskList", taskExportArgs(), ""}},
	{"validation requests, all", "/api/v1/validation-requests?format=csv",
		&directQuery{"ValidationRequestCount", requestList(callerAdmin, map[string]string{"page_limit": "1000"}).Args, ""},
		&directQuery{"ValidationRequestList", requestList(callerAdmin, map[string]string{"page_limit": "1000"}).Args, ""}},
}

func taskExportArgs() map[string]string {
	a := taskList(callerAdmin, false, "", false).Args
	a["status"], a["page_limit"] = "'PENDING'", "1000"
	return a
}

// withArg returns a copy of args with name set to value.
func withArg(args map[string]string, name, value string) map[string]string {
	out := make(map[string]string, len(args))
	for k, v := range args {
		out[k] = v
	}
	out[name] = value
	return out
}
