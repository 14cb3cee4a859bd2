-- name: SummaryForUser :one
-- GET /me/summary: what waits for one caller, in one statement, at the day as_of (default: today
-- in UTC). Each count is a scalar subquery; a CASE on the caller's role keeps the subquery of a
-- count the role cannot have from running at all (it answers 0). Plans (EXPLAIN ANALYZE on
-- 50,000 requests, 75,000 tasks, 10,000 models): every count is driven from an index on the
-- caller or on a small partial index, never a scan of a big table:
--
-- approvals_to_decide (ADMIN, GLOBAL_APPROVER, REGIONAL_APPROVER): the approver's queue counted —
-- the same sets as ValidationApprovalsQueue and a decision: pending approvals the caller's role
-- decides (validation_approvals_decidable_by, inlined: a partial index of pending approvals per
-- role), of a request awaiting approval or DEPLOYMENT ones, of requests the caller is not
-- involved in (validation_requests_involving, a hash anti-join on sets read by user).
-- tasks_overdue, tasks_due_this_week: the caller's open (PENDING, ADJUSTED) tasks — assigned to
-- them (version_deployment_tasks_assigned_to_id_idx) or of a model they actively delegate for
-- (model_delegates_user_id_idx, then version_deployment_tasks_model_id_idx) — planned before
-- as_of, or from as_of to as_of + 7 days.
-- ready_to_deploy: the deployment_readiness rows of the models the caller owns
-- (models_owner_id_idx) or actively delegates for, the view driven from those models.
-- requests_as_primary, reviews_waiting: the caller's assignments (validation_assignments_validator_request_idx)
-- as primary of an active request, as reviewer without sign-off of a REVIEW request.
-- unassigned_requests (VALIDATOR, ADMIN): active requests (validation_requests_active_target_idx,
-- the partial index of active requests) without a primary (validation_assignments_one_primary_key).
-- overdue_requests: active requests whose target date is before as_of (a range of
-- validation_requests_active_target_idx): every one for ADMIN; for a VALIDATOR those assigned to
-- them (any assignment); for a USER those of their models (validation_request_models_model_id_idx
-- from the caller's models); 0 for the approvers.
WITH my_models AS MATERIALIZED (
    SELECT m.model_id FROM models m WHERE m.owner_id = @user_id::int
    UNION
    SELECT d.model_id FROM model_delegates d WHERE d.user_id = @user_id::int AND d.revoked_at IS NULL
), my_open_tasks AS MATERIALIZED (
    SELECT t.task_id, t.planned_production_date
    FROM version_deployment_tasks t
    WHERE t.assigned_to_id = @user_id::int AND t.status IN ('PENDING', 'ADJUSTED')
    UNION
    SELECT t.task_id, t.planned_production_date
    FROM model_delegates d
    JOIN version_deployment_tasks t ON t.model_id = d.model_id
    WHERE d.user_id = @user_id::int AND d.revoked_at IS NULL AND t.status IN ('PENDING', 'ADJUSTED')
), day AS (
    SELECT coalesce(sqlc.narg('as_of')::date, (now() AT TIME ZONE 'UTC')::date) AS as_of
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
    (SELECT count(*) FROM my_open_tasks t, day
     WHERE t.planned_production_date < day.as_of)::bigint AS tasks_overdue,
    (SELECT count(*) FROM my_open_tasks t, day
     WHERE t.planned_production_date BETWEEN day.as_of AND day.as_of + 7)::bigint AS tasks_due_this_week,
    (SELECT count(*) FROM deployment_readiness r
     WHERE r.model_id IN (SELECT mm.model_id FROM my_models mm))::bigint AS ready_to_deploy,
    (SELECT count(*)
     FROM validation_assignments va
     JOIN validation_requests vr ON vr.request_id = va.request_id
     WHERE va.validator_id = @user_id::int AND va.is_primary AND NOT vr.is_closed)::bigint AS requests_as_primary,
    (SELECT count(*)
     FROM validation_assignments va
     JOIN validation_requests vr ON vr.request_id = va.request_id
     WHERE va.validator_id = @user_id::int AND va.is_reviewer AND va.signed_off_at IS NULL
       AND vr.status = 'REVIEW')::bigint AS reviews_waiting,
    CASE WHEN @role::user_role IN ('ADMIN', 'VALIDATOR') THEN (
        SELECT count(*)
        FROM validation_requests vr
        WHERE NOT vr.is_closed
          AND NOT EXISTS (SELECT 1 FROM validation_assignments va
                          WHERE va.request_id = vr.request_id AND va.is_primary)
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
                                    WHERE l.model_id IN (SELECT mm.model_id FROM my_models mm)))
        ELSE 0
    END::bigint AS overdue_requests;
