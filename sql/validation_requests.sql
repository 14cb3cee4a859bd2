-- name: ValidationConflictsForModels :many
-- The active non-targeted requests that block any of the given models (DATA-01 step 3). Run under
-- the models' advisory locks, at READ COMMITTED, so it sees every request committed by a previous
-- lock holder. vrm.blocks_model is kept equal to the request's blocks_models (active and not
-- targeted) by the composite foreign key, so the partial unique index
-- validation_request_models_one_blocking_key (model_id) WHERE blocks_model serves the lookup:
-- at most one row per model.
SELECT vrm.model_id, m.model_name, vr.request_id, vr.validation_type, vr.status
FROM validation_request_models vrm
JOIN validation_requests vr ON vr.request_id = vrm.request_id
JOIN models m ON m.model_id = vrm.model_id
WHERE vrm.model_id = ANY (@model_ids::int[])
  AND vrm.blocks_model
ORDER BY vrm.model_id, vr.request_id;

-- name: ValidationApprovedForModels :many
-- The APPROVED full validations (INITIAL or COMPREHENSIVE) of the given models: an INITIAL
-- validation is refused for a model that already had one (docs/rules.md, "INITIAL eligibility").
-- An approved TARGETED, CHANGE or INTERIM validation reviewed a part or a change, not the model,
-- and does not count. validation_request_models_model_id_idx (model_id, request_id) finds the
-- links; the type and status are read from each request's row.
SELECT vrm.model_id, m.model_name, vr.request_id, vr.validation_type, vr.status
FROM validation_request_models vrm
JOIN validation_requests vr ON vr.request_id = vrm.request_id
JOIN models m ON m.model_id = vrm.model_id
WHERE vrm.model_id = ANY (@model_ids::int[])
  AND vr.status = 'APPROVED'
  AND vr.validation_type IN ('INITIAL', 'COMPREHENSIVE')
ORDER BY vrm.model_id, vr.request_id;

-- name: ValidationModelsByIDs :many
-- Which of the requested models exist, with their names (primary-key lookups).
SELECT model_id, model_name
FROM models
WHERE model_id = ANY (@model_ids::int[])
ORDER BY model_id;

-- name: ValidationVersionsByIDs :many
-- Which of the listed versions exist, the model each belongs to, and its production date — the
-- day it went live, else the day it is planned to (NULL: not planned yet) —, which a validation
-- covering it must not end after (docs/rules.md, "Implementation date"). Primary-key lookups.
SELECT version_id, model_id,
       coalesce(actual_production_date, planned_production_date) AS production_date
FROM model_versions
WHERE version_id = ANY (@version_ids::int[])
ORDER BY version_id;

-- name: ValidationRequestVersionDates :many
-- The versions a request covers, with their production dates, for a PATCH that moves the target
-- completion date (docs/rules.md, "Implementation date"). Sent after the request's row lock: the
-- links change only under it. validation_request_models_pkey, then model_versions_pkey.
SELECT mv.version_id, mv.model_id,
       coalesce(mv.actual_production_date, mv.planned_production_date) AS production_date
FROM validation_request_models vrm
JOIN model_versions mv ON mv.version_id = vrm.version_id
WHERE vrm.request_id = @request_id
ORDER BY mv.version_id;

-- name: ValidationRegionScopeGaps :many
-- The (model, region) pairs of a request's scope where the model does not run in the region: a
-- request's regions must be regions that each of its models runs in (docs/rules.md, "Region
-- scope"). The models are @model_ids plus, when @models_of names a request, that request's
-- models; the regions are @region_ids plus, when @regions_of names one, its regions (0 = none).
-- So a create passes both lists, a model change its added models and the request as @regions_of,
-- a PATCH of region_ids the request as @models_of and the new regions: each checks only the pairs
-- it introduces. Sent after the request's row lock, under which its links change. At most
-- MaxModels x MaxRegions pairs, each a model_regions_pkey probe.
WITH scope_models AS (
    SELECT unnest(@model_ids::int[]) AS model_id
    UNION
    SELECT vrm.model_id FROM validation_request_models vrm WHERE vrm.request_id = @models_of
), scope_regions AS (
    SELECT unnest(@region_ids::int[]) AS region_id
    UNION
    SELECT vrr.region_id FROM validation_request_regions vrr WHERE vrr.request_id = @regions_of
)
SELECT sm.model_id::int AS model_id, sr.region_id::int AS region_id
FROM scope_models sm
CROSS JOIN scope_regions sr
WHERE NOT EXISTS (
    SELECT 1 FROM model_regions mr
    WHERE mr.model_id = sm.model_id AND mr.region_id = sr.region_id
)
ORDER BY sm.model_id, sr.region_id;

-- name: ValidationTargetLeadTimes :many
-- The LEAD_TIME warnings of a target completion date (docs/rules.md, "Target-date warnings"):
-- each covered version whose production date (actual, else planned) minus @target_date is under
-- its model's policy's model_change_lead_time_days. A model without a tier has no policy (the
-- inner join drops it): no LEAD_TIME; a version without a production date has a NULL difference
-- and never warns; exactly the lead time does not warn. The versions are @version_ids plus, when
-- @versions_of names a request, the versions it covers: a create passes its list, a PATCH of the
-- target date the request (as ValidationRegionScopeGaps). Sent in the admission's pipeline behind
-- the model locks (create) or behind the request's row lock (PATCH). At most MaxModels versions,
-- each a model_versions_pkey, models_pkey and validation_policies_pkey probe
-- (validation_request_models_pkey for the request's).
WITH scope_versions AS (
    SELECT unnest(@version_ids::int[]) AS version_id
    UNION
    SELECT vrm.version_id FROM validation_request_models vrm
    WHERE vrm.request_id = @versions_of AND vrm.version_id IS NOT NULL
)
SELECT mv.model_id, mv.version_id, p.risk_tier, p.model_change_lead_time_days AS lead_time_days,
       coalesce(mv.actual_production_date, mv.planned_production_date)::date AS production_date,
       (coalesce(mv.actual_production_date, mv.planned_production_date) - @target_date::date)::int AS days_before_production
FROM scope_versions sv
JOIN model_versions mv ON mv.version_id = sv.version_id
JOIN models m ON m.model_id = mv.model_id
JOIN validation_policies p ON p.risk_tier = m.risk_tier
WHERE coalesce(mv.actual_production_date, mv.planned_production_date) - @target_date::date < p.model_change_lead_time_days
ORDER BY mv.model_id, mv.version_id;

-- name: ValidationTargetOverdue :many
-- The REVALIDATION_OVERDUE warnings of a target completion date (docs/rules.md, "Target-date
-- warnings"): each model whose validation_due - from the view model_revalidation_schedule, the
-- one home of the schedule's dates - is before @target_date (the due day itself is in time; a
-- model with no tier or never validated has no due date and never warns). The models are
-- @model_ids plus, when @models_of names a request, its models. Same pipeline as
-- ValidationTargetLeadTimes. The models are one array filtering the view's model_id, which
-- reaches models_pkey, and the view's laterals run per model on
-- validation_request_models_model_id_idx and validation_request_models_one_blocking_key: no
-- sequential scan (docs/rules.md). Prepared (pgx's default mode) it gets a generic plan after
-- five executions; where statements are sent unnamed the service sends
-- ValidationTargetOverdueCall instead (internal/validation, warnings.go).
SELECT s.model_id, s.risk_tier::text AS risk_tier, s.validation_due::date AS validation_due,
       (sqlc.arg(target_date)::date - s.validation_due)::int AS days_after_validation_due
FROM model_revalidation_schedule s
WHERE s.model_id = ANY (@model_ids::int[] || ARRAY(
          SELECT vrm.model_id FROM validation_request_models vrm WHERE vrm.request_id = @models_of::int))
  AND s.validation_due < sqlc.arg(target_date)::date
ORDER BY s.model_id;

-- name: ValidationTargetOverdueCall :many
-- ValidationTargetOverdue through the plpgsql function validation_target_overdue, whose query
-- filters the view the same way (TestOverdueReadsAgreeInEveryForm): for the statement modes that
-- send statements unnamed (a transaction pooler's), where the view's three laterals would be
-- planned at every execution (about 1 ms) and plpgsql keeps the function's plan per server
-- connection (its migration says why). Prepared, the call costs more than the statement.
SELECT s.model_id, s.risk_tier::text AS risk_tier, s.validation_due::date AS validation_due,
       (sqlc.arg(target_date)::date - s.validation_due)::int AS days_after_validation_due
FROM validation_target_overdue(sqlc.arg(target_date)::date, @model_ids::int[], @models_of::int) s
ORDER BY s.model_id;

-- name: ValidationRequestCreate :one
-- A request that passed its admission, written in one statement: the request, its model links
-- (with their versions), its region links, its version links, its first history row and its
-- audit row (VALIDATION_REQUEST_CREATED, with the caller's changes). One statement fails or
-- writes as a whole, and is one statement for the server to parse, plan and run.
--
-- The parts share one snapshot and do not see each other's writes, so each takes the new
-- request's id and flags from the request part's RETURNING, never from the table:
--   * is_targeted and is_closed are filled by the validation_requests_guard trigger from the
--     lookup tables, and blocks_models derives from them; status starts at its default, INTAKE.
--   * model links: all in ascending model_id order, so two inserters reaching
--     validation_request_models_one_blocking_key for {1,2} and {2,1} cannot deadlock
--     (docs/backstops.md, "One blocking validation per model"). version_ids is parallel to
--     model_ids, 0 = no version. blocks_model and the request's closed flag, status and target
--     date are the request's own (RETURNING), which the composite foreign keys require anyway
--     (checked at the end of the statement, when the request row is there; docs/lists.md,
--     "Mirrors of the request on its assignments").
--   * version links: a version listed by the request is covered by it from now on (the newest
--     request wins). The versions are locked in version_id order first (LockRows sits above the
--     Sort), so this and a deployment confirmation, which locks its versions in the same order,
--     cannot deadlock; the UPDATE then only touches rows it already holds.
WITH request AS (
    INSERT INTO validation_requests (requestor_id, validation_type, priority, target_completion_date, trigger_reason)
    VALUES (@requestor_id, @validation_type, @priority, @target_completion_date, sqlc.narg('trigger_reason'))
    RETURNING request_id, requestor_id, validation_type, priority, status, target_completion_date,
              trigger_reason, created_at, updated_at, submission_received_date, blocks_models, is_closed
), model_links AS (
    INSERT INTO validation_request_models (request_id, model_id, version_id, blocks_model,
                                           request_is_closed, request_status, request_target_date)
    SELECT request.request_id, link.model_id, NULLIF((@version_ids::int[])[link.ord::int], 0), request.blocks_models,
           request.is_closed, request.status, request.target_completion_date
    FROM request
    CROSS JOIN unnest(@model_ids::int[]) WITH ORDINALITY AS link (model_id, ord)
    ORDER BY link.model_id
), region_links AS (
    INSERT INTO validation_request_regions (request_id, region_id)
    SELECT request.request_id, link.region_id
    FROM request
    CROSS JOIN unnest(@region_ids::int[]) AS link (region_id)
    ORDER BY link.region_id
), locked_versions AS (
    SELECT mv.version_id
    FROM model_versions mv
    WHERE mv.version_id = ANY (@link_version_ids::int[])
    ORDER BY mv.version_id
    FOR NO KEY UPDATE
), version_links AS (
    UPDATE model_versions v
    SET validation_request_id = request.request_id
    FROM locked_versions, request
    WHERE v.version_id = locked_versions.version_id
), history AS (
    INSERT INTO validation_status_history (request_id, from_status, to_status, reason, changed_by)
    SELECT request.request_id, NULL, request.status, NULL, @requestor_id
    FROM request
), audit AS (
    INSERT INTO audit_logs (entity_type, entity_id, action, user_id, changes)
    SELECT 'validation_request', request.request_id, @audit_action::text, @requestor_id, @changes
    FROM request
)
SELECT request_id, requestor_id, validation_type, priority, status, target_completion_date,
       trigger_reason, created_at, updated_at, submission_received_date
FROM request;

-- name: ValidationRequestCreateCall :one
-- ValidationRequestCreate as a call of the plpgsql function validation_request_create, whose body
-- is that statement (TestCreateFunctionIsTheCreateStatement): the same parameters in the same
-- order, the same columns. For the statement modes that send statements unnamed (a transaction
-- pooler's), where the statement itself would be parsed and planned at every create and the
-- function's plan is kept per server connection (internal/validation, createStatement).
SELECT c.request_id, c.requestor_id, c.validation_type, c.priority, c.status, c.target_completion_date,
       c.trigger_reason, c.created_at, c.updated_at, c.submission_received_date
FROM validation_request_create(@requestor_id, @validation_type, @priority, @target_completion_date,
                               sqlc.narg('trigger_reason'), @version_ids::int[], @model_ids::int[],
                               @region_ids::int[], @link_version_ids::int[], @audit_action::text,
                               @changes) c;

-- name: ValidationRequestModelsAdd :exec
-- All model links of a new request in one statement, in ascending model_id order: two inserters
-- that reach validation_request_models_one_blocking_key for {1,2} and {2,1} in opposite orders
-- would deadlock (docs/backstops.md, "One blocking validation per model"). version_ids is parallel
-- to model_ids, 0 = no version. blocks_model is copied from the request row itself, which the
-- composite foreign key requires anyway.
INSERT INTO validation_request_models (request_id, model_id, version_id, blocks_model)
SELECT vr.request_id, link.model_id, NULLIF((@version_ids::int[])[link.ord::int], 0), vr.blocks_models
FROM validation_requests vr
CROSS JOIN unnest(@model_ids::int[]) WITH ORDINALITY AS link (model_id, ord)
WHERE vr.request_id = @request_id
ORDER BY link.model_id;

-- name: ValidationRequestRegionsAdd :exec
INSERT INTO validation_request_regions (request_id, region_id)
SELECT @request_id, region_id
FROM unnest(@region_ids::int[]) AS region_id
ORDER BY region_id;

-- name: ValidationRequestVersionsLink :exec
-- A version listed by a request is covered by that request from now on (the newest request
-- wins). The CTE locks the versions in version_id order first (LockRows sits above the Sort), so
-- this statement and a deployment confirmation, which locks its versions in the same order,
-- cannot deadlock; the UPDATE then only touches rows it already holds.
WITH locked AS (
    SELECT mv.version_id
    FROM model_versions mv
    WHERE mv.version_id = ANY (@version_ids::int[])
    ORDER BY mv.version_id
    FOR NO KEY UPDATE
)
UPDATE model_versions v
SET validation_request_id = @request_id
FROM locked
WHERE v.version_id = locked.version_id;

-- name: ValidationStatusHistoryAdd :exec
INSERT INTO validation_status_history (request_id, from_status, to_status, reason, changed_by)
VALUES (@request_id, sqlc.narg('from_status'), @to_status, sqlc.narg('reason'), @changed_by);

-- name: ValidationRequestLockForUpdate :one
-- FOR UPDATE serialises status changes of one request: the second change waits, then reads the
-- status (and target date) the first one committed and is judged against it.
SELECT request_id, status, validation_type, target_completion_date, submission_received_date
FROM validation_requests
WHERE request_id = @request_id
FOR UPDATE;

-- name: ValidationRequestSetStatus :exec
-- The guard trigger refuses a transition not in validation_status_transitions (23514,
-- validation_requests_status_transition). Closing a request turns blocks_models false and the
-- composite foreign key (ON UPDATE CASCADE) clears blocks_model on its links in this statement.
UPDATE validation_requests
SET status = @status, updated_at = now()
WHERE request_id = @request_id;

-- name: ValidationRequestGet :one
SELECT request_id, requestor_id, validation_type, priority, status, target_completion_date,
       trigger_reason, created_at, updated_at, submission_received_date
FROM validation_requests
WHERE request_id = @request_id;

-- name: ValidationRequestList :many
-- GET /validation-requests: one page of requests with what a queue needs, in one statement
-- (docs/lists.md, "The validation request list"). The models and regions of the page are read
-- after it (ValidationRequestModelsForRequests, ValidationRequestRegionsForRequests).
-- The page (the CTE) is cut from validation_requests alone; its validators are joined to the
-- page's rows only. Joined before the LIMIT, the planner merge-joined the requests walked with
-- validation_assignments_one_primary_key and ..._one_reviewer_key from their first entry: a page
-- of active requests (which have the newest ids) read 16,000 entries of each to reach it, 3 ms of
-- the overdue and unassigned pages' 3.2 (bench/results/queues-explain.md).
--
-- Computed per row at d.as_of (the day asked for, else today in UTC):
--   days_in_status = as_of - status_entered_on, the day of the history row that entered the
--     current status, kept on the row by the guard trigger (docs/backstops.md, "The day a request
--     entered its status");
--   is_overdue = active and target_completion_date < as_of;
--     days_overdue = as_of - target_completion_date when overdue, else 0;
--   primary_validator and reviewer: at most one each per request (the partial unique indexes
--     validation_assignments_one_primary_key and validation_assignments_one_reviewer_key, which
--     also find them, a probe per row of the page), then users_pkey; so the left joins never
--     multiply a request.
--
-- Every filter is optional (NULL, an empty array or false = not filtered). A filter on a set of
-- requests (what a USER sees, requestor_id, model_id, region_id, assigned_to, q) is written
-- `vr.request_id = ANY (ARRAY(subquery))`: the subquery runs once, through its index, as an
-- initplan, and the array is an index condition on validation_requests_pkey — the set drives the
-- page instead of a test per request. The `IS NULL OR` of an absent filter is folded away when
-- the statement is planned with its parameters (and short-circuits before the initplan runs
-- otherwise).
--   visible_to (a USER's id): validation_requests_visible_to, the one definition of what a USER
--     sees (docs/backstops.md, "What a USER sees, as a set"): the user's models as an array, their
--     links probed through validation_request_models_model_id_idx, index-only (migration
--     20261206003100; before it, an owner of many models had validation_request_models read
--     whole), so the cost follows the caller's own links: 5,000 for an owner of 1,000 models;
--   statuses: validation_requests_status_idx (status, request_id);
--   requestor_id: validation_requests_requestor_id_idx; validation_type and priority: the row
--     (a quarter or a fifth of the requests each, never selective enough to drive a page);
--   region_id: validation_request_regions_region_id_idx; model_id:
--     validation_request_models_model_id_idx (model_id, request_id);
--   active: is_closed is the copy of the status's flag, so active = NOT is_closed
--     (validation_requests_active_idx, and the partial indexes of the date sorts below);
--   overdue: active and target_completion_date < as_of (validation_requests_target_idx);
--   assigned_to with assignment_role (primary, reviewer, any):
--     validation_assignments_validator_request_idx, the role read index-only;
--   unassigned: active and no primary: the left join of open requests' primaries (opa) found
--     none, an anti-join (validation_requests_active_idx walks the active requests in id order,
--     each probed in validation_assignments_open_primary_idx). An active request's primary is an
--     open one: the assignment's request_is_closed is its request's is_closed, kept by the
--     mirror's foreign key (docs/lists.md, "Mirrors of the request on its assignments");
--   q: a case-insensitive substring of a model's name: lower(model_name) LIKE '%q%' with q's
--     \, % and _ escaped, so they are plain characters; models_model_name_lower_trgm_idx (a
--     trigram index, migration 20261206003100) finds the matching models (the pattern is a
--     constant when the statement is planned with its values), then their links through
--     validation_request_models_model_id_idx (the model ids are an array of their own, so the
--     links are probed, never scanned whole);
--
-- Sorted by sort_key, then request_id, keyset after (after_date, after_id): sort
-- 'target_completion_date' keys on the target date (validation_requests_target_idx walks it in
-- order); 'days_in_status' on status_entered_on ascending, the most days in status first
-- (validation_requests_status_entered_idx walks it in order; the day does not move with as_of,
-- so a cursor stays valid across days); 'request_id' has no date key (the CASE is NULL, folded away at
-- planning, and validation_requests_pkey walks the ids in order).
WITH page AS (
    SELECT vr.request_id, vr.requestor_id, vr.validation_type, vr.priority, vr.status,
           vr.target_completion_date, vr.trigger_reason, vr.created_at, vr.updated_at, vr.submission_received_date,
           vr.status_entered_on, vr.is_closed, d.as_of
    FROM validation_requests vr
    CROSS JOIN (SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS as_of) d
    LEFT JOIN validation_assignments opa ON opa.request_id = vr.request_id AND opa.is_primary AND NOT opa.request_is_closed
    WHERE (sqlc.narg('visible_to')::int IS NULL
           OR vr.request_id = ANY (ARRAY(SELECT v.request_id FROM validation_requests_visible_to(sqlc.narg('visible_to')::int) v)))
      AND (cardinality(@statuses::text[]) = 0 OR vr.status = ANY (@statuses::text[]))
      AND (sqlc.narg('validation_type')::text IS NULL OR vr.validation_type = sqlc.narg('validation_type')::text)
      AND (sqlc.narg('priority')::validation_priority IS NULL OR vr.priority = sqlc.narg('priority')::validation_priority)
      AND (sqlc.narg('requestor_id')::int IS NULL
           OR vr.request_id = ANY (ARRAY(SELECT r.request_id FROM validation_requests r WHERE r.requestor_id = sqlc.narg('requestor_id')::int)))
      AND (sqlc.narg('region_id')::int IS NULL
           OR vr.request_id = ANY (ARRAY(SELECT rr.request_id FROM validation_request_regions rr WHERE rr.region_id = sqlc.narg('region_id')::int)))
      AND (sqlc.narg('model_id')::int IS NULL
           OR vr.request_id = ANY (ARRAY(SELECT l.request_id FROM validation_request_models l WHERE l.model_id = sqlc.narg('model_id')::int)))
      AND (sqlc.narg('active')::boolean IS NULL OR vr.is_closed = NOT sqlc.narg('active')::boolean)
      AND (sqlc.narg('overdue')::boolean IS NULL
           OR (NOT vr.is_closed AND vr.target_completion_date < d.as_of) = sqlc.narg('overdue')::boolean)
      AND (sqlc.narg('assigned_to')::int IS NULL
           OR vr.request_id = ANY (ARRAY(
                  SELECT a.request_id FROM validation_assignments a
                  WHERE a.validator_id = sqlc.narg('assigned_to')::int
                    AND CASE @assignment_role::text WHEN 'primary' THEN a.is_primary WHEN 'reviewer' THEN a.is_reviewer ELSE true END)))
      AND (sqlc.narg('unassigned')::boolean IS NULL
           OR (NOT vr.is_closed AND opa.request_id IS NULL) = sqlc.narg('unassigned')::boolean)
      AND (sqlc.narg('q')::text IS NULL
           OR vr.request_id = ANY (ARRAY(
                  SELECT l.request_id FROM validation_request_models l
                  WHERE l.model_id = ANY (ARRAY(
                      SELECT m.model_id FROM models m
                      WHERE lower(m.model_name) LIKE '%' || replace(replace(replace(lower(sqlc.narg('q')::text),
                                '\', '\\'), '%', '\%'), '_', '\_') || '%')))))
      AND CASE @sort::text
              WHEN 'target_completion_date'
                  THEN (vr.target_completion_date, vr.request_id) > (coalesce(sqlc.narg('after_date')::date, '-infinity'::date), @after_id::int)
              WHEN 'days_in_status'
                  THEN (vr.status_entered_on, vr.request_id) > (coalesce(sqlc.narg('after_date')::date, '-infinity'::date), @after_id::int)
              ELSE vr.request_id > @after_id::int
          END
    ORDER BY CASE @sort::text
                 WHEN 'target_completion_date' THEN vr.target_completion_date
                 WHEN 'days_in_status' THEN vr.status_entered_on
             END,
             vr.request_id
    LIMIT @page_limit
)
SELECT p.request_id, p.requestor_id, p.validation_type, p.priority, p.status,
       p.target_completion_date, p.trigger_reason, p.created_at, p.updated_at, p.submission_received_date,
       pv.user_id AS primary_validator_id, pv.full_name AS primary_validator_full_name,
       rv.user_id AS reviewer_id, rv.full_name AS reviewer_full_name,
       p.status_entered_on,
       (p.as_of - p.status_entered_on)::int AS days_in_status,
       (NOT p.is_closed AND p.target_completion_date < p.as_of)::boolean AS is_overdue,
       (CASE WHEN NOT p.is_closed AND p.target_completion_date < p.as_of
             THEN p.as_of - p.target_completion_date ELSE 0 END)::int AS days_overdue
FROM page p
LEFT JOIN validation_assignments pa ON pa.request_id = p.request_id AND pa.is_primary
LEFT JOIN users pv ON pv.user_id = pa.validator_id
LEFT JOIN validation_assignments ra ON ra.request_id = p.request_id AND ra.is_reviewer
LEFT JOIN users rv ON rv.user_id = ra.validator_id
ORDER BY CASE @sort::text
             WHEN 'target_completion_date' THEN p.target_completion_date
             WHEN 'days_in_status' THEN p.status_entered_on
         END,
         p.request_id;

-- name: ValidationRequestCount :one
-- How many requests ValidationRequestList would list over all its pages, for a CSV export, which
-- is refused over EXPORT_MAX_ROWS before any row is sent. The same filters, word for word.
SELECT count(*)
FROM validation_requests vr
CROSS JOIN (SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS as_of) d
LEFT JOIN validation_assignments opa ON opa.request_id = vr.request_id AND opa.is_primary AND NOT opa.request_is_closed
WHERE (sqlc.narg('visible_to')::int IS NULL
       OR vr.request_id = ANY (ARRAY(SELECT v.request_id FROM validation_requests_visible_to(sqlc.narg('visible_to')::int) v)))
  AND (cardinality(@statuses::text[]) = 0 OR vr.status = ANY (@statuses::text[]))
  AND (sqlc.narg('validation_type')::text IS NULL OR vr.validation_type = sqlc.narg('validation_type')::text)
  AND (sqlc.narg('priority')::validation_priority IS NULL OR vr.priority = sqlc.narg('priority')::validation_priority)
  AND (sqlc.narg('requestor_id')::int IS NULL
       OR vr.request_id = ANY (ARRAY(SELECT r.request_id FROM validation_requests r WHERE r.requestor_id = sqlc.narg('requestor_id')::int)))
  AND (sqlc.narg('region_id')::int IS NULL
       OR vr.request_id = ANY (ARRAY(SELECT rr.request_id FROM validation_request_regions rr WHERE rr.region_id = sqlc.narg('region_id')::int)))
  AND (sqlc.narg('model_id')::int IS NULL
       OR vr.request_id = ANY (ARRAY(SELECT l.request_id FROM validation_request_models l WHERE l.model_id = sqlc.narg('model_id')::int)))
  AND (sqlc.narg('active')::boolean IS NULL OR vr.is_closed = NOT sqlc.narg('active')::boolean)
  AND (sqlc.narg('overdue')::boolean IS NULL
       OR (NOT vr.is_closed AND vr.target_completion_date < d.as_of) = sqlc.narg('overdue')::boolean)
  AND (sqlc.narg('assigned_to')::int IS NULL
       OR vr.request_id = ANY (ARRAY(
              SELECT a.request_id FROM validation_assignments a
              WHERE a.validator_id = sqlc.narg('assigned_to')::int
                AND CASE @assignment_role::text WHEN 'primary' THEN a.is_primary WHEN 'reviewer' THEN a.is_reviewer ELSE true END)))
  AND (sqlc.narg('unassigned')::boolean IS NULL
       OR (NOT vr.is_closed AND opa.request_id IS NULL) = sqlc.narg('unassigned')::boolean)
  AND (sqlc.narg('q')::text IS NULL
       OR vr.request_id = ANY (ARRAY(
              SELECT l.request_id FROM validation_request_models l
              WHERE l.model_id = ANY (ARRAY(
                  SELECT m.model_id FROM models m
                  WHERE lower(m.model_name) LIKE '%' || replace(replace(replace(lower(sqlc.narg('q')::text),
                            '\', '\\'), '%', '\%'), '_', '\_') || '%')))));

-- name: ValidationRequestModelsForRequests :many
-- The model links of a page of requests in one round trip (validation_request_models_pkey).
SELECT vrm.request_id, vrm.model_id, m.model_name, vrm.version_id
FROM validation_request_models vrm
JOIN models m ON m.model_id = vrm.model_id
WHERE vrm.request_id = ANY (@request_ids::int[])
ORDER BY vrm.request_id, vrm.model_id;

-- name: ValidationRequestRegionsForRequests :many
SELECT request_id, region_id
FROM validation_request_regions
WHERE request_id = ANY (@request_ids::int[])
ORDER BY request_id, region_id;

-- name: ValidationStatusHistoryForRequest :many
-- Oldest first (validation_status_history_request_id_idx).
SELECT history_id, request_id, from_status, to_status, reason, changed_by, changed_at
FROM validation_status_history
WHERE request_id = @request_id
ORDER BY history_id;

-- name: ValidationRequestVisible :one
-- Whether a request exists and the caller may see it: every role but USER sees every request
-- (sees_all); a USER only those of models they own or actively delegate for
-- (validation_requests_visible_to, the list's own set, with the request id pushed into it: the
-- caller's models read once, models_owner_id_idx index-only, then a probe of
-- validation_request_models_pkey). A link's request exists (its foreign key). Each question is
-- asked once, for the id, and the CASE asks only the caller's: under an OR, correlated with the
-- request row, the set's EXISTS could be planned as a hashed subplan reading every link of the
-- caller's models.
SELECT CASE WHEN @sees_all::boolean
            THEN EXISTS (SELECT 1 FROM validation_requests vr WHERE vr.request_id = @request_id::int)
            ELSE EXISTS (SELECT 1 FROM validation_requests_visible_to(@user_id::int) v WHERE v.request_id = @request_id::int)
       END::boolean AS visible;

-- name: ValidationRequestGateState :one
-- What the status gates judge a change by. Sent right after ValidationRequestLockForUpdate, as its
-- own statement: at READ COMMITTED a statement that waited for the row lock still reads other
-- tables with the snapshot it started with, so reading the assignments in the locking statement
-- could miss a change committed by the previous lock holder; this statement starts after the lock
-- is granted and sees it. held_from is the status the request had when it was last put ON_HOLD
-- ('' = never held); validation_status_history_request_id_idx serves it.
SELECT EXISTS (SELECT 1 FROM validation_assignments a WHERE a.request_id = @request_id AND a.is_primary) AS has_primary,
       EXISTS (SELECT 1 FROM validation_assignments a WHERE a.request_id = @request_id AND a.is_reviewer) AS has_reviewer,
       EXISTS (
           SELECT 1 FROM validation_assignments a
           WHERE a.request_id = @request_id AND a.is_reviewer AND a.signed_off_at IS NOT NULL
       ) AS reviewer_signed_off,
       EXISTS (SELECT 1 FROM validation_outcomes o WHERE o.request_id = @request_id) AS has_outcome,
       coalesce((
           SELECT h.from_status FROM validation_status_history h
           WHERE h.request_id = @request_id AND h.to_status = 'ON_HOLD'
           ORDER BY h.history_id DESC
           LIMIT 1
       ), '')::text AS held_from;

-- name: ValidationRequestUpdate :one
-- PATCH: the service merges the change into the current row (read under the row lock) and sets
-- every editable field.
UPDATE validation_requests
SET priority = @priority, target_completion_date = @target_completion_date,
    trigger_reason = sqlc.narg('trigger_reason'), updated_at = now()
WHERE request_id = @request_id
RETURNING request_id;

-- name: ValidationRequestRegionsRemoveAll :exec
-- A PATCH of region_ids replaces the request's regions: these go, ValidationRequestRegionsAdd
-- adds the new list.
DELETE FROM validation_request_regions
WHERE request_id = @request_id;

-- name: ValidationRequestTouch :exec
UPDATE validation_requests
SET updated_at = now()
WHERE request_id = @request_id;

-- name: ValidationRequestModelLinks :many
-- The model links of one request (validation_request_models_pkey), with the request's type,
-- read before a model change takes its locks to know which models and versions to lock and
-- which checks to read, then again under the locks. The type never changes.
SELECT vrm.model_id, vrm.version_id, vr.validation_type
FROM validation_request_models vrm
JOIN validation_requests vr ON vr.request_id = vrm.request_id
WHERE vrm.request_id = @request_id
ORDER BY vrm.model_id;

-- name: ValidationVersionsLockForEdit :exec
-- A model change of an existing request locks the versions it links or unlinks before the
-- request's row, in ascending version_id order: a deployment confirmation locks versions, then
-- the requests they point to, so the same order here means the two cannot deadlock. NO KEY
-- UPDATE leaves foreign-key checks (KEY SHARE) of rows referencing the versions unblocked.
SELECT mv.version_id
FROM model_versions mv
WHERE mv.version_id = ANY (@version_ids::int[])
ORDER BY mv.version_id
FOR NO KEY UPDATE OF mv;

-- name: ValidationRequestModelsRemove :exec
DELETE FROM validation_request_models
WHERE request_id = @request_id
  AND model_id = ANY (@model_ids::int[]);

-- name: ValidationVersionsUnlink :exec
-- Versions of models removed from a request are no longer covered by it (only if it is still the
-- request they point to). The versions were locked by ValidationVersionsLockForEdit.
UPDATE model_versions
SET validation_request_id = NULL
WHERE version_id = ANY (@version_ids::int[])
  AND validation_request_id = @request_id;

-- name: ValidationRequestStatusUnlocked :one
-- ValidationRequestLockForUpdate without the lock. Only the negative-control tests use it (through
-- a test-only switch), to show what the row lock protects; the service always locks.
SELECT request_id, status, validation_type, target_completion_date, submission_received_date
FROM validation_requests
WHERE request_id = @request_id;

-- name: ValidationSubmissionState :one
-- What POST .../submission is judged by, sent right after ValidationRequestLockForUpdate as its own
-- statement (so it sees what the previous lock holder committed, like ValidationRequestGateState):
-- whether the caller holds an assignment of the request, and today in UTC, the latest day a
-- submission may be received on: the database's day, one clock for every replica. The EXISTS is
-- one index-only probe (validation_assignments_validator_request_idx, or the unique key on
-- (request_id, validator_id)): checked with EXPLAIN (ANALYZE, BUFFERS) over 60,000 assignments,
-- 2 buffers.
SELECT EXISTS (
           SELECT 1 FROM validation_assignments a
           WHERE a.request_id = @request_id AND a.validator_id = @user_id
       ) AS is_assigned,
       (now() AT TIME ZONE 'UTC')::date AS today;

-- name: ValidationRequestSetSubmission :exec
-- Under the request's row lock, after the service saw submission_received_date still NULL there:
-- the lock, not this statement, makes the submission once (the negative control of the
-- submission race takes the lock away and sees the second overwrite the first).
UPDATE validation_requests
SET submission_received_date = @received_date, submission_notes = sqlc.narg('notes'), updated_at = now()
WHERE request_id = @request_id;
