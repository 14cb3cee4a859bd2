-- Ready to deploy (GET /deployments/ready): the rows of the deployment_readiness view (its
-- migrations, 20261205000900_deployments_ready.sql, 20261206001000 and 20261206004000, hold the
-- rule and the index each of its joins probes), oldest approval first — days_since_approval
-- descending — with the keyset (approved_day, validation_request_id, version_id, region_id). The
-- day counts are taken on as_of (default: today in UTC).

-- name: DeploymentReadyCallerModels :one
-- The models a caller may act on, owned or actively delegated (models_owner_id_idx,
-- model_delegates_user_id_idx), read before the list when the list is a USER's or mine=true. The
-- list takes them as an array value, so its plan is made knowing how many there are (docs/lists.md,
-- "Plans"): a few models drive the list through their approved versions
-- (model_version_request_status_approved_model_idx), many let it walk the approved versions in
-- day order, each tested against the hashed array in the index walk itself (see below). No
-- optional condition and one plan for any caller: ListReady sends it in the pool's statement
-- mode, where PostgreSQL keeps its generic plan after five calls on a connection instead of
-- planning it each time.
SELECT ARRAY(SELECT m.model_id FROM models m WHERE m.owner_id = @user_id
             UNION
             SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id AND d.revoked_at IS NULL
             ORDER BY 1)::int[] AS model_ids;

-- name: DeploymentReadyList :many
-- Order: oldest approval day first, then the approving request, then version and region. The
-- index model_version_request_status_approved_idx is (request_status_entered_on, request_id,
-- version_id) of the versions of APPROVED requests, the view's (approved_day,
-- validation_request_id, version_id) (its migration, 20261206004000_version_request_status.sql):
-- the walk comes out presorted on all three, so the Incremental Sort orders only one version's
-- regions at a time and the LIMIT stops the walk after about a page of versions, however many
-- requests were approved that day.
-- Plan (EXPLAIN ANALYZE on the queues benchmark's seed, bench/results/queues-explain.md): an
-- Index Only Scan of that index from the cursor's request (the (day, request) bound below is its
-- index condition, so a page after a busy day's first requests does not walk them again), each
-- approved version probed through the view's joins (model_versions_pkey, model_regions_pkey
-- index-only, model_version_regions_pkey, the two unique task indexes). No big table is scanned.
-- Every page is planned for its values (pgtx.CustomPlans), so planning is part of each page's
-- cost: the view joins four relations and reads names through subqueries for that.
-- model_id: a filter of the walk (a model's rows are few; the planner may as well drive from it).
-- has_pending_task: a CASE, which the planner estimates to keep half the rows (about what it
-- keeps on the queues benchmark's seed either way). Written as (pending_task_id IS NOT NULL) =
-- the value, it was estimated to keep one row in 200, and has_pending_task=false was planned as
-- every ready row of the inventory computed first, then matched against the walk (seconds
-- instead of milliseconds).
-- model_ids (a USER's visibility, or mine=true: DeploymentReadyCallerModels): the plan is made
-- for the array's values. For a few models the planner reads their approved versions
-- (model_version_request_status_approved_model_idx) and sorts their few rows; for many it walks
-- the approved versions as above, and the model_id test — a hashed array, on a column the index
-- includes — passes over other owners' versions in the Index Only Scan without probing them. On
-- the queues benchmark's seed an owner of 1,000 models (a tenth of the inventory), whose first
-- page comes after about 6,000 approved versions of other owners' models, reads under 700
-- buffers.
-- Owner names and region codes are read for the page's rows only (primary keys), outside the
-- join tree.
SELECT r.version_id, r.version_number, r.scope, r.model_id, r.model_name, r.owner_id,
       (SELECT o.full_name FROM users o WHERE o.user_id = r.owner_id)::text AS owner_full_name,
       r.region_id, (SELECT rg.code FROM regions rg WHERE rg.region_id = r.region_id)::text AS region_code,
       r.validation_request_id, r.validation_approved_at, r.approved_day,
       (coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) - r.approved_day)::int AS days_since_approval,
       r.pending_task_id
FROM deployment_readiness r
WHERE (sqlc.narg('model_id')::int IS NULL OR r.model_id = sqlc.narg('model_id')::int)
  AND (sqlc.narg('has_pending_task')::boolean IS NULL
       OR CASE WHEN r.pending_task_id IS NULL THEN NOT sqlc.narg('has_pending_task')::boolean
               ELSE sqlc.narg('has_pending_task')::boolean END)
  AND (sqlc.narg('model_ids')::int[] IS NULL OR r.model_id = ANY (sqlc.narg('model_ids')::int[]))
  -- The keyset: the (day, request) bound is the walk's index condition, the full row comparison
  -- breaks ties within a request.
  AND (sqlc.narg('after_day')::date IS NULL
       OR ((r.approved_day, r.validation_request_id) >= (sqlc.narg('after_day')::date, @after_request_id::int)
           AND (r.approved_day, r.validation_request_id, r.version_id, r.region_id)
               > (sqlc.narg('after_day')::date, @after_request_id::int, @after_version_id::int, @after_region_id::int)))
ORDER BY r.approved_day, r.validation_request_id, r.version_id, r.region_id
LIMIT @page_limit;

-- name: DeploymentReadyListAll :many
-- DeploymentReadyList without a filter (an ADMIN's or VALIDATOR's list, the most asked): no
-- optional condition, and the keyset always applies (the first page starts after 0001-01-01), so
-- its plan is the walk above whatever its values. It is sent in the pool's statement mode. That
-- does not plan it once per connection: a named statement's generic plan costs its LIMIT $n as a
-- tenth of the rows, so plan_cache_mode = auto keeps choosing a plan for the values, at every
-- call (pg_prepared_statements: 0 generic plans). Planning is what the view's migrations
-- 20261206001000 and 20261206004000 made cheap. The same columns as DeploymentReadyList, so the
-- service converts its rows.
SELECT r.version_id, r.version_number, r.scope, r.model_id, r.model_name, r.owner_id,
       (SELECT o.full_name FROM users o WHERE o.user_id = r.owner_id)::text AS owner_full_name,
       r.region_id, (SELECT rg.code FROM regions rg WHERE rg.region_id = r.region_id)::text AS region_code,
       r.validation_request_id, r.validation_approved_at, r.approved_day,
       (coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) - r.approved_day)::int AS days_since_approval,
       r.pending_task_id
FROM deployment_readiness r
WHERE (r.approved_day, r.validation_request_id) >= (@after_day::date, @after_request_id::int)
  AND (r.approved_day, r.validation_request_id, r.version_id, r.region_id)
      > (@after_day::date, @after_request_id::int, @after_version_id::int, @after_region_id::int)
ORDER BY r.approved_day, r.validation_request_id, r.version_id, r.region_id
LIMIT @page_limit;

-- name: DeploymentReadyCount :one
-- How many rows DeploymentReadyList would list over all its pages, for a CSV export (refused
-- over EXPORT_MAX_ROWS before any row is sent). Without has_pending_task it is the sum of the
-- models' counts of their rows in the view (model_ready_counts, kept at every commit by the view's
-- own count, docs/lists.md, "Ready rows counted per model", so in one snapshot the sum is the
-- view's count): a probe per model (model_ready_counts_pkey), or the 10,000 counts for an
-- unfiltered export, instead of every ready row computed (a hash join over every version and
-- model region, 50 to 115 ms on the queues benchmark's seed). With it, the view is counted with
-- the list's filters, word for word. Planned for the values sent, the CASE keeps one branch.
SELECT CASE WHEN sqlc.narg('has_pending_task')::boolean IS NULL THEN
           (SELECT coalesce(sum(c.ready_rows), 0)
            FROM model_ready_counts c
            WHERE (sqlc.narg('model_id')::int IS NULL OR c.model_id = sqlc.narg('model_id')::int)
              AND (sqlc.narg('model_ids')::int[] IS NULL OR c.model_id = ANY (sqlc.narg('model_ids')::int[])))
       ELSE
           (SELECT count(*)
            FROM deployment_readiness r
            WHERE (sqlc.narg('model_id')::int IS NULL OR r.model_id = sqlc.narg('model_id')::int)
              AND CASE WHEN r.pending_task_id IS NULL THEN NOT sqlc.narg('has_pending_task')::boolean
                       ELSE sqlc.narg('has_pending_task')::boolean END
              AND (sqlc.narg('model_ids')::int[] IS NULL OR r.model_id = ANY (sqlc.narg('model_ids')::int[])))
       END::bigint AS ready_rows;
