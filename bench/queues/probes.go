package queues

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

// probe is one queue or report page, asked as a caller, and the list query of sql/ that this build
// runs for it (Direct, replayed without the service for the ratio; empty when there is none).
type probe struct {
	Name, Caller, Path string
	Direct             *directQuery
}

// directQuery is a query of sql/ with its parameters bound to SQL literals (binder.go).
type directQuery struct {
	Query string
	Args  map[string]string
}

// probes are the pages of the issue, each with as_of (added by the driver). An endpoint this build
// does not have answers 404, a parameter it does not take 400: the page is reported as not
// available, and measured again without the parameters the 400 named when that answers 200.
var probes = []probe{
	{"requests", callerAdmin, "/api/v1/validation-requests?limit=50", listRequests(nil)},
	{"requests, assigned to me", callerValidator, "/api/v1/validation-requests?limit=50&assigned_to=me", listRequests(nil)},
	{"requests", callerUser, "/api/v1/validation-requests?limit=50", listRequests(map[string]string{"visible_to": "156"})},
	{"requests, aging", callerAdmin, "/api/v1/validation-requests?limit=50&active=true&sort=-days_in_status", listRequests(map[string]string{"active": "true"})},
	{"requests, overdue", callerAdmin, "/api/v1/validation-requests?limit=50&overdue=true", listRequests(nil)},
	{"requests, unassigned", callerAdmin, "/api/v1/validation-requests?limit=50&unassigned=true", listRequests(nil)},
	{"approvals, mine", callerGlobalApprover, "/api/v1/approvals?mine=true&limit=50", listApprovals("GLOBAL_APPROVER", 106)},
	{"approvals, mine", callerRegionalApprover, "/api/v1/approvals?mine=true&limit=50", listApprovals("REGIONAL_APPROVER", 126)},
	{"deployment tasks, mine", callerUser, "/api/v1/deployment-tasks?mine=true&limit=50", listTasks(156)},
	{"deployment tasks, mine, overdue", callerUser, "/api/v1/deployment-tasks?mine=true&limit=50&due=overdue", listTasks(156)},
	{"ready to deploy", callerAdmin, "/api/v1/deployments/ready?limit=50", nil},
	{"report: pending assignments", callerAdmin, "/api/v1/reports/pending-assignments", nil},
	{"report: workload", callerAdmin, "/api/v1/reports/workload", nil},
	{"report: out of order", callerAdmin, "/api/v1/reports/out-of-order", nil},
	{"report: rule exceptions", callerAdmin, "/api/v1/reports/rule-exceptions", &directQuery{"ReportRuleExceptions", map[string]string{
		"kind": "NULL", "after_request_id": "0", "after_kind_order": "0", "after_model_id": "0", "after_region_id": "0", "page_limit": "51"}}},
	{"my summary", callerValidator, "/api/v1/me/summary", nil},
	{"my summary", callerUser, "/api/v1/me/summary", nil},
	{"users", callerAdmin, "/api/v1/users?limit=50", &directQuery{"UserDirectoryList", map[string]string{
		"after_id": "0", "role": "NULL", "region_id": "NULL", "q": "NULL", "disabled": "NULL", "page_limit": "51"}}},
}

// listRequests is ValidationRequestList as this build runs it for a first page of 50 (the
// service asks for one row more to know whether there is a next page), with the filters set.
func listRequests(set map[string]string) *directQuery {
	args := map[string]string{"after_id": "0", "status": "NULL", "validation_type": "NULL", "active": "NULL", "visible_to": "NULL", "page_limit": "51"}
	for k, v := range set {
		args[k] = v
	}
	return &directQuery{"ValidationRequestList", args}
}

func listApprovals(role string, user int32) *directQuery {
	return &directQuery{"ValidationApprovalsList", map[string]string{
		"after_id": "0", "status": "NULL", "request_id": "NULL", "approval_type": "NULL", "visible_to": "NULL",
		"mine": "true", "role": "'" + role + "'", "user_id": itoa(user), "limit_count": "51"}}
}

func listTasks(user int32) *directQuery {
	return &directQuery{"DeploymentTaskList", map[string]string{
		"after_id": "0", "status": "NULL", "assigned_to_id": "NULL", "model_id": "NULL",
		"see_all": "false", "user_id": itoa(user), "page_limit": "51"}}
}

// csvCandidates are the exports tried in order, the first answering 200 timed: the issue's
// (deployment tasks, PENDING: ~100,000 rows at scale 1), then what an older build can export.
var csvCandidates = []string{
	"/api/v1/deployment-tasks?format=csv&status=PENDING",
	"/api/v1/validation-requests?format=csv",
	"/api/v1/users?format=csv",
}

// probeDirect is the direct query of the probe named name.
func probeDirect(name string) *directQuery {
	for _, p := range probes {
		if p.Name == name && p.Direct != nil {
			return p.Direct
		}
	}
	panic("queues: no probe " + name + " with a direct query")
}
