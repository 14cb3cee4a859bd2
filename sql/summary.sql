-- name: SummaryForUser :one
-- GET /me/summary: what waits for one caller, in one statement, at the day as_of (default: today
-- in UTC). Each count is a scalar subquery; a CASE on the caller's role keeps the subquery of a
-- count the role cannot have from running at all (it answers 0). Every count starts from the
-- caller's own rows or a small partial index, never from a whole population; the caller's models
-- (models_owner_id_idx, model_delegates_user_id_idx) are read once and handed to the counts that
-- need them as an array (= ANY), which the planner probes model by model through an index. Plans
-- (EXPLAIN ANALYZE on 50,000 requests, 200,000 tasks, 10,000 models, a USER owning 1,000 of them;
-- bench/results/queues-explain.md):
--
-- approvals_to_decide (ADMIN, GLOBAL_APPROVER, REGIONAL_APPROVER): the approver's queue counted —
-- the same sets as ValidationApprovalsQueue and a decision: pending approvals the caller's role
-- decides (validation_approvals_decidable_by, inlined: validation_approvals_pending_idx, the
-- role's kind and regions a filter), of a request awaiting approval or DEPLOYMENT ones, of
-- requests the caller is not involved in (validation_requests_involving, a hash anti-join on sets
-- read by user).
-- tasks_overdue, tasks_due_this_week: the caller's open (PENDING, ADJUSTED) tasks planned up to
-- as_of + 7, counted once: those assigned to them (an Index Only Scan of the range of
-- version_deployment_tasks_open_assigned_idx (assigned_to_id, planned_production_date), partial
-- on the open statuses), plus those of a model they actively delegate for that are assigned to
-- someone else (model_delegates_user_id_idx, then version_deployment_tasks_model_id_idx) — the
-- two sets are disjoint, so their sum is the count of their union.
-- ready_to_deploy: the deployment_readiness rows of the models the caller owns or actively
-- delegates for (the view's own rule, driven from model_versions_under_validation_by_model_idx by
-- model_id = ANY, index-only, then per version its approval and its regions' tasks). Joined to the models as
-- a set instead, the planner walked every approved request (validation_status_history_approved_idx)
-- and hashed model_version_regions whole.
-- requests_as_primary, reviews_waiting: the caller's assignments of open requests,
-- validation_assignments_open_work_idx (validator_id) WHERE NOT request_is_closed, an Index Only
-- Scan: the request's closed flag and status are the assignment's mirror of them
-- (docs/lists.md, "Mirrors of the request on its assignments").
-- unassigned_requests (VALIDATOR, ADMIN): active requests (validation_requests_active_idx) without
-- a primary — a Merge Anti Join with validation_assignments_open_primary_idx (the open requests'
-- primaries only, not every primary ever named).
-- overdue_requests: active requests whose target date is before as_of (a range of
-- validation_requests_active_target_idx): every one for ADMIN; for a VALIDATOR those assigned to
-- them (any assignment); for a USER those of their models (validation_request_models_model_id_idx
-- by model_id = ANY, then an index-only probe of validation_requests_assignment_mirror_key
-- (request_id, is_closed, status, target_completion_date) per link); 0 for the approvers.
WITH my_models AS MATERIALIZED (
    SELECT m.model_id FROM models m WHERE m.owner_id = @user_id::int
    UNION
    SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id::int AND d.revoked_at IS NULL
), day AS MATERIALIZED (
    SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS as_of
), my_open_tasks AS MATERIALIZED (
    SELECT count(*) FILTER (WHERE t.planned_production_date < day.as_of) AS overdue,
           count(*) FILTER (WHERE t.planned_production_date BETWEEN day.as_of AND day.as_of + 7) AS due_this_week
    FROM day, (
        SELECT t.planned_production_date
        FROM version_deployment_tasks t
        WHERE t.assigned_to_id = @user_id::int AND t.status IN ('PENDING', 'ADJUSTED')
        UNION ALL
        SELECT t.planned_production_date
        FROM model_delegates d
        JOIN version_deployment_tasks t ON t.model_id = d.model_id
        WHERE d.user_id = @user_id::int AND d.revoked_at IS NULL AND t.status IN ('PENDING', 'ADJUSTED')
          AND t.assigned_to_id IS DISTINCT FROM @user_id::int
    ) t
    WHERE t.planned_production_date <= day.as_of + 7
)
SELECT
    CASE WHEN @role::user_role IN ('ADMIN', 'GLOBAL_APPROVER', 'REGIONAL_APPROVER') THEN (
        SELECT count(*)
        FROM validation_approvals_decidable_by(@role::user_role, @user_id::int) AS a (approval_id, request_id, approval_type, region_id, status, created_at)
        WHERE a.status = 'PENDING'
          AND (a.approval_type = 'DEPLOYMENT' OR EXISTS (
                  SELECT 1 FROM validation_requests vr
                  WHERE vr.request_id = a.request_id AND vr.status = 'PENDING_APPROVAL'))
          AND NOT EXISTS (SELECT 1 FROM validation_requests_involving(@user_id::int) i WHERE i.request_id = a.request_id)
    ) ELSE 0 END::bigint AS approvals_to_decide,
    (SELECT ot.overdue FROM my_open_tasks ot)::bigint AS tasks_overdue,
    (SELECT ot.due_this_week FROM my_open_tasks ot)::bigint AS tasks_due_this_week,
    (SELECT count(*) FROM deployment_readiness r
     WHERE r.model_id = ANY (ARRAY(SELECT mm.model_id FROM my_models mm)))::bigint AS ready_to_deploy,
    (SELECT count(*)
     FROM validation_assignments va
     WHERE va.validator_id = @user_id::int AND NOT va.request_is_closed AND va.is_primary)::bigint AS requests_as_primary,
    (SELECT count(*)
     FROM validation_assignments va
     WHERE va.validator_id = @user_id::int AND NOT va.request_is_closed AND va.is_reviewer
       AND va.signed_off_at IS NULL AND va.request_status = 'REVIEW')::bigint AS reviews_waiting,
    CASE WHEN @role::user_role IN ('ADMIN', 'VALIDATOR') THEN (
        SELECT count(*)
        FROM validation_requests vr
        WHERE NOT vr.is_closed
          AND NOT EXISTS (SELECT 1 FROM validation_assignments va
                          WHERE va.request_id = vr.request_id AND va.is_primary AND NOT va.request_is_closed)
    ) ELSE 0 END::bigint AS unassigned_requests,
    CASE @role::user_role
        WHEN 'ADMIN' THEN (
            SELECT count(*) FROM validation_requests vr, day
            WHERE NOT vr.is_closed AND vr.target_completion_date < day.as_of)
        WHEN 'VALIDATOR' THEN (
            SELECT count(*) FROM validation_requests vr, day
            WHERE NOT vr.is_closed AND vr.target_completion_date < day.as_of
              AND EXISTS (SELECT 1 FROM validation_assignments va
                          WHERE va.request_id = vr.request_id AND va.validator_id = @user_id::int))
        WHEN 'USER' THEN (
            SELECT count(*) FROM validation_requests vr, day
            WHERE NOT vr.is_closed AND vr.target_completion_date < day.as_of
              AND vr.request_id IN (SELECT l.request_id FROM validation_request_models l
                                    WHERE l.model_id = ANY (ARRAY(SELECT mm.model_id FROM my_models mm))))
        ELSE 0
    END::bigint AS overdue_requests;
