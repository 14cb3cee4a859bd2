-- Ready to deploy (GET /deployments/ready): the rows of the deployment_readiness view (its
-- migration, 20261205000900_deployments_ready.sql, holds the rule and the index each of its
-- joins probes), oldest approval first — days_since_approval descending — with the keyset
-- (approved_day, validation_request_id, version_id, region_id). The day counts are taken on as_of
-- (default: today in UTC).

-- name: DeploymentReadyCallerModels :one
-- The models a caller may act on, owned or actively delegated (models_owner_id_idx,
-- model_delegates_user_id_idx), read before the list when the list is a USER's or mine=true. The
-- list then takes them as an array value, so its plan is made knowing how many there are: a few
-- models drive the list from their versions, many let it walk the approvals (see below).
SELECT coalesce(array_agg(x.model_id ORDER BY x.model_id), '{}')::int[] AS model_ids
FROM (SELECT m.model_id FROM models m WHERE m.owner_id = @user_id
      UNION
      SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id AND d.revoked_at IS NULL) x;

-- name: DeploymentReadyList :many
-- Order: oldest approval day first, then the approving request, then version and region. The
-- index validation_status_history_approved_day_idx is (approved day, request_id): the walk comes out
-- presorted on both, so the Incremental Sort orders only one request's few rows at a time and the
-- LIMIT stops the walk after about a page of approvals, however many requests were approved that
-- day (ordering a whole day's approvals by version first read every approval of the day).
-- Plan (EXPLAIN ANALYZE on the queues benchmark's seed, bench/results/queues-explain.md): an Index
-- Scan of that index from the cursor's day (the day bound below is its index condition), each
-- approval probed through the view's joins (primary keys, model_versions_validation_request_id_idx,
-- model_regions_pkey, the two unique task indexes). No big table is scanned.
-- model_id: a filter of the walk (a model's rows are few; the planner may as well drive from it).
-- model_ids (a USER's visibility, or mine=true: DeploymentReadyCallerModels): the statement is
-- planned for the array it is given (pgtx.CustomPlans). For a few models the planner drives the
-- list from them (model_versions_under_validation_by_model_idx, index-only) and sorts their few
-- rows; for many it walks the approvals as above, each checked against the array, until it has a
-- page. On the queues benchmark's seed: no model, 0.3 ms instead of a walk of every approval
-- (80 ms); an owner of 1,000 models (a tenth of the inventory), the walk, 22 ms.
-- Owner names and region codes are read for the page's rows only (primary keys), outside the
-- join tree, which keeps the planner's join search within its collapse limits.
SELECT r.version_id, r.version_number, r.scope, r.model_id, r.model_name, r.owner_id,
       (SELECT o.full_name FROM users o WHERE o.user_id = r.owner_id)::text AS owner_full_name,
       r.region_id, (SELECT rg.code FROM regions rg WHERE rg.region_id = r.region_id)::text AS region_code,
       r.validation_request_id, r.validation_approved_at, r.approved_day,
       (coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) - r.approved_day)::int AS days_since_approval,
       r.pending_task_id
FROM deployment_readiness r
WHERE (sqlc.narg('model_id')::int IS NULL OR r.model_id = sqlc.narg('model_id')::int)
  AND (sqlc.narg('has_pending_task')::boolean IS NULL
       OR (r.pending_task_id IS NOT NULL) = sqlc.narg('has_pending_task')::boolean)
  AND (sqlc.narg('model_ids')::int[] IS NULL OR r.model_id = ANY (sqlc.narg('model_ids')::int[]))
  -- The keyset: the day bound is the walk's index condition, the row comparison breaks ties.
  AND (sqlc.narg('after_day')::date IS NULL
       OR (r.approved_day >= sqlc.narg('after_day')::date
           AND (r.approved_day, r.validation_request_id, r.version_id, r.region_id)
               > (sqlc.narg('after_day')::date, @after_request_id::int, @after_version_id::int, @after_region_id::int)))
ORDER BY r.approved_day, r.validation_request_id, r.version_id, r.region_id
LIMIT @page_limit;

-- name: DeploymentReadyListAll :many
-- DeploymentReadyList without a filter (an ADMIN's or VALIDATOR's list, the most asked): no
-- optional condition, and the keyset always applies (the first page starts after 0001-01-01), so
-- its generic plan is the walk above. It is sent in the pool's statement mode: prepared once and
-- planned once per connection (planning the view costs several times running a page of it),
-- where DeploymentReadyList, whose optional filters only a plan for their values folds away, is
-- planned at every call. The same columns as DeploymentReadyList, so the service converts its rows.
SELECT r.version_id, r.version_number, r.scope, r.model_id, r.model_name, r.owner_id,
       (SELECT o.full_name FROM users o WHERE o.user_id = r.owner_id)::text AS owner_full_name,
       r.region_id, (SELECT rg.code FROM regions rg WHERE rg.region_id = r.region_id)::text AS region_code,
       r.validation_request_id, r.validation_approved_at, r.approved_day,
       (coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) - r.approved_day)::int AS days_since_approval,
       r.pending_task_id
FROM deployment_readiness r
WHERE r.approved_day >= @after_day::date
  AND (r.approved_day, r.validation_request_id, r.version_id, r.region_id)
      > (@after_day::date, @after_request_id::int, @after_version_id::int, @after_region_id::int)
ORDER BY r.approved_day, r.validation_request_id, r.version_id, r.region_id
LIMIT @page_limit;

-- name: DeploymentReadyCount :one
-- How many rows DeploymentReadyList would list over all its pages, for a CSV export (refused
-- over EXPORT_MAX_ROWS before any row is sent). The same filters, word for word.
SELECT count(*)
FROM deployment_readiness r
WHERE (sqlc.narg('model_id')::int IS NULL OR r.model_id = sqlc.narg('model_id')::int)
  AND (sqlc.narg('has_pending_task')::boolean IS NULL
       OR (r.pending_task_id IS NOT NULL) = sqlc.narg('has_pending_task')::boolean)
  AND (sqlc.narg('model_ids')::int[] IS NULL OR r.model_id = ANY (sqlc.narg('model_ids')::int[]));
