-- name: ValidationApprovalsCreateRequired :many
-- The approvals a request needs when it enters PENDING_APPROVAL, created in the status change's
-- transaction (the request row is locked FOR UPDATE): one GLOBAL, and one REGIONAL per region of
-- the approval scope that requires regional approval. The scope is validation_approval_scope
-- (docs/rules.md, "Approval scope": global wins, else the listed and REGIONAL versions' regions,
-- else the models' regions), the same one deployments are judged by.
-- A round is created once: an approval of the same kind (and region) still pending is kept, not
-- doubled (ON CONFLICT on the pending-approval unique indexes; the service voids a round when the
-- request leaves PENDING_APPROVAL, so this only matters for rows written around it).
INSERT INTO validation_approvals (request_id, region_id, approval_type)
SELECT @request_id::int, needed.region_id, needed.approval_type
FROM (
    SELECT NULL::int AS region_id, 'GLOBAL'::text AS approval_type
    UNION ALL
    SELECT r.region_id, 'REGIONAL'
    FROM validation_approval_scope(@request_id::int) s
    JOIN regions r ON r.region_id = s.region_id
    WHERE r.requires_regional_approval
) AS needed
ORDER BY needed.region_id NULLS FIRST
ON CONFLICT DO NOTHING
RETURNING approval_id, approval_type, region_id;

-- name: ValidationApprovalsVoidPending :many
-- A request leaving PENDING_APPROVAL other than by its last approval (a send-back, a step back,
-- a hold, a cancellation) voids the approvals of that round still pending; the next
-- PENDING_APPROVAL creates fresh ones. DEPLOYMENT approvals are not part of a round.
UPDATE validation_approvals
SET status = 'VOIDED'
WHERE request_id = @request_id
  AND status = 'PENDING'
  AND approval_type <> 'DEPLOYMENT'
RETURNING approval_id;

-- name: ValidationApprovalRequest :one
-- The request an approval belongs to and that request's models, read before any lock: a decision
-- takes the models' validation locks and the request's row lock first, in the global lock order,
-- and only then the approval's. request_id never changes.
SELECT a.request_id, a.approval_type,
       array(
           SELECT l.model_id FROM validation_request_models l
           WHERE l.request_id = a.request_id
           ORDER BY l.model_id
       )::int[] AS model_ids
FROM validation_approvals a
WHERE a.approval_id = @approval_id;

-- name: ValidationApprovalLockForDecision :one
-- Locks one approval for its decision, after its request's row (FOR UPDATE, taken first by the
-- same transaction), and reads what the decision is judged on: the request's status, whether the
-- caller may decide this approval by role and region (validation_approvals_decidable_by) and
-- whether the caller is involved in the request (validation_requests_involving). Those are the
-- rules' one home, the sets the approver queue (ValidationApprovalsQueue) joins, so the queue
-- never lists what the decision would refuse. Here each set is probed for one id: the id is
-- pushed into the inlined function (a primary-key probe of the decidable set; one index probe per
-- branch of the involvement set).
SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, a.status,
       vr.status AS request_status,
       EXISTS (SELECT 1 FROM validation_approvals_decidable_by(@role::user_role, @user_id::int) d
               WHERE d.approval_id = a.approval_id) AS caller_may_decide,
       EXISTS (SELECT 1 FROM validation_requests_involving(@user_id::int) i
               WHERE i.request_id = a.request_id) AS caller_involved
FROM validation_approvals a
JOIN validation_requests vr ON vr.request_id = a.request_id
WHERE a.approval_id = @approval_id
FOR UPDATE OF a;

-- name: ValidationApprovalDecide :one
-- Guarded by status as well as by the row lock: an approval is decided once.
UPDATE validation_approvals
SET status = @status, decided_by_id = @decided_by_id, decided_at = now(), comments = sqlc.narg('comments')
WHERE approval_id = @approval_id AND status = 'PENDING'
RETURNING approval_id, request_id, approval_type, region_id, status, decided_by_id, decided_at,
          comments, created_at;

-- name: ValidationApprovalsPendingCount :one
-- The approvals of the current round still pending, read after the decision in the same
-- transaction under the request's row lock: zero after an approval means it was the last one.
SELECT count(*)
FROM validation_approvals
WHERE request_id = @request_id AND status = 'PENDING' AND approval_type <> 'DEPLOYMENT';

-- name: ValidationApprovalsForRequest :many
-- An approval item (README, "Approvals"): the approval, its region's code (null for GLOBAL), days_pending
-- (as_of, else today in UTC, minus the UTC day it was created: whole days, date - date), and its
-- request's context: status, type, priority, target date, requestor, primary validator (the
-- partial unique index validation_assignments_one_primary_key) and models (validation_request_models_pkey,
-- models_pkey). Every join is a primary-key or unique-index probe per item of the page.
-- Every approval of one request, in creation order (validation_approvals_request_id_idx).
SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, rg.code AS region_code, a.status,
       a.decided_by_id, a.decided_at, a.comments, a.created_at,
       (coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) - (a.created_at AT TIME ZONE 'UTC')::date)::int AS days_pending,
       vr.status AS request_status, vr.validation_type, vr.priority, vr.target_completion_date,
       vr.requestor_id, ru.full_name AS requestor_full_name,
       pv.validator_id AS primary_validator_id, pu.full_name AS primary_validator_full_name,
       array(SELECT l.model_id FROM validation_request_models l
             WHERE l.request_id = a.request_id ORDER BY l.model_id)::int[] AS model_ids,
       array(SELECT m.model_name FROM validation_request_models l JOIN models m ON m.model_id = l.model_id
             WHERE l.request_id = a.request_id ORDER BY l.model_id)::text[] AS model_names
FROM validation_approvals a
JOIN validation_requests vr ON vr.request_id = a.request_id
JOIN users ru ON ru.user_id = vr.requestor_id
LEFT JOIN regions rg ON rg.region_id = a.region_id
LEFT JOIN validation_assignments pv ON pv.request_id = a.request_id AND pv.is_primary
LEFT JOIN users pu ON pu.user_id = pv.validator_id
WHERE a.request_id = @request_id
ORDER BY a.approval_id;

-- name: ValidationApprovalsList :many
-- An approval item (README, "Approvals"): the approval, its region's code (null for GLOBAL), days_pending
-- (as_of, else today in UTC, minus the UTC day it was created: whole days, date - date), and its
-- request's context: status, type, priority, target date, requestor, primary validator (the
-- partial unique index validation_assignments_one_primary_key) and models (validation_request_models_pkey,
-- models_pkey). Every join is a primary-key or unique-index probe per item of the page.
-- GET /approvals without mine: a keyset page, sorted by approval_id or (by_created) by
-- (created_at, approval_id). The cursor is the last approval id alone: by creation, its
-- created_at is read back by primary key (an approval's created_at never changes, and approvals
-- are never deleted); before the first page (after_id 0) it is -infinity. Filters are optional (NULL = not filtered). The page is one of three
-- branches, each gated by parameters alone (a one-time filter, so the others never run, also in
-- a generic plan):
--   1. everyone visible, by id: validation_approvals_pkey in order, stopped by the LIMIT;
--   2. everyone visible, by creation: validation_approvals_created_at_idx, the row comparison its
--      index condition;
--   3. a USER (visible_to): the approvals of the requests of its models
--      (validation_requests_visible_to, driven from models_owner_id_idx and
--      model_delegates_user_id_idx, then validation_approvals_request_id_idx), a small set sorted
--      in memory.
-- Plans at 10,000 requests: bench/results/approvals-queue-explain.md.
WITH page AS (
    (SELECT a.approval_id, a.created_at
     FROM validation_approvals a
     WHERE NOT @by_created::boolean AND sqlc.narg('visible_to')::int IS NULL
       AND a.approval_id > @after_id::int
       AND (sqlc.narg('status')::text IS NULL OR a.status = sqlc.narg('status')::text)
       AND (sqlc.narg('request_id')::int IS NULL OR a.request_id = sqlc.narg('request_id')::int)
       AND (sqlc.narg('approval_type')::text IS NULL OR a.approval_type = sqlc.narg('approval_type')::text)
     ORDER BY a.approval_id
     LIMIT @page_limit)
    UNION ALL
    (SELECT a.approval_id, a.created_at
     FROM validation_approvals a
     WHERE @by_created::boolean AND sqlc.narg('visible_to')::int IS NULL
       AND (a.created_at, a.approval_id) > (coalesce((SELECT c.created_at FROM validation_approvals c WHERE c.approval_id = @after_id::int), '-infinity'::timestamptz), @after_id::int)
       AND (sqlc.narg('status')::text IS NULL OR a.status = sqlc.narg('status')::text)
       AND (sqlc.narg('request_id')::int IS NULL OR a.request_id = sqlc.narg('request_id')::int)
       AND (sqlc.narg('approval_type')::text IS NULL OR a.approval_type = sqlc.narg('approval_type')::text)
     ORDER BY a.created_at, a.approval_id
     LIMIT @page_limit)
    UNION ALL
    (SELECT a.approval_id, a.created_at
     FROM validation_approvals a
     WHERE sqlc.narg('visible_to')::int IS NOT NULL
       AND a.request_id IN (SELECT v.request_id FROM validation_requests_visible_to(sqlc.narg('visible_to')::int) v)
       AND CASE WHEN @by_created::boolean
                THEN (a.created_at, a.approval_id) > (coalesce((SELECT c.created_at FROM validation_approvals c WHERE c.approval_id = @after_id::int), '-infinity'::timestamptz), @after_id::int)
                ELSE a.approval_id > @after_id::int END
       AND (sqlc.narg('status')::text IS NULL OR a.status = sqlc.narg('status')::text)
       AND (sqlc.narg('request_id')::int IS NULL OR a.request_id = sqlc.narg('request_id')::int)
       AND (sqlc.narg('approval_type')::text IS NULL OR a.approval_type = sqlc.narg('approval_type')::text)
     ORDER BY CASE WHEN @by_created::boolean THEN a.created_at END, a.approval_id
     LIMIT @page_limit)
)
SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, rg.code AS region_code, a.status,
       a.decided_by_id, a.decided_at, a.comments, a.created_at,
       (coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) - (a.created_at AT TIME ZONE 'UTC')::date)::int AS days_pending,
       vr.status AS request_status, vr.validation_type, vr.priority, vr.target_completion_date,
       vr.requestor_id, ru.full_name AS requestor_full_name,
       pv.validator_id AS primary_validator_id, pu.full_name AS primary_validator_full_name,
       array(SELECT l.model_id FROM validation_request_models l
             WHERE l.request_id = a.request_id ORDER BY l.model_id)::int[] AS model_ids,
       array(SELECT m.model_name FROM validation_request_models l JOIN models m ON m.model_id = l.model_id
             WHERE l.request_id = a.request_id ORDER BY l.model_id)::text[] AS model_names
FROM page p
JOIN validation_approvals a ON a.approval_id = p.approval_id
JOIN validation_requests vr ON vr.request_id = a.request_id
JOIN users ru ON ru.user_id = vr.requestor_id
LEFT JOIN regions rg ON rg.region_id = a.region_id
LEFT JOIN validation_assignments pv ON pv.request_id = a.request_id AND pv.is_primary
LEFT JOIN users pu ON pu.user_id = pv.validator_id
ORDER BY CASE WHEN @by_created::boolean THEN a.created_at END, a.approval_id;

-- name: ValidationApprovalsCount :one
-- How many approvals ValidationApprovalsList lists over all its pages, for a CSV export: the same
-- filters. A USER's visibility is a hashed semi-join on its requests.
SELECT count(*)
FROM validation_approvals a
WHERE (sqlc.narg('visible_to')::int IS NULL
       OR a.request_id IN (SELECT v.request_id FROM validation_requests_visible_to(sqlc.narg('visible_to')::int) v))
  AND (sqlc.narg('status')::text IS NULL OR a.status = sqlc.narg('status')::text)
  AND (sqlc.narg('request_id')::int IS NULL OR a.request_id = sqlc.narg('request_id')::int)
  AND (sqlc.narg('approval_type')::text IS NULL OR a.approval_type = sqlc.narg('approval_type')::text);

-- name: ValidationApprovalsQueue :many
-- An approval item (README, "Approvals"): the approval, its region's code (null for GLOBAL), days_pending
-- (as_of, else today in UTC, minus the UTC day it was created: whole days, date - date), and its
-- request's context: status, type, priority, target date, requestor, primary validator (the
-- partial unique index validation_assignments_one_primary_key) and models (validation_request_models_pkey,
-- models_pkey). Every join is a primary-key or unique-index probe per item of the page.
-- GET /approvals?mine=true, the approver's queue: the approvals the caller may decide now —
-- pending; of a kind and region its role decides (validation_approvals_decidable_by); for a
-- round's approval, its request awaiting approval; of a request the caller is not involved in
-- (validation_requests_involving). The same sets judge a decision (ValidationApprovalLockForDecision).
-- The plan (bench/results/queues-explain.md), planned for the caller's role (pgtx.CustomPlans):
-- the inlined decidable set is one SELECT whose OR of roles folds to the caller's predicate
-- (migration 20261206003000), status = 'PENDING' pushed into it, so the page walks
-- validation_approvals_pending_idx in approval_id order (by_created:
-- validation_approvals_pending_created_idx in (created_at, approval_id) order), the keyset its
-- index condition, and stops at the LIMIT: 51 rows for an ADMIN, a few hundred for a
-- GLOBAL_APPROVER (the kind is a filter), at most the pending approvals (the open rounds) for a
-- REGIONAL_APPROVER whose regions have few (its regions are a hashed lookup of its user_regions
-- rows). Read whole and sorted in memory, as the UNION ALL form of the set made the planner do,
-- the page took 2.4 to 4 ms to run instead of 0.5 to 1 at 50,000 requests. The round's approvals
-- need their request awaiting approval: an EXISTS under an OR, a hashed set of the requests
-- awaiting approval (validation_requests_status_idx, index-only) or a primary-key probe per
-- candidate. As a join instead, the planner, which cannot know that a pending round's request is
-- nearly always awaiting approval, hashed all of validation_requests when it sorted by creation.
-- The caller's involvement is an anti-join on a set read by user, once
-- (validation_requests_requestor_id_idx, validation_assignments_validator_request_idx,
-- models_owner_id_idx, model_delegates_user_id_idx). A USER or VALIDATOR decides nothing: its
-- set is empty.
WITH page AS (
    SELECT a.approval_id, a.created_at
    FROM validation_approvals_decidable_by(@role::user_role, @user_id::int) AS a (approval_id, request_id, approval_type, region_id, status, created_at)
    WHERE a.status = 'PENDING'
      AND (a.approval_type = 'DEPLOYMENT' OR EXISTS (
              SELECT 1 FROM validation_requests cvr
              WHERE cvr.request_id = a.request_id AND cvr.status = 'PENDING_APPROVAL'))
      AND NOT EXISTS (SELECT 1 FROM validation_requests_involving(@user_id::int) i WHERE i.request_id = a.request_id)
      AND CASE WHEN @by_created::boolean
               THEN (a.created_at, a.approval_id) > (coalesce((SELECT c.created_at FROM validation_approvals c WHERE c.approval_id = @after_id::int), '-infinity'::timestamptz), @after_id::int)
               ELSE a.approval_id > @after_id::int END
      AND (sqlc.narg('status')::text IS NULL OR a.status = sqlc.narg('status')::text)
      AND (sqlc.narg('request_id')::int IS NULL OR a.request_id = sqlc.narg('request_id')::int)
      AND (sqlc.narg('approval_type')::text IS NULL OR a.approval_type = sqlc.narg('approval_type')::text)
    ORDER BY CASE WHEN @by_created::boolean THEN a.created_at END, a.approval_id
    LIMIT @page_limit
)
SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, rg.code AS region_code, a.status,
       a.decided_by_id, a.decided_at, a.comments, a.created_at,
       (coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) - (a.created_at AT TIME ZONE 'UTC')::date)::int AS days_pending,
       vr.status AS request_status, vr.validation_type, vr.priority, vr.target_completion_date,
       vr.requestor_id, ru.full_name AS requestor_full_name,
       pv.validator_id AS primary_validator_id, pu.full_name AS primary_validator_full_name,
       array(SELECT l.model_id FROM validation_request_models l
             WHERE l.request_id = a.request_id ORDER BY l.model_id)::int[] AS model_ids,
       array(SELECT m.model_name FROM validation_request_models l JOIN models m ON m.model_id = l.model_id
             WHERE l.request_id = a.request_id ORDER BY l.model_id)::text[] AS model_names
FROM page p
JOIN validation_approvals a ON a.approval_id = p.approval_id
JOIN validation_requests vr ON vr.request_id = a.request_id
JOIN users ru ON ru.user_id = vr.requestor_id
LEFT JOIN regions rg ON rg.region_id = a.region_id
LEFT JOIN validation_assignments pv ON pv.request_id = a.request_id AND pv.is_primary
LEFT JOIN users pu ON pu.user_id = pv.validator_id
ORDER BY CASE WHEN @by_created::boolean THEN a.created_at END, a.approval_id;

-- name: ValidationApprovalsQueueCount :one
-- How many approvals ValidationApprovalsQueue lists over all its pages, for a CSV export: the same
-- sets and filters, every pending approval the role decides read once
-- (validation_approvals_pending_idx) and judged as the queue judges it.
SELECT count(*)
FROM validation_approvals_decidable_by(@role::user_role, @user_id::int) AS a (approval_id, request_id, approval_type, region_id, status, created_at)
WHERE a.status = 'PENDING'
  AND (a.approval_type = 'DEPLOYMENT' OR EXISTS (
          SELECT 1 FROM validation_requests cvr
          WHERE cvr.request_id = a.request_id AND cvr.status = 'PENDING_APPROVAL'))
  AND NOT EXISTS (SELECT 1 FROM validation_requests_involving(@user_id::int) i WHERE i.request_id = a.request_id)
  AND (sqlc.narg('status')::text IS NULL OR a.status = sqlc.narg('status')::text)
  AND (sqlc.narg('request_id')::int IS NULL OR a.request_id = sqlc.narg('request_id')::int)
  AND (sqlc.narg('approval_type')::text IS NULL OR a.approval_type = sqlc.narg('approval_type')::text);
