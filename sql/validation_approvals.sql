-- name: ValidationApprovalsCreateForDeployment :many
-- Creates the DEPLOYMENT approvals a confirmed deployment needs: one per region it covers that
-- requires regional approval and is outside the validation's regions, the rule's one home being
-- deployment_regions_requiring_approval (inlined into this statement). ON CONFLICT makes it
-- idempotent, also against a concurrent confirmation (it waits on validation_approvals_deployment_key).
INSERT INTO validation_approvals (request_id, region_id, approval_type)
SELECT @request_id::int, d.region_id, 'DEPLOYMENT'
FROM deployment_regions_requiring_approval(@request_id::int, @model_id::int, sqlc.narg('region_id')::int) d
ORDER BY d.region_id
ON CONFLICT (request_id, region_id) WHERE approval_type = 'DEPLOYMENT' DO NOTHING
RETURNING approval_id, region_id;

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
-- caller's role (and, for a regional one, its regions) may decide this kind of approval
-- (validation_approval_decidable_by) and whether the caller is involved in the request
-- (validation_request_involves).
SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, a.status,
       vr.status AS request_status,
       validation_approval_decidable_by(a.approval_type, a.region_id, @role::user_role, @user_id)::boolean AS caller_may_decide,
       validation_request_involves(a.request_id, @user_id)::boolean AS caller_involved
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
-- Every approval of one request, in creation order (validation_approvals_request_id_idx).
SELECT approval_id, request_id, approval_type, region_id, status, decided_by_id, decided_at,
       comments, created_at
FROM validation_approvals
WHERE request_id = @request_id
ORDER BY approval_id;

-- name: ValidationApprovalsList :many
-- Keyset pagination on the primary key; filters are optional (NULL = not filtered). mine keeps
-- the approvals the caller may decide now: pending; of a kind its role decides
-- (validation_approval_decidable_by); for a round's approval, its request awaiting approval; and
-- a request the caller is not involved in (validation_request_involves). The same functions judge
-- a decision (ValidationApprovalLockForDecision).
-- visible_to, when set, keeps the approvals of requests of models that user owns or delegates for.
SELECT a.approval_id, a.request_id, a.approval_type, a.region_id, a.status, a.decided_by_id,
       a.decided_at, a.comments, a.created_at
FROM validation_approvals a
JOIN validation_requests vr ON vr.request_id = a.request_id
WHERE a.approval_id > @after_id
  AND (sqlc.narg('status')::text IS NULL OR a.status = sqlc.narg('status')::text)
  AND (sqlc.narg('request_id')::int IS NULL OR a.request_id = sqlc.narg('request_id')::int)
  AND (sqlc.narg('approval_type')::text IS NULL OR a.approval_type = sqlc.narg('approval_type')::text)
  AND (sqlc.narg('visible_to')::int IS NULL OR validation_request_visible_to(a.request_id, sqlc.narg('visible_to')::int)::boolean)
  AND (NOT @mine::boolean OR (
      a.status = 'PENDING'
      AND (a.approval_type = 'DEPLOYMENT' OR vr.status = 'PENDING_APPROVAL')
      AND validation_approval_decidable_by(a.approval_type, a.region_id, @role::user_role, @user_id)::boolean
      AND NOT validation_request_involves(a.request_id, @user_id)::boolean
  ))
ORDER BY a.approval_id
LIMIT @limit_count;
