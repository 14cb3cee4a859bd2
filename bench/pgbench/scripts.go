package pgbench

import (
	"encoding/hex"
	"strings"

	"mrmflow/internal/auth"
	"mrmflow/internal/domain"
)

// The scripts of the load scenarios. Each mirrors what one load-generator request (or bulk call)
// makes mrmflow send, statement by statement; TestScriptsFollowService checks the order against
// the service itself. pgbench is given the fixture's ids with -D: token_id, secret_hash (the
// SHA-256 of the token's secret, in hex) and user_id (the load generator's ADMIN),
// first_model/last_model (the create-distinct models), hot_model, first_multi (the first of the 50 create-multi models). Bulk calls get task_ids, model_ids and
// version_ids as array literals ('{1,2,3}').

// Values the load generator sends; they only have to look like the service's.
const (
	targetDate   = "'2027-06-30'"
	deployDate   = "'2026-11-20'"
	priority     = "'MEDIUM'"
	lockTimeout  = "'5000ms'"
	stmtTimeout  = "'30000ms'"
	lockNS       = "42" // pgtx.ModelLockNamespace
	createdAudit = `'{"model_ids": [1], "priority": "MEDIUM", "region_ids": [], "target_completion_date": "2027-06-30", "validation_type": "TARGETED", "version_ids": null}'`
	// secret_hash is given to pgbench in hex (-D secret_hash=...).
	secretHash  = "decode(:secret_hash, 'hex')"
	cancelAudit = `'{"from_status": "INTAKE", "reason": "load generator: free the model for the next create", "to_status": "CANCELLED"}'`
	// A colon in a literal must be followed by a space: pgbench reads ":name" as a variable
	// anywhere in a statement, quoted or not (":false" would be one).
	// The confirmation's statement adds version_fully_deployed and regional_approval_region_ids.
	confirmAudit = `'{"actual_production_date": "2026-11-20", "deployed_before_validation_approved": false, "status": "CONFIRMED", "validation_override_reason": null}'`
)

// authenticate is the authentication of a request, on its own (the HTTP layer's, before the service).
func authenticate(conds ...Condition) Step {
	return Step{Query: "APITokenAuthorize", If: conds, Args: map[string]string{"token_id": ":token_id", "secret_hash": secretHash, "roles": "NULL"}}
}

// createAuth is a create's authentication, at the head of its transaction's first round trip,
// admitting the roles that may create.
func createAuth() Step {
	roles := "'{" + strings.Join(domain.RoleNames(domain.MRMRoles), ",") + "}'::text[]"
	return Step{Query: "APITokenAuthorize", Args: map[string]string{"token_id": ":token_id", "secret_hash": secretHash, "roles": roles}}
}
func begin() Step { return Step{SQL: "BEGIN ISOLATION LEVEL READ COMMITTED;"} }
func commit(conds ...Condition) Step {
	return Step{SQL: "COMMIT;", If: conds}
}

// validationLimits is what validation transactions set: lock_timeout only.
func validationLimits() Step {
	return Step{Query: "TransactionLimitsSetLocal", Args: map[string]string{"lock_timeout": lockTimeout, "statement_timeout": "NULL"}}
}

func lock(model string, conds ...Condition) Step {
	return Step{Query: "AcquireModelLock", If: conds, Args: map[string]string{"namespace": lockNS, "model_id": model}}
}

// createSteps is the part of a create after the locks: read the models, check conflicts (unless
// targeted), check approvals (INITIAL), read the target-date warnings — all sent before the
// service judges any of them — then the one statement that writes the request, its links, its
// history and its audit row, and the commit. models is the
// model_ids array, typ the validation_type, versions the parallel version_ids array.
func createSteps(models, typ, versions string, notTargeted, initial []Condition) []Step {
	ok := []Condition{NoConflict}
	steps := []Step{
		{Query: "ValidationModelsByIDs", Args: map[string]string{"model_ids": models}},
		{Meta: `\set request_id 0`},
		{Query: "ValidationConflictsForModels", If: notTargeted, Args: map[string]string{"model_ids": models}, Store: `\aset`},
		{Meta: `\set blocked :request_id`},
		{Query: "ValidationApprovedForModels", If: initial, Args: map[string]string{"model_ids": models}},
		// The target-date warnings' read: REVALIDATION_OVERDUE only, as the scenarios list no
		// version (the LEAD_TIME read is sent for versions only).
		{Query: "ValidationTargetOverdue", Args: map[string]string{"target_date": targetDate, "model_ids": models, "models_of": "0"}},
		{SQL: "ROLLBACK;", If: []Condition{Conflict}},
		{Query: "ValidationRequestCreate", If: ok, Store: `\gset`, Args: map[string]string{
			"requestor_id": ":user_id", "validation_type": typ, "priority": priority,
			"target_completion_date": targetDate, "trigger_reason": "NULL",
			"model_ids": models, "version_ids": versions, "region_ids": "'{}'::int[]", "link_version_ids": "'{}'::int[]",
			"changes": createdAudit, "audit_action": "'VALIDATION_REQUEST_CREATED'",
		}},
		commit(ok...),
	}
	return steps
}

// cancelSteps is the cancel the load generator sends after a successful non-targeted create.
func cancelSteps(conds ...Condition) []Step {
	id := map[string]string{"request_id": ":request_id"}
	ids := map[string]string{"request_ids": "ARRAY[:request_id]"}
	return []Step{
		authenticate(conds...),
		{SQL: "BEGIN ISOLATION LEVEL READ COMMITTED;", If: conds},
		{Query: "TransactionLimitsSetLocal", If: conds, Args: map[string]string{"lock_timeout": lockTimeout, "statement_timeout": "NULL"}},
		{Query: "ValidationRequestLockForUpdate", If: conds, Args: id},
		{Query: "ValidationRequestGateState", If: conds, Args: id},
		{Query: "ValidationRequestSetStatus", If: conds, Args: map[string]string{"request_id": ":request_id", "status": "'CANCELLED'"}},
		{Query: "ValidationStatusHistoryAdd", If: conds, Args: map[string]string{
			"request_id": ":request_id", "from_status": "'INTAKE'", "to_status": "'CANCELLED'", "reason": "'load generator: free the model for the next create'", "changed_by": ":user_id",
		}},
		auditStep(":request_id", "'validation_request'", "'VALIDATION_STATUS_CHANGED'", cancelAudit, conds),
		{Query: "ValidationRequestGet", If: conds, Args: id},
		{Query: "ValidationRequestModelsForRequests", If: conds, Args: ids},
		{Query: "ValidationRequestRegionsForRequests", If: conds, Args: ids},
		{Query: "ValidationStatusHistoryForRequest", If: conds, Args: id},
		{Query: "ValidationAssignmentsForRequests", If: conds, Args: ids},
		{Query: "ValidationOutcomesForRequests", If: conds, Args: ids},
		commit(conds...),
	}
}

func auditStep(entityID, entityType, action, changes string, conds []Condition) Step {
	return Step{Query: "AuditLogInsert", If: conds, Args: map[string]string{
		"entity_type": entityType, "entity_id": entityID, "action": action, "user_id": ":user_id", "changes": changes,
	}}
}

// SecretHashVar is the secret_hash variable of a plaintext token: the SHA-256 of its secret, in
// hex, as the scripts' authentication decodes it.
func SecretHashVar(token string) string {
	c, ok := auth.ParseCredentials(token)
	if !ok {
		panic("pgbench: not a token: " + token)
	}
	return hex.EncodeToString(c.SecretHash)
}

// Scripts are the scenarios' scripts, in the order make bench runs them.
func Scripts() []Script {
	var distinct, hot, multi Script
	distinct = Script{
		Name: "create-distinct",
		About: `create-distinct: one TARGETED validation request on a model picked at random from
first_model..last_model; one pgbench transaction = one POST /api/v1/validation-requests.`,
		Steps: append([]Step{
			{Meta: `\set model_id random(:first_model, :last_model)`},
			{Meta: `\set type_pick 0`}, // TARGETED
			begin(), validationLimits(), createAuth(), lock(":model_id"),
		}, createSteps("ARRAY[:model_id]", "'TARGETED'", "ARRAY[0]", []Condition{NotTargeted}, []Condition{Initial})...),
	}
	hot = Script{
		Name: "create-hot",
		About: `create-hot: a COMPREHENSIVE validation request on hot_model; when it is created (no
conflict), the request is cancelled by a second HTTP call. One pgbench transaction = one create
(201 or 409) plus its cancel when there is one.`,
		Steps: append(append([]Step{
			{Meta: `\set type_pick 2`}, // COMPREHENSIVE
			begin(), validationLimits(), createAuth(), lock(":hot_model"),
		}, createSteps("ARRAY[:hot_model]", "'COMPREHENSIVE'", "ARRAY[0]", []Condition{NotTargeted}, []Condition{Initial})...),
			cancelSteps(NoConflict)...),
	}
	typ := "(CASE WHEN :type_pick < 2 THEN 'TARGETED' WHEN :type_pick = 2 THEN 'COMPREHENSIVE' ELSE 'INITIAL' END)"
	models := "(ARRAY[:m1::int, :m2::int, :m3::int, :m4::int])[1:(:n::int)]"
	multi = Script{
		Name: "create-multi",
		About: `create-multi: a request on n = 1..4 of the 50 models from first_multi, ids first_multi + b +
k*s for k < n (the load generator draws n, s and b the same way), of type TARGETED (type_pick 0,
1), COMPREHENSIVE (2) or INITIAL (3); a created non-targeted request is cancelled right after.`,
		Steps: append(append([]Step{
			{Meta: `\set n random(1, 4)`},
			{Meta: `\set s random(1, 12)`},
			{Meta: `\set b random(0, 49 - (:n - 1) * :s)`},
			{Meta: `\set m1 :first_multi + :b`},
			{Meta: `\set m2 :m1 + :s`},
			{Meta: `\set m3 :m2 + :s`},
			{Meta: `\set m4 :m3 + :s`},
			{Meta: `\set type_pick random(0, 3)`},
			begin(), validationLimits(), createAuth(),
			lock(":m1"), lock(":m2", Multi2), lock(":m3", Multi3), lock(":m4", Multi4),
		}, createSteps(models, typ, "array_fill(0, ARRAY[:n::int])", []Condition{NotTargeted}, []Condition{Initial})...),
			cancelSteps(NotTargeted, NoConflict)...),
	}
	return []Script{distinct, hot, multi, bulkConfirm()}
}

// bulkConfirm is one POST /api/v1/deployment-tasks/bulk/confirm by an ADMIN of tasks whose
// versions have no validation request (as the load generator's fixture makes them).
func bulkConfirm() Script {
	limits := Step{Query: "TransactionLimitsSetLocal", Args: map[string]string{"lock_timeout": lockTimeout, "statement_timeout": stmtTimeout}}
	return Script{
		Name: "bulk-confirm",
		About: `bulk-confirm: one bulk confirm call; make bench expands the per-task part once per task
(bench/pgbench Expand) and runs the result as a single pgbench transaction.`,
		Steps: []Step{
			authenticate(), begin(), limits,
			{Query: "DeploymentTaskLockForUpdate", Args: map[string]string{"task_ids": ":task_ids", "act_all": "true", "user_id": ":user_id"}},
			{Query: "DeploymentModelsLock", Args: map[string]string{"model_ids": ":model_ids"}},
			{Query: "DeploymentVersionsLock", Args: map[string]string{"version_ids": ":version_ids"}},
			{Query: "DeploymentValidationsLock", Args: map[string]string{"version_ids": ":version_ids"}},
			{Query: "DeploymentVersionValidations", Args: map[string]string{"version_ids": ":version_ids"}},
		},
		Each: []Step{
			{SQL: "SAVEPOINT task;"},
			{Query: "DeploymentTaskConfirm", Args: map[string]string{
				"task_id": ":task_id", "actual_production_date": deployDate, "confirmation_notes": "'load generator bulk confirmation'",
				"confirmed_by_id": ":user_id", "deployed_before_validation_approved": "false", "validation_override_reason": "NULL",
				"deployed_at": deployDate + "::timestamptz", "validation_request_id": "NULL", "changes": confirmAudit,
				"audit_action": "'DEPLOYMENT_CONFIRMED'",
			}},
			{SQL: "RELEASE SAVEPOINT task;"},
		},
		Tail: []Step{commit()},
	}
}
